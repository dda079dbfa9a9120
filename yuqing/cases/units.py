"""A responsible unit's own steps on its assignment: 签收, its response (and 办结), a 延期
request, a 退单."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from domain.event_actions import EventAction, LogEntity
from response_sla import service
from response_sla.configured import SlaSetup
from storage import models
from storage.enums import AssignmentState
from yuqing.cases.clocks import pending_extensions
from yuqing.cases.errors import CaseError
from yuqing.cases.log import record

# What a unit's response may report (办结 is its own checkbox).
UNIT_MILESTONES = ("respond", "publish", "press")
_ANSWERABLE = (AssignmentState.ASSIGNED, AssignmentState.ACKNOWLEDGED, AssignmentState.RESPONDED)


def acknowledge(
    session: Session, a: models.Assignment, now: datetime, engine: SlaSetup, *, actor: str
) -> None:
    if a.state is not AssignmentState.ASSIGNED:
        raise CaseError("该案件已签收")
    a.state = AssignmentState.ACKNOWLEDGED
    a.acknowledged_at = now
    session.flush()
    service.acknowledge(session, a, now, engine, actor)
    record(session, now, actor, EventAction.ACKNOWLEDGED, LogEntity.ASSIGNMENT, a.id,
           event_id=a.event_id, unit_id=a.unit_id)


def respond(
    session: Session,
    a: models.Assignment,
    text: str,
    url: str | None,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    milestone: str = "respond",
    resolved: bool = False,
) -> list[int]:
    """The unit's response (text and/or the URL of what it published) as the milestone it
    is — a response, the 权威信息 published, the 发布会 held; ``resolved`` reports the case
    办结 as well. Returns the ids of the windows it closed."""
    if milestone not in UNIT_MILESTONES:
        raise CaseError(f"未知的节点: {milestone}")
    if a.state not in _ANSWERABLE:
        raise CaseError("该案件当前不能提交回应")
    if not text and not url:
        raise CaseError("请填写回应内容或链接")
    session.flush()
    closed: list[int] = []
    for m in (milestone, "resolve") if resolved else (milestone,):
        closed += service.record_response(
            session, a, now, engine, actor, text=text, url=url or "", milestone=m
        )
    if a.acknowledged_at is None:  # responding implies having received it
        a.acknowledged_at = now
    a.state = AssignmentState.CLOSED if resolved else AssignmentState.RESPONDED
    a.responded_at = now
    a.response_text = text or None
    a.response_url = url
    record(session, now, actor, EventAction.RESOLVED if resolved else EventAction.RESPONDED,
           LogEntity.ASSIGNMENT, a.id, event_id=a.event_id, unit_id=a.unit_id,
           detail={"milestone": milestone, "url": url, "deadlines": closed},
           reason=text[:500] or None)
    return closed


def held_deadline(
    session: Session, a: models.Assignment, deadline_id: int
) -> models.Deadline | None:
    """A deadline the assignment's unit holds: its own, or one of the event's it leads."""
    d = session.get(models.Deadline, deadline_id)
    if d is None or d.event_id != a.event_id:
        return None
    if d.assignment_id == a.id or (d.assignment_id is None and d.unit_id == a.unit_id):
        return d
    return None


def request_extension(
    session: Session,
    a: models.Assignment,
    deadline_id: int,
    until: datetime,
    reason: str,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> tuple[models.Deadline, int]:
    """延期申请: before the deadline, with a reason, within the policy's cap; the duty officer
    rules on it. Returns the deadline and the request's id (its event_log row, written by the
    engine)."""
    deadline = held_deadline(session, a, deadline_id)
    if deadline is None:
        raise CaseError("时限不存在")
    if not reason:
        raise CaseError("请说明延期理由")
    if any(r.entity_id == deadline.id for r in pending_extensions(session, a.event_id)):
        raise CaseError("已有待裁定的延期申请")
    session.flush()
    request_id = service.request_extension(
        session, deadline.id, until, now, engine, actor=actor, reason=reason
    )
    return deadline, request_id


def return_case(
    session: Session,
    a: models.Assignment,
    reason: str,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> None:
    """退单 with a reason, within the policy's limit; the clock does not stop while it
    bounces. The engine logs the request; the duty officer rules on it."""
    if a.state not in (AssignmentState.ASSIGNED, AssignmentState.ACKNOWLEDGED):
        raise CaseError("该案件当前不能退单")
    if not reason:
        raise CaseError("请说明退单理由")
    session.flush()
    service.return_case(session, a, now, engine, actor=actor, reason=reason)
    a.state = AssignmentState.RETURNED
    a.returned_at = now
    a.return_reason = reason
