"""What the duty officer records against an event's clocks: a milestone with its evidence, the
ruling on a 延期 request, a 重办."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.event_actions import EventAction, LogEntity
from response_sla import service
from response_sla.configured import SlaSetup
from response_sla.evidence import Evidence
from response_sla.store import StoredClock
from storage import models
from storage.enums import AssignmentState, OutboxKind
from storage.outbox import notify
from yuqing.cases.assignments import active_assignments
from yuqing.cases.errors import CaseError
from yuqing.cases.events import DROPPED
from yuqing.cases.log import record

# Milestones a duty officer records with evidence (seed 001 (七)4); names as the SLA policy's.
MILESTONES = {
    "publish": "发布权威信息",
    "press": "召开新闻发布会",
    "respond": "予以回应",
    "resolve": "办结",
}
_EXTENSION_LOG = (
    EventAction.EXTENSION_REQUESTED,
    EventAction.EXTENSION_APPROVED,
    EventAction.EXTENSION_REFUSED,
)


def record_milestone(
    session: Session,
    event: models.Event,
    evidence: Evidence,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> list[int]:
    """A milestone with its evidence closes the windows it satisfies (on time if the evidence
    is dated by the deadline); returns their ids. The evidence is logged whether or not a
    window was still open for it (e.g. a follow-up publication); the engine logs each window
    it closed."""
    if evidence.milestone not in MILESTONES:
        raise CaseError(f"未知的节点: {evidence.milestone}")
    session.flush()
    closed = service.record_milestone(session, event.id, evidence, now, engine)
    record(session, now, actor, EventAction.MILESTONE, LogEntity.EVENT, event.id,
           event_id=event.id,
           detail={"kind": evidence.milestone, "at": evidence.at.isoformat(), "url": evidence.url,
                   "deadlines": closed},
           reason=evidence.text or None)
    event.updated_at = now
    return closed


def pending_extensions(session: Session, event_id: int) -> list[models.EventLog]:
    """Extension requests not yet ruled on (the engine logs requests and rulings)."""
    rows = session.scalars(
        select(models.EventLog)
        .where(
            models.EventLog.event_id == event_id,
            models.EventLog.action.in_([a.value for a in _EXTENSION_LOG]),
        )
        .order_by(models.EventLog.at, models.EventLog.id)
    ).all()
    open_: dict[int, models.EventLog] = {}
    for r in rows:
        if r.action == EventAction.EXTENSION_REQUESTED:
            open_[r.id] = r
        else:
            open_.pop(int(r.detail.get("request_id", -1)), None)
    return list(open_.values())


def rule_on_extension(
    session: Session,
    event: models.Event,
    request_id: int,
    approve: bool,
    reason: str,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> StoredClock:
    """延期裁定. Approval moves the deadline; the original stays visible. The engine logs the
    ruling and writes the notice to the unit."""
    if not any(r.id == request_id for r in pending_extensions(session, event.id)):
        raise CaseError("没有这条待裁定的延期申请")
    session.flush()
    after = service.decide_extension(
        session, request_id, approve, now, engine, actor=actor, reason=reason
    )
    event.updated_at = now
    return after


def reopen(
    session: Session, event: models.Event, reason: str, now: datetime, engine: SlaSetup, *,
    actor: str,
) -> list[int]:
    """重办 when the response is rejected: a new cycle of every reopenable window, counted
    from now; the units sign for it again (a unit whose 退单 awaits a ruling is left to it).
    The old cycle stays as history. Returns the ids of the windows opened."""
    if event.state in DROPPED:
        raise CaseError("该事件已不在处置中")
    if not reason:
        raise CaseError("请说明重办理由")
    session.flush()
    opened = service.reopen_event(session, event, now, engine, actor=actor, reason=reason)
    for a in active_assignments(session, event.id):
        if a.state is AssignmentState.RETURNED:
            continue
        a.cycle += 1
        a.state = AssignmentState.ASSIGNED
        notify(session, OutboxKind.ASSIGNMENT, f"assignment:{a.id}:cycle:{a.cycle}", now,
               event_id=event.id, unit_id=a.unit_id,
               payload={"role": a.role.value, "reopened": True, "cycle": a.cycle})
        record(session, now, actor, EventAction.ASSIGNMENT_REOPENED, LogEntity.ASSIGNMENT, a.id,
               event_id=event.id, unit_id=a.unit_id, detail={"cycle": a.cycle}, reason=reason)
    event.updated_at = now
    return opened
