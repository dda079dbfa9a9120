"""Merging two events into one, and splitting posts off into a new event."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.event_actions import EventAction, LogEntity
from response_sla import service
from response_sla.configured import SlaSetup
from storage import models
from storage.enums import AssignmentRole, EventState
from yuqing.cases.assignments import add_assignment, manual_reasons
from yuqing.cases.errors import CaseError
from yuqing.cases.events import recount, stop
from yuqing.cases.log import record


def merge_events(
    session: Session,
    event: models.Event,
    target: models.Event,
    reason: str,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
) -> list[int]:
    """Fold ``event`` into ``target``: posts move, ``event`` is closed as merged and its clocks
    stop. The target's windows count from the earliest post of both. Returns the ids of the
    posts moved."""
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
    stop(session, event, f"merged into event {target.id}", now, engine, actor=actor)
    if target.started_at != old_start:
        session.flush()
        service.restart_windows(
            session, target, now, engine, actor=actor, reason=f"merged from event {event.id}"
        )
    note = reason or None
    record(session, now, actor, EventAction.MERGED, LogEntity.EVENT, event.id, event_id=event.id,
           detail={"into": target.id, "posts": moved}, reason=note)
    record(session, now, actor, EventAction.MERGED_FROM, LogEntity.EVENT, target.id,
           event_id=target.id, detail={"from": event.id, "posts": moved}, reason=note)
    return moved


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
