"""An event as a whole: following merges, its counts, dropping it, notes on it."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.event_actions import EventAction, LogEntity
from response_sla import service
from response_sla.configured import SlaSetup
from storage import models
from storage.enums import EventState, ReviewStatus
from yuqing.cases.errors import CaseError
from yuqing.cases.labels import HUMAN_MODEL
from yuqing.cases.log import record

# states in which an event no longer takes part in the process
DROPPED = (EventState.NOT_RELEVANT, EventState.MERGED)


def current_event(session: Session, event_id: Any) -> models.Event | None:
    """The event ``event_id`` is now, following merges (an old link, a post's old event)."""
    event = session.get(models.Event, event_id)
    seen = set()
    while event is not None and event.merged_into_id is not None and event.id not in seen:
        seen.add(event.id)
        event = session.get(models.Event, event.merged_into_id)
    return event


def aware(value: Any) -> datetime:
    """UTCDateTime is not applied to an aggregate (min over coalesce): normalise here."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def recount(session: Session, event: models.Event) -> None:
    """Post count and first public appearance after posts moved in or out."""
    count, first = session.execute(
        select(
            func.count(models.Post.id),
            func.min(func.coalesce(models.Post.published_at, models.Post.first_seen_at)),
        ).where(models.Post.event_id == event.id)
    ).one()
    event.post_count = int(count or 0)
    if first is not None:
        event.started_at = aware(first)


def stop(
    session: Session, event: models.Event, why: str, now: datetime, engine: SlaSetup, *, actor: str
) -> None:
    """The event leaves the process (not relevant, merged away): every clock stops and no unit
    holds it any more."""
    session.flush()
    service.cancel_event_clocks(session, event.id, now, engine, actor=actor, reason=why)
    for a in service.active_assignments(session, event.id):
        a.active = False
        a.released_at = now


def mark_not_relevant(
    session: Session,
    event: models.Event,
    note: str,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reviewer: int | None,
) -> None:
    """不相关: the event leaves the process; the judgement is kept as a human label."""
    if event.state in DROPPED:
        raise CaseError("该事件已不在处置中")
    old = event.state
    event.state = EventState.NOT_RELEVANT
    event.updated_at = now
    session.add(
        models.Classification(
            event_id=event.id,
            kind="relevance",
            label="not_relevant",
            model_version=HUMAN_MODEL,
            evidence={"note": note},
            status=ReviewStatus.CORRECTED,
            reviewed_by=reviewer,
            reviewed_at=now,
            created_at=now,
        )
    )
    stop(session, event, "not_relevant", now, engine, actor=actor)
    record(
        session,
        now,
        actor,
        EventAction.MARKED_NOT_RELEVANT,
        LogEntity.EVENT,
        event.id,
        event_id=event.id,
        detail={"from": old.value},
        reason=note or None,
    )


def add_note(
    session: Session, event: models.Event, text: str, now: datetime, *, actor: str
) -> None:
    if not text:
        raise CaseError("备注不能为空")
    record(session, now, actor, EventAction.NOTE, LogEntity.EVENT, event.id, event_id=event.id,
           reason=text)
