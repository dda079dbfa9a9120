"""Writing the event log. Every writer (the case service, the SLA engine, the dashboard's
actions, the analysis stage) goes through ``write_log`` with typed actions, so a reader that
matches on ``EventAction`` members sees every row its writer meant.

Rows are inserted at once (not at the session's next flush), in the order given: the timeline
reads in id order, and an action's rows come in the order the change happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from domain.event_actions import EventAction, LogEntity
from storage import models

LOG = cast(Table, models.EventLog.__table__)


@dataclass(frozen=True)
class LogEntry:
    """One row: who did what to which entity, when and why."""

    at: datetime
    actor: str  # "system", "tick", "user:3", "unit:jyj"
    action: EventAction
    entity: LogEntity
    entity_id: int | None
    event_id: int | None
    unit_id: str | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
    reason: str | None = None

    def values(self) -> dict[str, Any]:
        return {
            "at": self.at,
            "actor": self.actor,
            "event_id": self.event_id,
            "entity": self.entity.value,
            "entity_id": self.entity_id,
            "action": self.action.value,
            "unit_id": self.unit_id,
            "detail": dict(self.detail),
            "reason": self.reason,
        }


def write_log(session: Session, entries: Iterable[LogEntry]) -> list[int]:
    """Insert the entries in the caller's transaction; returns their ids, in order."""
    rows = [e.values() for e in entries]
    if not rows:
        return []
    stmt = insert(LOG).returning(LOG.c.id, sort_by_parameter_order=True)
    return [int(i) for i in session.execute(stmt, rows).scalars()]
