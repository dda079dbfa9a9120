"""The duty officer's queue: open events by severity rank, then nearest deadline, then heat.

Read as one short segment per severity (with a deadline, nearest first; then without, hottest
first), each an index range scan on ``ix_events_queue`` (state, severity, next_deadline_at)
that stops as soon as the page is full — no sort over every open event.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, select
from sqlalchemy.orm import Session

from response_sla.store import E
from storage.enums import EventState, Severity

SEVERITY_RANK = (
    Severity.EXTRAORDINARY,
    Severity.MAJOR,
    Severity.LARGE,
    Severity.GENERAL,
    Severity.ROUTINE,
)


def urgent_events(session: Session, limit: int = 100) -> list[Row[Any]]:
    out: list[Row[Any]] = []
    cols = (E.c.id, E.c.title, E.c.severity, E.c.next_deadline_at, E.c.heat, E.c.lead_unit_id)
    for severity in SEVERITY_RANK:
        for with_deadline in (True, False):
            need = limit - len(out)
            if need <= 0:
                return out
            stmt = select(*cols).where(
                E.c.state == EventState.OPEN.value, E.c.severity == severity.value
            )
            if with_deadline:
                stmt = stmt.where(E.c.next_deadline_at.is_not(None)).order_by(
                    E.c.next_deadline_at, E.c.heat.desc(), E.c.id
                )
            else:
                stmt = stmt.where(E.c.next_deadline_at.is_(None)).order_by(E.c.heat.desc(), E.c.id)
            out.extend(session.execute(stmt.limit(need)).all())
    return out
