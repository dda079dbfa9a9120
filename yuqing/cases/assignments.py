"""Who holds an event: adding a unit (one function for the analysis and the dashboard),
routing, releasing a unit, reassigning, the ruling on a 退单."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.event_actions import EventAction, LogEntity
from response_sla import service
from response_sla.configured import SlaSetup
from response_sla.directory import Directory
from response_sla.routing import Routing, route
from storage import models
from storage.enums import AssignmentRole, AssignmentState, OutboxKind
from storage.outbox import notify
from yuqing.cases.errors import CaseError
from yuqing.cases.log import record

active_assignments = service.active_assignments


def manual_reasons(actor: str, reason: str) -> list[Any]:
    """The reasons of an assignment a person made."""
    return [{"rule": "manual", "by": actor, "reason": reason}]


def add_assignment(
    session: Session,
    event: models.Event,
    unit_id: str,
    role: AssignmentRole,
    now: datetime,
    *,
    actor: str,
    reasons: list[Any],
    confidence: float | None = None,
    cycle: int = 1,
    reason: str | None = None,
) -> models.Assignment:
    """A unit is given the case: the assignment row, its 交办 notice and its log row. The
    caller opens its clocks (``service.open_clocks``) once the lead unit is settled."""
    a = models.Assignment(
        event_id=event.id,
        unit_id=unit_id,
        role=role,
        state=AssignmentState.ASSIGNED,
        active=True,
        cycle=cycle,
        reasons=reasons,
        confidence=confidence,
        assigned_at=now,
    )
    session.add(a)
    session.flush()
    payload: dict[str, Any] = {"role": role.value}
    if reason:
        payload["reason"] = reason  # why the unit is given the case now (升级为重大)
    notify(session, OutboxKind.ASSIGNMENT, f"assignment:{a.id}", now, event_id=event.id,
           unit_id=unit_id, payload=payload)
    record(session, now, actor, EventAction.ASSIGNED, LogEntity.ASSIGNMENT, a.id,
           event_id=event.id, unit_id=unit_id, detail={"role": role.value}, reason=reason)
    return a


def apply_routing(
    session: Session, event: models.Event, decision: Routing, now: datetime, *, actor: str
) -> None:
    """The routing decision for a new event: its lead, co-units and coordinators, each once."""
    event.lead_unit_id = decision.lead
    event.routing_confidence = decision.confidence
    reasons: list[Any] = list(decision.reasons)  # already in the words a clerk reads
    roles = [(decision.lead, AssignmentRole.LEAD)]
    roles += [(u, AssignmentRole.CO) for u in decision.co_units]
    roles += [(u, AssignmentRole.COORDINATE) for u in decision.coordinate]
    seen: set[str] = set()
    for unit_id, role in roles:
        if unit_id in seen:
            continue
        seen.add(unit_id)
        add_assignment(session, event, unit_id, role, now, actor=actor, reasons=reasons,
                       confidence=decision.confidence)
    record(session, now, actor, EventAction.ROUTED, LogEntity.EVENT, event.id,
           event_id=event.id, unit_id=decision.lead, detail=decision.as_json())


def route_event(session: Session, event: models.Event, directory: Directory) -> Routing:
    """Who answers the event at its grade and type as they now stand, read from the post that
    opened it (the board's 处理部门 included)."""
    first = session.scalars(
        select(models.Post)
        .where(models.Post.event_id == event.id)
        .order_by(func.coalesce(models.Post.published_at, models.Post.first_seen_at),
                  models.Post.id)
        .limit(1)
    ).first()
    return route(
        directory,
        title=first.title if first is not None else event.title,
        content=first.content if first is not None else event.summary,
        topic=event.topic,
        severity=event.severity.value,
        board_unit=first.board_unit if first is not None else None,
        emergency_type=event.emergency_type,
    )


def follow_routing(
    session: Session,
    event: models.Event,
    decision: Routing,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reason: str,
) -> list[str]:
    """An event raised to a grade that routes otherwise (重大: the lead the emergency plan names,
    the government office and the 宣传部 coordinating) takes the units it lacks, as routing at
    that grade would have given them; the units it has keep their cases. A lead that is no
    longer the lead goes on as a co-unit and is told so; a unit that already held the event is
    not given it twice. Returns the units whose part changed."""
    held = {a.unit_id: a for a in active_assignments(session, event.id)}
    changed: list[str] = []
    reasons: list[Any] = [reason, *decision.reasons]
    if decision.lead != event.lead_unit_id:
        old = held.get(event.lead_unit_id or "")
        if old is not None and old.role is AssignmentRole.LEAD:
            _change_role(session, old, AssignmentRole.CO, now, actor=actor, reason=reason)
            changed.append(old.unit_id)
        new = held.get(decision.lead)
        if new is not None:
            if new.role is not AssignmentRole.LEAD:
                _change_role(session, new, AssignmentRole.LEAD, now, actor=actor, reason=reason)
        else:
            held[decision.lead] = add_assignment(
                session, event, decision.lead, AssignmentRole.LEAD, now, actor=actor,
                reasons=reasons, confidence=decision.confidence, reason=reason,
            )
        changed.append(decision.lead)
        event.lead_unit_id = decision.lead
    wanted = [(u, AssignmentRole.COORDINATE) for u in decision.coordinate]
    wanted += [(u, AssignmentRole.CO) for u in decision.co_units]
    for unit_id, role in wanted:
        if unit_id not in held:
            held[unit_id] = add_assignment(
                session, event, unit_id, role, now, actor=actor, reasons=reasons,
                confidence=decision.confidence, reason=reason,
            )
            changed.append(unit_id)
    if changed:
        record(session, now, actor, EventAction.ROUTED, LogEntity.EVENT, event.id,
               event_id=event.id, unit_id=event.lead_unit_id,
               detail={**decision.as_json(), "changed": changed}, reason=reason)
    event.updated_at = now
    service.open_clocks(session, event, now, engine, actor=actor, own_windows=True)
    return changed


def lead_before_upgrade(session: Session, event: models.Event) -> models.Assignment | None:
    """The active co-unit that led the event until an upgrade made another unit lead (its
    latest role change lead → co), if any."""
    rows = session.scalars(
        select(models.EventLog)
        .where(
            models.EventLog.event_id == event.id,
            models.EventLog.action == EventAction.ASSIGNMENT_ROLE_CHANGED.value,
        )
        .order_by(models.EventLog.at.desc(), models.EventLog.id.desc())
    )
    for row in rows:
        if row.detail.get("role_before") != AssignmentRole.LEAD.value:
            continue
        a = session.get(models.Assignment, row.entity_id) if row.entity_id else None
        if a is not None and a.active and a.role is AssignmentRole.CO:
            return a
        return None
    return None


def restore_lead(
    session: Session,
    event: models.Event,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reason: str,
) -> list[str]:
    """An event lowered below 重大 goes back to the lead it had before its upgrade: the
    emergency plan's unit goes on as a co-unit, the former lead leads again, both are told;
    the windows of the higher grade not yet met stop (``service.open_clocks``). Returns the
    units whose part changed; none when the event was not led otherwise before."""
    former = lead_before_upgrade(session, event)
    if former is None or former.unit_id == event.lead_unit_id:
        return []
    decision = Routing(
        lead=former.unit_id,
        co_units=(),
        coordinate=(),
        confidence=event.routing_confidence or 0.5,
        low_confidence=False,
        reasons=(f"{reason}：恢复升级前的牵头单位",),
    )
    return follow_routing(session, event, decision, now, engine, actor=actor, reason=reason)


def _change_role(
    session: Session,
    a: models.Assignment,
    role: AssignmentRole,
    now: datetime,
    *,
    actor: str,
    reason: str,
) -> None:
    """The unit keeps its case in another role (its 签收 window and answers stay); it is told
    what is now asked of it."""
    before = a.role
    a.role = role
    session.flush()
    notify(session, OutboxKind.ASSIGNMENT, f"assignment:{a.id}:role:{role.value}", now,
           event_id=a.event_id, unit_id=a.unit_id,
           payload={"role": role.value, "role_before": before.value, "reason": reason})
    record(session, now, actor, EventAction.ASSIGNMENT_ROLE_CHANGED, LogEntity.ASSIGNMENT, a.id,
           event_id=a.event_id, unit_id=a.unit_id,
           detail={"role": role.value, "role_before": before.value}, reason=reason)


def withdraw(
    session: Session,
    a: models.Assignment,
    to_unit: str | None,
    reason: str,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> None:
    """The unit stops holding the case: its own clocks stop; the event's clocks it held pass
    to ``to_unit`` with their deadlines unchanged (the engine records who held them when)."""
    service.release_assignment(
        session, a, now, engine, actor=actor, reason=reason or "改派", to_unit=to_unit
    )
    a.active = False
    a.state = AssignmentState.REASSIGNED
    a.released_at = now
    notify(session, OutboxKind.REASSIGNMENT, f"reassignment:{a.id}", now, event_id=a.event_id,
           unit_id=a.unit_id, payload={"from": a.unit_id, "to": to_unit})
    record(session, now, actor, EventAction.REASSIGNED, LogEntity.ASSIGNMENT, a.id,
           event_id=a.event_id, unit_id=a.unit_id, detail={"to": to_unit}, reason=reason or None)


def reassign(
    session: Session,
    event: models.Event,
    lead_unit: str,
    co_units: Sequence[str],
    reason: str,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> dict[str, Any]:
    """Set the lead (牵头) unit and the co-units (配合); the dispatcher's ruling is final.
    A new lead keeps the cycle of the one it replaces; a co-unit promoted to lead is released
    as co-unit first. Returns what changed."""
    co = [u for u in dict.fromkeys(co_units) if u and u != lead_unit]
    current = active_assignments(session, event.id)
    lead_now = [a for a in current if a.role is AssignmentRole.LEAD]
    co_now = {a.unit_id: a for a in current if a.role is AssignmentRole.CO}
    changed: dict[str, Any] = {}
    if not lead_now or lead_now[0].unit_id != lead_unit:
        for a in lead_now:
            withdraw(session, a, lead_unit, reason, now, engine, actor=actor)
        cycle = max((a.cycle for a in lead_now), default=1)
        if lead_unit in co_now:
            withdraw(session, co_now.pop(lead_unit), lead_unit, reason, now, engine, actor=actor)
        add_assignment(session, event, lead_unit, AssignmentRole.LEAD, now, actor=actor,
                       reasons=manual_reasons(actor, reason), cycle=cycle, reason=reason or None)
        changed["lead"] = {"from": lead_now[0].unit_id if lead_now else None, "to": lead_unit}
    removed = [u for u in co_now if u not in co]
    added = [u for u in co if u not in co_now]
    for u in removed:
        withdraw(session, co_now[u], None, reason, now, engine, actor=actor)
    for u in added:
        add_assignment(session, event, u, AssignmentRole.CO, now, actor=actor,
                       reasons=manual_reasons(actor, reason), reason=reason or None)
    if removed or added:
        changed["co"] = {"added": added, "removed": removed}
    if not changed:
        raise CaseError("分派没有变化")
    event.lead_unit_id = lead_unit
    event.updated_at = now
    service.open_clocks(session, event, now, engine, actor=actor, own_windows="lead" in changed)
    return changed


def rule_on_return(
    session: Session,
    a: models.Assignment,
    approve: bool,
    new_unit: str | None,
    reason: str,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> None:
    """退单裁定: approve (optionally naming who takes it instead) or refuse (the unit keeps it).
    The clocks keep running either way; on approval they pass to the new unit."""
    if a.state is not AssignmentState.RETURNED or not a.active:
        raise CaseError("该分派没有待裁定的退单")
    if approve and new_unit == a.unit_id:
        raise CaseError("请选择另一个有效单位")
    event = session.get(models.Event, a.event_id)
    assert event is not None
    if approve:
        lead = a.role is AssignmentRole.LEAD
        withdraw(session, a, new_unit if lead else None, reason, now, engine, actor=actor)
        if new_unit:
            add_assignment(session, event, new_unit, a.role, now, actor=actor,
                           reasons=manual_reasons(actor, reason), cycle=a.cycle,
                           reason=reason or None)
        if lead:
            event.lead_unit_id = new_unit or None
        service.open_clocks(session, event, now, engine, actor=actor, own_windows=lead)
    else:
        a.state = AssignmentState.ACKNOWLEDGED if a.acknowledged_at else AssignmentState.ASSIGNED
    decision = "approved" if approve else "refused"
    notify(session, OutboxKind.RETURN_DECISION, f"return_decision:{a.id}:{now.isoformat()}", now,
           event_id=a.event_id, unit_id=a.unit_id,
           payload={"decision": decision, "reason": reason, "new_deadline_at": None})
    action = EventAction.RETURN_APPROVED if approve else EventAction.RETURN_REFUSED
    record(session, now, actor, action, LogEntity.ASSIGNMENT, a.id, event_id=a.event_id,
           unit_id=a.unit_id, detail={"new_unit": new_unit} if approve else {},
           reason=reason or None)
    event.updated_at = now
