"""Sending the outbox: claim due rows, render and send each, record the outcome.

``flush_outbox`` is the single step the scheduler runs every 30 s (and tests call directly).

Delivery guarantee (at least once, with a stable Message-ID):

1. A row is *claimed* by a compare-and-set UPDATE (``pending → sending``, ``claimed_at = now``,
   ``attempts + 1``, guarded by the state and attempt count read), committed before anything
   is sent, so two flushers — threads, processes or machines — never send the same row at
   the same time.
2. After each message the outcome is committed at once: ``sent`` (with ``sent_at`` and the
   Message-ID), ``pending`` again with ``next_attempt_at`` pushed back (temporary failure),
   or ``failed`` with ``last_error`` (permanent failure, or ``mail.max_attempts`` reached).
3. A row still ``sending`` after the lease (``LEASE``, 10 min) belongs to a flusher that died;
   it is claimed again and resent. A flush stops starting new sends after ``SEND_BUDGET_S``
   so that a live flusher never outlasts its lease.

So a notification can be sent twice only when the process dies (or its database write
fails) between the server accepting the message and the commit of ``sent``; the resend
carries the same Message-ID (chat robots have no such id: the group sees the message twice).
"""

from __future__ import annotations

import hashlib
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import ChatWebhook, Settings
from storage import models
from storage.db import transaction
from storage.enums import OutboxState
from storage.outbox import Recipient, write_outbox
from yuqing.notify.compose import CHAT_KINDS, compose
from yuqing.notify.dryrun import DryRunChat, DryRunMail
from yuqing.notify.email import build_email
from yuqing.notify.smtp import SmtpTransport
from yuqing.notify.transport import (
    ChatTransport,
    DeliveryError,
    EmailTransport,
    Held,
    PermanentError,
    TemporaryError,
)
from yuqing.notify.webhooks import WebhookTransport, robot_id

log = logging.getLogger(__name__)

O = cast(Table, models.Outbox.__table__)  # noqa: E741 - the table, as in response_sla.store

LEASE = timedelta(minutes=10)
SEND_BUDGET_S = 120.0
BACKOFF_BASE = timedelta(minutes=1)
BACKOFF_CAP = timedelta(minutes=30)
CHAT_CHANNELS = ("wecom", "dingtalk")


def backoff(attempts: int) -> timedelta:
    """Wait after the ``attempts``-th failed try: 1, 2, 4, 8, 16, then every 30 minutes."""
    return min(BACKOFF_CAP, BACKOFF_BASE * (1 << min(max(0, attempts - 1), 16)))


def retry_window(max_attempts: int) -> timedelta:
    """How long a channel may be down before a row waiting on it is marked failed."""
    return sum((backoff(n) for n in range(1, max_attempts)), timedelta(0))


@dataclass(frozen=True)
class FlushResult:
    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    released: int = 0  # claimed but not tried (the flush ran out of time): pending again
    held: int = 0  # not to be sent yet (e.g. right after the unit's 交办): pending until then
    expanded: int = 0  # chat rows written for warnings, breaches and major events

    @property
    def found_work(self) -> bool:
        return self.claimed > 0 or self.expanded > 0


@dataclass
class Transports:
    email: EmailTransport
    chat: dict[str, ChatTransport] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings) -> Transports:
        if settings.mail.backend == "dryrun":
            folder = settings.var_dir / "mail"
            return cls(DryRunMail(folder), {c: DryRunChat(folder, c) for c in CHAT_CHANNELS})
        webhooks = WebhookTransport(timeout_s=settings.mail.timeout_s)
        return cls(SmtpTransport(settings.mail), dict.fromkeys(CHAT_CHANNELS, webhooks))

    def close(self) -> None:
        every: list[EmailTransport | ChatTransport] = [self.email, *self.chat.values()]
        for t in every:
            try:
                t.close()
            except Exception:  # noqa: BLE001 - closing must not hide the flush's outcome
                log.warning("closing a transport failed", exc_info=True)


@dataclass(frozen=True)
class Claimed:
    id: int
    kind: str
    channel: str
    dedupe_key: str
    payload: dict[str, Any]
    attempts: int  # after this claim
    reclaimed: bool  # taken over from a flusher that died while sending


# ---------------------------------------------------------------- chat rows


def chat_dedupe_key(parent_key: str, channel: str, robot: str) -> str:
    key = f"{parent_key}|{channel}:{robot}"
    if len(key) <= 200:
        return key
    digest = hashlib.sha256(parent_key.encode("utf-8")).hexdigest()[:40]
    return f"chat:{digest}|{channel}:{robot}"


def expand_chat(settings: Settings, sessions: sessionmaker[Session], now: datetime) -> int:
    """Write one row per configured robot for each new email row of a chat kind.

    Done here rather than by every writer of the outbox, so the SLA engine and the dashboard
    know nothing about chat. The key is the email row's key plus the channel and robot, so
    writing it again is a no-op; only rows never tried (``attempts = 0``) are looked at.
    """
    if not settings.chat:
        return 0
    with transaction(sessions) as s:
        parents = s.execute(
            select(O).where(
                O.c.channel == "email",
                O.c.kind.in_([k.value for k in CHAT_KINDS]),
                O.c.state == OutboxState.PENDING.value,
                O.c.attempts == 0,
                or_(O.c.next_attempt_at.is_(None), O.c.next_attempt_at <= now),
            )
        ).all()
        rows = []
        for p in parents:
            for robot in settings.chat:
                rid = robot_id(robot)
                rows.append(
                    {
                        "created_at": now,
                        "kind": p.kind,
                        "channel": robot.kind,
                        "dedupe_key": chat_dedupe_key(p.dedupe_key, robot.kind, rid),
                        "event_id": p.event_id,
                        "unit_id": p.unit_id,
                        "deadline_id": p.deadline_id,
                        "recipients": [Recipient.robot(rid)],
                        "cc": [],
                        "payload": {**(p.payload or {}), "robot": rid, "parent_id": p.id},
                        "state": OutboxState.PENDING.value,
                        "attempts": 0,
                        "next_attempt_at": now,
                    }
                )
        return write_outbox(s, rows)


def _robot(settings: Settings, channel: str, rid: str) -> ChatWebhook | None:
    for robot in settings.chat:
        if robot.kind == channel and robot_id(robot) == rid:
            return robot
    return None


# ---------------------------------------------------------------- claim and record


def claim(
    sessions: sessionmaker[Session], now: datetime, limit: int, lease: timedelta = LEASE
) -> list[Claimed]:
    """Take up to ``limit`` due rows: pending ones whose time has come, and sending ones
    whose lease ran out. Each is taken by compare-and-set on (state, attempts)."""
    due_pending = and_(
        O.c.state == OutboxState.PENDING.value,
        or_(O.c.next_attempt_at.is_(None), O.c.next_attempt_at <= now),
    )
    abandoned = and_(O.c.state == OutboxState.SENDING.value, O.c.claimed_at < now - lease)
    out: list[Claimed] = []
    with transaction(sessions) as s:
        candidates = s.execute(
            select(O.c.id, O.c.kind, O.c.channel, O.c.dedupe_key, O.c.payload, O.c.state,
                   O.c.attempts)
            .where(or_(due_pending, abandoned))
            .order_by(func.coalesce(O.c.next_attempt_at, O.c.created_at), O.c.id)
            .limit(limit)
        ).all()
        for c in candidates:
            result = s.execute(
                update(O)
                .where(O.c.id == c.id, O.c.state == c.state, O.c.attempts == c.attempts)
                .values(
                    state=OutboxState.SENDING.value, claimed_at=now, attempts=c.attempts + 1
                )
            )
            if result.rowcount == 1:  # type: ignore[attr-defined]
                out.append(
                    Claimed(
                        c.id, c.kind, c.channel, c.dedupe_key, dict(c.payload or {}),
                        c.attempts + 1, c.state == OutboxState.SENDING.value,
                    )
                )
    return out


def _record(sessions: sessionmaker[Session], c: Claimed, values: dict[str, Any]) -> bool:
    """Write the outcome if the row is still ours (same claim); False if another flusher
    took it over meanwhile."""
    with transaction(sessions) as s:
        result = s.execute(
            update(O)
            .where(
                O.c.id == c.id,
                O.c.state == OutboxState.SENDING.value,
                O.c.attempts == c.attempts,
            )
            .values(**values)
        )
        ours = bool(result.rowcount == 1)  # type: ignore[attr-defined]
    if not ours:
        log.warning("outbox row %s was taken over by another flusher", c.id)
    return ours


def _failure(
    settings: Settings, c: Claimed, exc: DeliveryError, now: datetime
) -> tuple[str, dict[str, Any]]:
    error = str(exc)[:2000]
    if exc.temporary and c.attempts < settings.mail.max_attempts:
        return "retrying", {
            "state": OutboxState.PENDING.value,
            "next_attempt_at": now + backoff(c.attempts),
            "last_error": error,
        }
    if exc.temporary:
        error = f"gave up after {c.attempts} attempts: {error}"
    return "failed", {
        "state": OutboxState.FAILED.value,
        "next_attempt_at": None,
        "last_error": error,
    }


# ---------------------------------------------------------------- one row


def _send(
    settings: Settings,
    sessions: sessionmaker[Session],
    transports: Transports,
    c: Claimed,
    now: datetime,
) -> tuple[str | None, str | None]:
    """Render and send; returns (Message-ID, note). Raises DeliveryError."""
    with sessions() as s:
        row = s.get(models.Outbox, c.id)
        if row is None:
            raise PermanentError("the row disappeared")
        try:
            notice = compose(settings, s, row, now)
        except DeliveryError:
            raise
        except Exception as exc:
            log.exception("rendering outbox row %s failed", c.id)
            raise TemporaryError(f"rendering failed: {type(exc).__name__}: {exc}") from None
    if c.channel == "email":
        message = build_email(settings, notice, c.id, c.dedupe_key, now)
        note = transports.email.send(message)
        return str(message["Message-ID"]), note
    transport = transports.chat.get(c.channel)
    if transport is None:
        raise PermanentError(f"unknown channel {c.channel!r}")
    robot = _robot(settings, c.channel, str(c.payload.get("robot", "")))
    if robot is None:
        raise PermanentError(f"the {c.channel} robot is no longer configured")
    transport.send(robot, notice.chat, name=f"{c.id:06d}-{c.kind}")
    return None, None


def _channel_key(c: Claimed) -> str:
    return c.channel if c.channel == "email" else f"{c.channel}:{c.payload.get('robot', '')}"


def flush_outbox(
    settings: Settings,
    sessions: sessionmaker[Session],
    now: datetime,
    *,
    transports: Transports | None = None,
    limit: int = 100,
    lease: timedelta = LEASE,
    budget_s: float = SEND_BUDGET_S,
) -> FlushResult:
    """One pass: write chat rows, claim due rows, send them, record every outcome."""
    transports = transports or Transports.from_settings(settings)
    expanded = expand_chat(settings, sessions, now)
    claimed = claim(sessions, now, limit, lease)
    counts = {"sent": 0, "retrying": 0, "failed": 0, "released": 0, "held": 0}
    down: dict[str, DeliveryError] = {}  # channels found unreachable in this flush
    started = time.monotonic()
    try:
        for c in claimed:
            if time.monotonic() - started > budget_s:
                # give it back untouched: attempts as before, due now
                if _record(sessions, c, {"state": OutboxState.PENDING.value,
                                         "attempts": c.attempts - 1}):
                    counts["released"] += 1
                continue
            if c.reclaimed and c.attempts > settings.mail.max_attempts:
                outcome = "failed"
                values: dict[str, Any] = {
                    "state": OutboxState.FAILED.value,
                    "next_attempt_at": None,
                    "last_error": f"interrupted while sending, {c.attempts - 1} attempts; "
                    "it may or may not have been delivered",
                }
            elif _channel_key(c) in down:
                reason = down[_channel_key(c)]
                not_tried = TemporaryError(f"not tried, channel unavailable: {reason}")
                outcome, values = _failure(settings, c, not_tried, now)
            else:
                try:
                    message_id, note = _send(settings, sessions, transports, c, now)
                except Held as exc:
                    outcome = "held"
                    values = {
                        "state": OutboxState.PENDING.value,
                        "attempts": c.attempts - 1,
                        "next_attempt_at": exc.until,
                        "last_error": str(exc),
                    }
                except DeliveryError as exc:
                    if exc.unavailable:
                        down[_channel_key(c)] = exc
                    outcome, values = _failure(settings, c, exc, now)
                    log.warning("outbox row %s (%s, %s): %s", c.id, c.kind, c.channel, exc)
                else:
                    outcome = "sent"
                    values = {
                        "state": OutboxState.SENT.value,
                        "sent_at": now,
                        "message_id": message_id,
                        "last_error": note,
                        "next_attempt_at": None,
                    }
            if _record(sessions, c, values):
                counts[outcome] += 1
    finally:
        transports.close()
    result = FlushResult(claimed=len(claimed), expanded=expanded, **counts)
    if result.found_work:
        log.info(
            "outbox: %d claimed, %d sent, %d to retry, %d failed, %d released, %d held, "
            "%d chat rows",
            result.claimed, result.sent, result.retrying, result.failed, result.released,
            result.held, result.expanded,
        )
    return result


# ---------------------------------------------------------------- for people


def retry(sessions: sessionmaker[Session], row_id: int, now: datetime) -> models.Outbox:
    """Put a failed (or waiting) row back in line, due now, with a fresh attempt count."""
    with transaction(sessions) as s:
        row = s.get(models.Outbox, row_id)
        if row is None:
            raise LookupError(f"no outbox row {row_id}")
        if row.state is OutboxState.SENT:
            raise ValueError(f"outbox row {row_id} was sent at {row.sent_at:%Y-%m-%d %H:%M} UTC")
        if row.state is OutboxState.SENDING:
            raise ValueError(f"outbox row {row_id} is being sent right now")
        row.state = OutboxState.PENDING
        row.attempts = 0
        row.next_attempt_at = now
        return row


def rows(
    session: Session, *, failed_only: bool = False, limit: int = 50
) -> list[models.Outbox]:
    stmt = select(models.Outbox).order_by(models.Outbox.id.desc()).limit(limit)
    if failed_only:
        stmt = stmt.where(models.Outbox.state == OutboxState.FAILED)
    return list(session.scalars(stmt))
