"""Writing notification rows. Every writer (the SLA engine, the analysis stage, the dashboard's
actions, source health, the crawler, the digest) goes through here, so a notification with a
given ``dedupe_key`` is written once, even when two processes race to write it.

A row names who it is for by role (``Recipient``), never by address: the sender resolves roles
from the configuration when it sends (``yuqing.notify.recipients``), so a new duty officer or
分管领导 receives what is still waiting, and a writer needs no directory.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage import models
from storage.enums import OutboxKind

OUTBOX = cast(Table, models.Outbox.__table__)


class Recipient(StrEnum):
    """The roles an outbox row's ``recipients`` and ``cc`` name; ``unit``, ``leader`` and
    ``robot`` make the tokens that name one unit's mailboxes, its 分管领导, a chat robot."""

    DUTY = "duty"  # the 宣传部 / 网信办 duty contacts
    LEADERSHIP = "leadership"  # the digest's readers
    PROPAGANDA = "propaganda"  # the 宣传部 unit
    GOVERNMENT_OFFICE = "government_office"  # the 政府办公室 unit

    @staticmethod
    def unit(unit_id: str) -> str:
        return f"unit:{unit_id}"

    @staticmethod
    def leader(unit_id: str) -> str:
        return f"leader:{unit_id}"

    @staticmethod
    def robot(robot_id: str) -> str:
        return f"robot:{robot_id}"


def write_outbox(session: Session, rows: Sequence[Mapping[str, Any]]) -> int:
    """Insert, skipping any row whose dedupe_key exists; returns how many were written. Rows of
    one call have the same keys."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedupe_key"])
    elif dialect == "sqlite":
        stmt = sqlite.insert(OUTBOX).on_conflict_do_nothing(index_elements=["dedupe_key"])
    else:  # pragma: no cover - the two supported databases are handled above
        stmt = insert(OUTBOX)
    # RETURNING counts what was really written (executemany's rowcount is unreliable)
    return len(session.execute(stmt.returning(OUTBOX.c.id), list(rows)).all())


def notify(
    session: Session,
    kind: OutboxKind,
    key: str,
    now: datetime,
    *,
    event_id: int | None = None,
    unit_id: str | None = None,
    payload: Mapping[str, Any] | None = None,
    recipients: Sequence[str] = (),
) -> bool:
    """One notification, due now, unless one with ``key`` exists: True when written.
    ``recipients``: roles (``Recipient``) for notifications that go to people rather than to
    a unit; none means the kind's default roles."""
    row = {
        "created_at": now,
        "kind": kind.value,
        "dedupe_key": key,
        "event_id": event_id,
        "unit_id": unit_id,
        "payload": dict(payload or {}),
        "recipients": [str(r) for r in recipients],
        "cc": [],
        "next_attempt_at": now,
    }
    return write_outbox(session, [row]) == 1
