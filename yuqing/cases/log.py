"""The case service's rows in the event log, through the one writer (``storage.event_log``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from domain.event_actions import EventAction, LogEntity
from storage.event_log import LogEntry, write_log

SYSTEM = "system"  # the analysis stage's actor


def record(
    session: Session,
    now: datetime,
    actor: str,
    action: EventAction,
    entity: LogEntity,
    entity_id: int | None,
    *,
    event_id: int | None,
    unit_id: str | None = None,
    detail: Mapping[str, Any] | None = None,
    reason: str | None = None,
) -> int:
    """One row; returns its id."""
    entry = LogEntry(
        at=now,
        actor=actor,
        action=action,
        entity=entity,
        entity_id=entity_id,
        event_id=event_id,
        unit_id=unit_id,
        detail=dict(detail or {}),
        reason=reason,
    )
    (row_id,) = write_log(session, [entry])
    return row_id
