"""Writing notification rows. Every writer (the SLA engine, the analysis stage, the dashboard's
actions, source health, the crawler, the digest) goes through here, so a notification with a
given ``dedupe_key`` is written once, even when two processes race to write it."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from storage import models
from storage.enums import OutboxKind

OUTBOX = cast(Table, models.Outbox.__table__)


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
    ``recipients``: addresses for notifications that go to people rather than to a unit."""
    row = {
        "created_at": now,
        "kind": kind.value,
        "dedupe_key": key,
        "event_id": event_id,
        "unit_id": unit_id,
        "payload": dict(payload or {}),
        "recipients": list(recipients),
        "cc": [],
        "next_attempt_at": now,
    }
    return write_outbox(session, [row]) == 1
