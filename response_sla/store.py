"""Clocks in the database: ``deadlines`` rows ⇄ ``Clock`` values, compare-and-set saves, and
the log and outbox rows that go with every change.

A row's ``evidence`` column holds the clock's history as JSON: ``closure`` (the evidence that
closed it), ``holds`` (which unit held the case when), ``extensions`` and ``cancelled``. Keys
written by others are kept.

Outbox rows for the SLA (see ``storage.enums.OutboxKind``): ``recipients`` is
``["unit:<id>"]`` (``["duty"]`` when no unit holds the case, or when the window is the duty
office's: a statutory window beside the lead's own, see ``office_windows``); ``cc`` lists the other roles the
policy notifies at that level: ``leader:<unit id>`` (the unit's 分管领导), ``duty``,
``propaganda`` (宣传部), ``government_office`` (政府办公室). ``dedupe_key`` names the deadline,
its cycle, the deadline moment (an extension starts a fresh series) and the level, fraction or
reminder count, so each notification is written exactly once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Row, Table, bindparam, func, insert, select, tuple_, update
from sqlalchemy.orm import Session

from domain.event_actions import LogEntity
from response_sla.charging import charged_to_unit
from response_sla.clock import (
    OPEN_STATES,
    Breach,
    Clock,
    DeadlineWarning,
    Effect,
    Extension,
    Hold,
    Reminder,
    Transition,
)
from response_sla.policy import Policy
from storage import models
from storage.enums import DeadlineState, OutboxKind
from storage.event_log import LogEntry

D = cast(Table, models.Deadline.__table__)
E = cast(Table, models.Event.__table__)
OUTBOX = cast(Table, models.Outbox.__table__)


class ConcurrentChange(RuntimeError):
    """The row changed since it was read; reload and try again."""


@dataclass(frozen=True)
class StoredClock:
    id: int
    event_id: int
    assignment_id: int | None
    version: int
    clock: Clock
    extra: Mapping[str, Any]  # evidence keys this module does not own


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


_OWN_KEYS = ("closure", "holds", "extensions", "cancelled")


def from_row(row: Row[Any] | Any) -> StoredClock:
    ev: Mapping[str, Any] = row.evidence or {}
    holds = tuple(
        Hold(
            h.get("unit_id"),
            datetime.fromisoformat(h["since"]),
            _dt(h.get("until")),
            h.get("reason"),
        )
        for h in ev.get("holds", [])
    )
    extensions = tuple(
        Extension(
            datetime.fromisoformat(x["requested_at"]),
            x["requested_by"],
            datetime.fromisoformat(x["decided_at"]),
            x["decided_by"],
            datetime.fromisoformat(x["old_deadline_at"]),
            datetime.fromisoformat(x["new_deadline_at"]),
            x.get("reason", ""),
        )
        for x in ev.get("extensions", [])
    )
    clock = Clock(
        kind=row.kind,
        starts_at=row.starts_at,
        deadline_at=row.deadline_at,
        original_deadline_at=row.original_deadline_at,
        state=DeadlineState(row.state),
        cycle=row.cycle,
        warnings_sent=row.warnings_sent,
        escalation_level=row.escalation_level,
        reminders_sent=row.reminders_sent,
        due_at=row.due_at,
        met_at=row.met_at,
        provisional=row.provisional,
        unit_id=row.unit_id,
        holds=holds,
        extensions=extensions,
        closure=ev.get("closure"),
        cancelled=ev.get("cancelled"),
        clock=row.clock,
    )
    extra = {k: v for k, v in ev.items() if k not in _OWN_KEYS}
    return StoredClock(row.id, row.event_id, row.assignment_id, row.version, clock, extra)


def evidence_json(clock: Clock, extra: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = dict(extra)
    if clock.closure is not None:
        data["closure"] = dict(clock.closure)
    if clock.holds:
        data["holds"] = [
            {
                "unit_id": h.unit_id,
                "since": h.since.isoformat(),
                "until": _iso(h.until),
                "reason": h.reason,
            }
            for h in clock.holds
        ]
    if clock.extensions:
        data["extensions"] = [
            {
                "requested_at": x.requested_at.isoformat(),
                "requested_by": x.requested_by,
                "decided_at": x.decided_at.isoformat(),
                "decided_by": x.decided_by,
                "old_deadline_at": x.old_deadline_at.isoformat(),
                "new_deadline_at": x.new_deadline_at.isoformat(),
                "reason": x.reason,
            }
            for x in clock.extensions
        ]
    if clock.cancelled is not None:
        data["cancelled"] = dict(clock.cancelled)
    return data


def values(clock: Clock, extra: Mapping[str, Any]) -> dict[str, Any]:
    """The columns a clock owns."""
    return {
        "kind": clock.kind,
        "cycle": clock.cycle,
        "state": clock.state,
        "starts_at": clock.starts_at,
        "deadline_at": clock.deadline_at,
        "original_deadline_at": clock.original_deadline_at,
        "provisional": clock.provisional,
        "due_at": clock.due_at,
        "warnings_sent": clock.warnings_sent,
        "escalation_level": clock.escalation_level,
        "reminders_sent": clock.reminders_sent,
        "met_at": clock.met_at,
        "unit_id": clock.unit_id,
        "evidence": evidence_json(clock, extra),
        "clock": clock.clock,
    }


def load(conn: Session, *conditions: Any, lock: bool = False) -> list[StoredClock]:
    stmt = select(D).where(*conditions).order_by(D.c.id)
    if lock and conn.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return [from_row(r) for r in conn.execute(stmt)]


_COLUMNS = (
    "kind",
    "cycle",
    "state",
    "starts_at",
    "deadline_at",
    "original_deadline_at",
    "provisional",
    "due_at",
    "warnings_sent",
    "escalation_level",
    "reminders_sent",
    "met_at",
    "unit_id",
    "evidence",
    "clock",
)


@cache
def _cas_update() -> Any:
    """One statement, built once: every value a bound parameter, so executing it many times
    (or as one executemany) costs no statement building."""
    params: dict[str, Any] = {c: bindparam(f"b_{c}", type_=D.c[c].type) for c in _COLUMNS}
    params["version"] = bindparam("b_new_version")
    return (
        update(D)
        .where(D.c.id == bindparam("b_id"), D.c.version == bindparam("b_version"))
        .values(params)
    )


def cas_params(stored: StoredClock, clock: Clock, *, claimed: bool = False) -> dict[str, Any]:
    """Parameters of the compare-and-set UPDATE. A claimed row already carries its new
    version: one move of a clock is one version step."""
    expected = stored.version + 1 if claimed else stored.version
    params = {f"b_{k}": v for k, v in values(clock, stored.extra).items()}
    params |= {"b_id": stored.id, "b_version": expected, "b_new_version": stored.version + 1}
    return params


def save(conn: Session, stored: StoredClock, clock: Clock) -> None:
    """Compare-and-set: write only if nobody changed the row since it was read."""
    result = conn.execute(_cas_update(), cas_params(stored, clock))
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentChange(f"deadline {stored.id} changed meanwhile")


def move(conn: Session, stored: StoredClock, event_id: int) -> StoredClock:
    """Compare-and-set the row over to another event (the clock itself is unchanged)."""
    result = conn.execute(
        update(D)
        .where(D.c.id == stored.id, D.c.version == stored.version)
        .values(event_id=event_id, version=stored.version + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise ConcurrentChange(f"deadline {stored.id} changed meanwhile")
    return StoredClock(
        stored.id, event_id, stored.assignment_id, stored.version + 1, stored.clock, stored.extra
    )


def claim(conn: Session, batch: Sequence[StoredClock]) -> set[int]:
    """Take many rows at once: bump the version of each row still at the version read; the
    ids returned are the rows this transaction now owns (another worker's later CAS fails)."""
    if not batch:
        return set()
    stmt = (
        update(D)
        .where(tuple_(D.c.id, D.c.version).in_([(s.id, s.version) for s in batch]))
        .values(version=D.c.version + 1)
        .returning(D.c.id)
    )
    return set(conn.execute(stmt).scalars())


def save_claimed(conn: Session, pairs: Sequence[tuple[StoredClock, Clock]]) -> None:
    """Write clocks whose rows ``claim`` took (their version is one above the one read)."""
    if pairs:
        conn.execute(_cas_update(), [cas_params(s, c, claimed=True) for s, c in pairs])


def create(
    conn: Session,
    event_id: int,
    clock: Clock,
    assignment_id: int | None = None,
) -> StoredClock:
    new_id = conn.execute(
        insert(D)
        .values(event_id=event_id, assignment_id=assignment_id, version=0, **values(clock, {}))
        .returning(D.c.id)
    ).scalar_one()
    return StoredClock(int(new_id), event_id, assignment_id, 0, clock, {})


def log_rows(
    stored: StoredClock, transitions: Sequence[Transition], unit_id: str | None = None
) -> list[LogEntry]:
    """The log entries of a clock's transitions (entity ``deadline``)."""
    return [
        LogEntry(
            at=t.at,
            actor=t.actor,
            action=t.action,
            entity=LogEntity.DEADLINE,
            entity_id=stored.id,
            event_id=stored.event_id,
            unit_id=unit_id if unit_id is not None else stored.clock.unit_id,
            detail={"kind": stored.clock.kind, "cycle": stored.clock.cycle, **t.detail},
            reason=t.reason,
        )
        for t in transitions
    ]


def entity_log_rows(
    event_id: int,
    entity: LogEntity,
    entity_id: int,
    transitions: Sequence[Transition],
    unit_id: str | None = None,
) -> list[LogEntry]:
    """The log entries of transitions about an event or an assignment rather than a clock
    (a regrade, a 退单 request, the event's state following its clocks)."""
    return [
        LogEntry(
            at=t.at,
            actor=t.actor,
            action=t.action,
            entity=entity,
            entity_id=entity_id,
            event_id=event_id,
            unit_id=unit_id,
            detail=dict(t.detail),
            reason=t.reason,
        )
        for t in transitions
    ]


def _cc(notify: Sequence[str], unit_id: str | None) -> list[str]:
    out: list[str] = []
    for role in notify:
        if role == "unit":
            continue
        if role == "leader":
            if unit_id is not None:
                out.append(f"leader:{unit_id}")
        else:
            out.append(role)
    return out


def office_windows(conn: Session, stored: Sequence[StoredClock], policy: Policy) -> set[int]:
    """The statutory windows (``charged = "office"``) whose notices go to the duty office
    rather than to the unit holding them: those of an event whose lead has a window of its own
    for the same milestone — a lead given the event at an upgrade answers for its own 5 h, and
    the statutory 5 h from the first post stays the office's duty."""
    statutory = {
        s.id: (s.event_id, k.met_by)
        for s in stored
        if s.assignment_id is None
        and (k := policy.kinds.get(s.clock.kind)) is not None
        and not charged_to_unit(k)
    }
    if not statutory:
        return set()
    rows = conn.execute(
        select(D.c.event_id, D.c.kind).where(
            D.c.event_id.in_({e for e, _ in statutory.values()}),
            D.c.assignment_id.is_not(None),
            D.c.state != DeadlineState.CANCELLED,
        )
    ).all()
    own: dict[int, set[str]] = {}
    for event_id, kind in rows:
        k = policy.kinds.get(kind)
        if k is not None and k.severities is not None and k.roles is not None:
            own.setdefault(event_id, set()).update(k.met_by)
    return {i for i, (e, met_by) in statutory.items() if met_by & own.get(e, set())}


def outbox_rows(
    stored: StoredClock,
    clock: Clock,
    effects: Sequence[Effect],
    now: datetime,
    *,
    to_office: bool = False,
) -> list[dict[str, Any]]:
    """The notices of ``effects``. ``to_office``: the window is the duty office's (see
    ``office_windows``), so its notices go to the duty office and not to the unit holding it
    or that unit's 分管领导."""
    unit = None if to_office else clock.unit_id
    stamp = clock.deadline_at.astimezone(UTC).strftime("%Y%m%dT%H%M%S")
    base = f"{stored.id}:{clock.cycle}:{stamp}"
    common = {
        "created_at": now,
        "channel": "email",
        "event_id": stored.event_id,
        "unit_id": unit,
        "deadline_id": stored.id,
        "recipients": [f"unit:{unit}"] if unit else ["duty"],
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": now,
    }
    rows: list[dict[str, Any]] = []
    for e in effects:
        payload: dict[str, Any] = {"kind": clock.kind, "deadline_at": e.deadline_at.isoformat()}
        if isinstance(e, DeadlineWarning):
            kind, key, cc = OutboxKind.WARNING, f"{e.fraction:g}", []
            payload["fraction"] = e.fraction
        elif isinstance(e, Breach):
            kind, key, cc = OutboxKind.BREACH, str(e.level), _cc(e.notify, unit)
            payload |= {"level": e.level, "notify": list(e.notify)}
        else:
            assert isinstance(e, Reminder)
            kind, key, cc = OutboxKind.REMINDER, str(e.count), _cc(e.notify, unit)
            payload |= {"count": e.count, "level": e.level, "notify": list(e.notify)}
        rows.append(
            {
                **common,
                "kind": kind.value,
                "dedupe_key": f"{kind.value}:{base}:{key}",
                "cc": cc,
                "payload": payload,
            }
        )
    return rows


def refresh_next_deadline(conn: Session, event_ids: Sequence[int]) -> None:
    """``events.next_deadline_at``: the nearest end among the event's open windows."""
    nearest = (
        select(func.min(D.c.deadline_at))
        .where(D.c.event_id == E.c.id, D.c.state.in_([s.value for s in OPEN_STATES]))
        .scalar_subquery()
    )
    for event_id in sorted(set(event_ids)):
        conn.execute(update(E).where(E.c.id == event_id).values(next_deadline_at=nearest))
