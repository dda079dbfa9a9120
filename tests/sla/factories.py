"""Rows the SLA service tests need: units, events, assignments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from storage import models
from storage.enums import AssignmentRole, Severity


def units(session: Session, *ids: str) -> None:
    for uid in ids:
        if session.get(models.Unit, uid) is None:
            session.add(models.Unit(id=uid, name=f"单位{uid}", kind="区直部门", emails=[]))
    session.flush()


def event(
    session: Session, started_at: datetime, severity: Severity = Severity.GENERAL, **kw: object
) -> models.Event:
    e = models.Event(
        title=str(kw.pop("title", "某小区噪音扰民")),
        started_at=started_at,
        first_seen_at=started_at,
        updated_at=started_at,
        severity=severity,
        **kw,
    )
    session.add(e)
    session.flush()
    return e


def assign(
    session: Session,
    e: models.Event,
    unit_id: str,
    at: datetime,
    role: AssignmentRole = AssignmentRole.LEAD,
) -> models.Assignment:
    units(session, unit_id)
    a = models.Assignment(event_id=e.id, unit_id=unit_id, role=role, assigned_at=at)
    session.add(a)
    if role is AssignmentRole.LEAD:
        e.lead_unit_id = unit_id
    session.flush()
    return a
