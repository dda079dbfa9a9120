"""Merging two events into one, and splitting posts off into a new event."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.event_actions import EventAction, LogEntity
from response_sla import service
from response_sla.configured import SlaSetup
from storage import models
from storage.enums import AssignmentRole, AssignmentState, EventState, OutboxKind, Severity
from storage.outbox import notify
from yuqing.cases import verification
from yuqing.cases.assignments import active_assignments, add_assignment, manual_reasons
from yuqing.cases.errors import CaseError
from yuqing.cases.events import DROPPED, recount, stop
from yuqing.cases.labels import regrade
from yuqing.cases.log import record


@dataclass
class Merged:
    """What a merge moved: posts, and the merged-away event's assignments."""

    posts: list[int] = field(default_factory=list)
    moved: list[int] = field(default_factory=list)  # now on the surviving event, same ids
    folded: list[int] = field(default_factory=list)  # released into the unit's case there


def merge_events(
    session: Session,
    event: models.Event,
    target: models.Event,
    reason: str,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> Merged:
    """Fold ``event`` into ``target``: its posts and its units move, ``event`` is closed as
    merged and its own clocks stop. The target takes the graver grade of the two, and its
    windows count from the earliest post of both.

    Each unit that held ``event`` keeps its case (see ``_carry``): its assignment moves to the
    target with its id, its own windows and its answers, and its signed links go on opening
    it. Windows of ``event`` as a whole (回应, 办结, …) are cancelled: the target's own windows
    for the same matter run on, and the target opens any it now owes (a lead it gained). Into
    a target already judged not relevant no unit is carried: the units are released with
    ``event``."""
    if event.id == target.id:
        raise CaseError("不能合并到自身")
    if target.state is EventState.MERGED or event.state is EventState.MERGED:
        raise CaseError("已合并的事件不能再合并")
    posts = list(session.scalars(select(models.Post).where(models.Post.event_id == event.id)))
    moved = [p.id for p in posts]
    for p in posts:
        p.event_id = target.id
    session.flush()
    old_start = target.started_at
    recount(session, target)
    target.heat = max(target.heat, event.heat)
    target.updated_at = now
    event.state = EventState.MERGED
    event.merged_into_id = target.id
    event.post_count = 0
    event.updated_at = now
    merged = Merged(posts=moved)
    carry = target.state not in DROPPED
    if carry:
        _carry(session, event, target, merged, now, engine, actor=actor)
    stop(session, event, f"merged into event {target.id}", now, engine, actor=actor)
    if target.started_at != old_start:
        session.flush()
        service.restart_windows(
            session, target, now, engine, actor=actor, reason=f"merged from event {event.id}"
        )
    if carry and event.severity.rank > target.severity.rank:
        _take_grade(session, event, target, now, engine, actor=actor)
    if carry:
        service.open_clocks(session, target, now, engine, actor=actor)
        # a 待核实 question of the merged-away event is the surviving event's now
        verification.carry(session, event, target, now, actor=actor)
    note = reason or None
    record(session, now, actor, EventAction.MERGED, LogEntity.EVENT, event.id, event_id=event.id,
           detail={"into": target.id, "posts": moved, "assignments": merged.moved},
           reason=note)
    record(session, now, actor, EventAction.MERGED_FROM, LogEntity.EVENT, target.id,
           event_id=target.id,
           detail={"from": event.id, "posts": moved, "assignments": merged.moved}, reason=note)
    return merged


def _take_grade(
    session: Session,
    event: models.Event,
    target: models.Event,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> None:
    """The surviving event is as grave as the graver of the two: a 重大 merged into an
    ordinary event must not lose its 5 h / 24 h windows with the event it came from."""
    if target.severity is Severity.ROUTINE:
        target.handling = None  # an emergency has no handling type (建言 / 咨询 / 投诉)
    target.emergency_type = target.emergency_type or event.emergency_type
    regrade(session, target, event.severity, now, engine, actor=actor,
            reason=f"并入的事件 {event.id} 为{event.severity.value}")


def _carry(
    session: Session,
    event: models.Event,
    target: models.Event,
    merged: Merged,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> None:
    """The units of the merged-away ``event`` go on with the case on ``target``.

    A unit new to the target: its assignment moves over with its id (its signed link keeps
    working), its own windows (签收) with their deadlines and history, and its state and
    answers; it is told that its case now belongs to the target. The target's lead stays the
    lead: a lead coming over becomes a co-unit, unless the target had no lead.

    A unit that already holds the target: it keeps the target's assignment, and is not told
    twice about a case it holds. The other one is released; its own open windows are
    cancelled with the merged-away event, so the unit is not counted twice for one matter —
    one that was already overdue stays on record as late. A unit that had signed for the
    merged-away case has signed for the matter: the sign-off carries over to the kept
    assignment (closing its 签收 window, dated when the unit signed, or when the kept
    assignment was made if that is later). A 退单 or 延期 request pending on the released
    assignment lapses; the unit asks again on the one it keeps."""
    held = {a.unit_id: a for a in active_assignments(session, target.id)}
    has_lead = any(a.role is AssignmentRole.LEAD for a in held.values())
    why = f"事件 {event.id} 并入事件 {target.id}"
    for a in active_assignments(session, event.id):
        kept = held.get(a.unit_id)
        if kept is not None:
            _fold(session, a, kept, event, target, now, engine, actor=actor, lead=not has_lead)
            merged.folded.append(a.id)
            if not has_lead and kept.role is AssignmentRole.LEAD:
                has_lead, target.lead_unit_id = True, kept.unit_id
            continue
        role = a.role
        if role is AssignmentRole.LEAD and has_lead:
            role = AssignmentRole.CO
        elif role is AssignmentRole.LEAD:
            has_lead, target.lead_unit_id = True, a.unit_id
        before = a.role
        a.event_id, a.role = target.id, role
        a.reasons = [*a.reasons, f"{why}，本单位的案件随之转入"]
        session.flush()
        clocks = service.move_assignment_clocks(
            session, a, event.id, now, engine, actor=actor, reason=why
        )
        held[a.unit_id] = a
        merged.moved.append(a.id)
        notify(session, OutboxKind.ASSIGNMENT, f"assignment:{a.id}:event:{target.id}", now,
               event_id=target.id, unit_id=a.unit_id,
               payload={"role": role.value, "merged_from": event.id})
        record(session, now, actor, EventAction.ASSIGNMENT_MOVED, LogEntity.ASSIGNMENT, a.id,
               event_id=target.id, unit_id=a.unit_id,
               detail={"from_event": event.id, "role": role.value, "role_before": before.value,
                       "deadlines": clocks},
               reason=why)


def _fold(
    session: Session,
    a: models.Assignment,
    kept: models.Assignment,
    event: models.Event,
    target: models.Event,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    lead: bool,
) -> None:
    """Release ``a`` into ``kept``, the same unit's assignment on ``target`` (see ``_carry``).
    ``lead``: the target has no lead yet, and the merged-away event's lead takes it."""
    a.active = False
    a.released_at = now
    signed = False
    if a.acknowledged_at is not None and kept.acknowledged_at is None:
        at = min(now, max(a.acknowledged_at, kept.assigned_at))
        if service.acknowledge(session, kept, now, engine, actor, at=at):
            kept.acknowledged_at = at
            if kept.state is AssignmentState.ASSIGNED:
                kept.state = AssignmentState.ACKNOWLEDGED
            signed = True
    promoted = lead and a.role is AssignmentRole.LEAD and kept.role is not AssignmentRole.LEAD
    if promoted:
        kept.role = AssignmentRole.LEAD
    record(session, now, actor, EventAction.ASSIGNMENT_MERGED, LogEntity.ASSIGNMENT, a.id,
           event_id=event.id, unit_id=a.unit_id,
           detail={"into_event": target.id, "into_assignment": kept.id, "signed_for": signed,
                   "lead": promoted},
           reason=f"事件 {event.id} 并入事件 {target.id}，本单位在该事件的交办继续")


def split_event(
    session: Session,
    event: models.Event,
    post_ids: Sequence[int],
    title: str,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> models.Event:
    """Move some posts into a new event with the same labels; its windows count from its own
    earliest post and it is routed to the same lead unit until someone says otherwise."""
    posts = list(
        session.scalars(
            select(models.Post).where(
                models.Post.event_id == event.id, models.Post.id.in_(post_ids)
            )
        )
    )
    remaining = session.scalar(
        select(func.count()).select_from(models.Post).where(models.Post.event_id == event.id)
    )
    if not posts:
        raise CaseError("请选择要拆分出去的帖子")
    if len(posts) >= (remaining or 0):
        raise CaseError("至少要留一条帖子在原事件中")
    website_error = service.is_website_error(session, event.id, engine)
    new = models.Event(
        title=title or posts[0].title or event.title,
        summary="",
        started_at=min((p.published_at or p.first_seen_at) for p in posts),
        first_seen_at=min(p.first_seen_at for p in posts),
        updated_at=now,
        state=EventState.OPEN,
        topic=event.topic,
        severity=event.severity,
        emergency_type=event.emergency_type,
        handling=event.handling,
        heat=0.0,
        post_count=len(posts),
        lead_unit_id=event.lead_unit_id,
    )
    session.add(new)
    session.flush()
    for p in posts:
        p.event_id = new.id
    session.flush()
    old_start = event.started_at
    recount(session, event)
    event.updated_at = now
    if event.lead_unit_id:
        why = f"拆分自事件 {event.id}"
        add_assignment(session, new, event.lead_unit_id, AssignmentRole.LEAD, now, actor=actor,
                       reasons=manual_reasons(actor, why), reason=why)
    session.flush()
    service.open_clocks(session, new, now, engine, website_error=website_error, actor=actor)
    if event.started_at != old_start:
        session.flush()
        service.restart_windows(
            session, event, now, engine, actor=actor, reason=f"split into event {new.id}"
        )
    moved = [p.id for p in posts]
    record(session, now, actor, EventAction.SPLIT, LogEntity.EVENT, event.id, event_id=event.id,
           detail={"new_event": new.id, "posts": moved})
    record(session, now, actor, EventAction.SPLIT_FROM, LogEntity.EVENT, new.id,
           event_id=new.id, detail={"from": event.id, "posts": moved})
    return new
