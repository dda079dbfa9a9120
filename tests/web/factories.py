"""Small builders for dashboard test data: events, posts, deadlines, assignments, users.

``clocks`` opens an event's deadlines through the SLA engine with the default policy, as the
pipeline does; ``deadline`` writes one row by hand, for pages that only read deadlines."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from response_sla import service
from response_sla.calendar import WorkCalendar
from response_sla.configured import SlaSetup
from response_sla.policy import load_policy
from response_sla.store import refresh_next_deadline
from storage import models
from storage.enums import (
    AssignmentRole,
    AssignmentState,
    DeadlineState,
    EventState,
    Role,
    Severity,
)
from yuqing.search_index import index_post
from yuqing.web.security import hash_password

PASSWORD = "correct horse battery"
_ids = count(1)
_hash_cache: dict[str, str] = {}


def source(session: Session, source_id: str = "board", **kw: Any) -> models.Source:
    existing = session.get(models.Source, source_id)
    if existing is not None:
        return existing
    values: dict[str, Any] = dict(
        name=f"测试留言板 {source_id}", spider="gov_board", url=f"http://127.0.0.1/{source_id}/"
    )
    values.update(kw)
    src = models.Source(id=source_id, **values)
    session.add(src)
    session.flush()
    return src


def event(
    session: Session,
    title: str = "某小区污水外溢无人处理",
    *,
    severity: Severity = Severity.ROUTINE,
    started_at: datetime,
    heat: float = 1.0,
    state: EventState = EventState.OPEN,
    topic: str | None = "城乡建设",
    lead: str | None = None,
    next_deadline_at: datetime | None = None,
    **kw: Any,
) -> models.Event:
    ev = models.Event(
        title=title,
        summary=kw.pop("summary", ""),
        started_at=started_at,
        first_seen_at=kw.pop("first_seen_at", started_at),
        updated_at=started_at,
        state=state,
        topic=topic,
        severity=severity,
        heat=heat,
        post_count=0,
        lead_unit_id=lead,
        next_deadline_at=next_deadline_at,
        **kw,
    )
    session.add(ev)
    session.flush()
    return ev


def post(
    session: Session,
    ev: models.Event | None,
    *,
    title: str = "小区门口污水横流",
    content: str = "已经一个星期了，没有人来处理。",
    author: str | None = "网友",
    url: str | None = None,
    published_at: datetime | None = None,
    source_id: str = "board",
    **kw: Any,
) -> models.Post:
    source(session, source_id)
    n = next(_ids)
    seen = published_at or (ev.started_at if ev else datetime.now(UTC))
    p = models.Post(
        source_id=source_id,
        external_id=f"p{n}",
        url=url if url is not None else f"http://127.0.0.1/{source_id}/thread-{n}.html",
        title=title,
        content=content,
        author=author,
        published_at=published_at,
        first_seen_at=seen,
        last_seen_at=seen,
        content_hash=f"h{n}",
        event_id=ev.id if ev else None,
        **kw,
    )
    session.add(p)
    session.flush()
    if ev is not None:
        ev.post_count += 1
    index_post(session, p)
    return p


_engine: list[SlaSetup] = []


def engine() -> SlaSetup:
    """The default policy with the library calendar, closing at 24:00."""
    if not _engine:
        _engine.append(SlaSetup(load_policy(), WorkCalendar(), None))
    return _engine[0]


def clocks(session: Session, ev: models.Event, now: datetime) -> list[models.Deadline]:
    """The deadlines the default policy gives the event and its current assignments."""
    session.flush()
    service.open_clocks(session, ev, now, engine())
    session.expire(ev, ["next_deadline_at"])
    return list(
        session.scalars(
            select(models.Deadline)
            .where(models.Deadline.event_id == ev.id)
            .order_by(models.Deadline.id)
        )
    )


def deadline(
    session: Session,
    ev: models.Event,
    kind: str = "respond",
    *,
    hours: float = 48,
    starts_at: datetime | None = None,
    unit_id: str | None = None,
    assignment: models.Assignment | None = None,
    state: DeadlineState = DeadlineState.OPEN,
    met_at: datetime | None = None,
    extended_by: timedelta = timedelta(0),
) -> models.Deadline:
    start = starts_at or ev.started_at
    end = start + timedelta(hours=hours)
    d = models.Deadline(
        event_id=ev.id,
        assignment_id=assignment.id if assignment else None,
        unit_id=unit_id or (assignment.unit_id if assignment else None),
        kind=kind,
        state=state,
        starts_at=start,
        original_deadline_at=end,
        deadline_at=end + extended_by,
        due_at=None if state in (DeadlineState.MET, DeadlineState.CANCELLED) else end,
        met_at=met_at,
    )
    session.add(d)
    session.flush()
    refresh_next_deadline(session, [ev.id])
    session.expire(ev, ["next_deadline_at"])
    return d


def assignment(
    session: Session,
    ev: models.Event,
    unit_id: str,
    *,
    role: AssignmentRole = AssignmentRole.LEAD,
    state: AssignmentState = AssignmentState.ASSIGNED,
    assigned_at: datetime | None = None,
    reasons: list[Any] | None = None,
    **kw: Any,
) -> models.Assignment:
    a = models.Assignment(
        event_id=ev.id,
        unit_id=unit_id,
        role=role,
        state=state,
        active=kw.pop("active", True),
        reasons=reasons if reasons is not None else [{"rule": "place", "matched": "测试"}],
        confidence=kw.pop("confidence", 0.8),
        assigned_at=assigned_at or ev.started_at,
        **kw,
    )
    session.add(a)
    if role is AssignmentRole.LEAD:
        ev.lead_unit_id = unit_id
    session.flush()
    return a


def user(
    session: Session,
    username: str,
    role: Role,
    unit_id: str | None = None,
    password: str = PASSWORD,
) -> models.User:
    if password not in _hash_cache:  # argon2 is slow on purpose; tests reuse one hash
        _hash_cache[password] = hash_password(password)
    u = models.User(
        username=username,
        display_name=username,
        password_hash=_hash_cache[password],
        role=role,
        unit_id=unit_id,
        active=True,
        created_at=datetime.now(UTC),
    )
    session.add(u)
    session.flush()
    return u


def classification(
    session: Session,
    ev: models.Event,
    kind: str,
    label: str,
    *,
    score: float = 0.7,
    evidence: dict[str, Any] | None = None,
    at: datetime,
) -> models.Classification:
    c = models.Classification(
        event_id=ev.id,
        kind=kind,
        label=label,
        score=score,
        model_version="test-1",
        evidence=evidence or {},
        needs_review=True,
        created_at=at,
    )
    session.add(c)
    session.flush()
    return c
