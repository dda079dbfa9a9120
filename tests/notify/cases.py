"""Cases for the notification tests, built from storage.models rows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import count
from typing import Any

from sqlalchemy.orm import Session

from storage import models
from storage.enums import AssignmentRole, DeadlineState, OutboxKind, Severity

PHONE = "13812345678"
ID_NUMBER = "522401199001011234"
TITLE = "鸭池镇某小区污水外溢无人处理"


_n = count(1)


def source(session: Session, source_id: str = "board") -> None:
    if session.get(models.Source, source_id) is None:
        session.add(
            models.Source(
                id=source_id,
                name="七星关区政府网站 领导信箱",
                spider="gov_board",
                url="http://www.bijie.gov.cn/hdjl/",
            )
        )
        session.flush()


def event(
    session: Session,
    title: str,
    started_at: datetime,
    severity: Severity = Severity.GENERAL,
    **kw: Any,
) -> models.Event:
    ev = models.Event(
        title=title,
        started_at=started_at,
        first_seen_at=started_at,
        updated_at=started_at,
        severity=severity,
        **kw,
    )
    session.add(ev)
    session.flush()
    return ev


def post(
    session: Session, ev: models.Event, title: str, content: str, url: str, at: datetime
) -> models.Post:
    source(session)
    n = next(_n)
    p = models.Post(
        source_id="board",
        external_id=f"p{n}",
        url=url,
        title=title,
        content=content,
        author="网友张三",
        published_at=at,
        first_seen_at=at,
        last_seen_at=at,
        content_hash=f"h{n}",
        board_type="投诉/求助",
        event_id=ev.id,
    )
    session.add(p)
    ev.post_count += 1
    session.flush()
    return p


def assignment(
    session: Session,
    ev: models.Event,
    unit_id: str,
    at: datetime,
    role: AssignmentRole = AssignmentRole.LEAD,
    reasons: list[Any] | None = None,
) -> models.Assignment:
    a = models.Assignment(
        event_id=ev.id, unit_id=unit_id, role=role, assigned_at=at, reasons=reasons or []
    )
    session.add(a)
    if role is AssignmentRole.LEAD:
        ev.lead_unit_id = unit_id
    session.flush()
    return a


def deadline(
    session: Session,
    ev: models.Event,
    kind: str,
    starts_at: datetime,
    hours: float,
    *,
    unit_id: str | None = None,
    assignment: models.Assignment | None = None,
    state: DeadlineState = DeadlineState.OPEN,
) -> models.Deadline:
    end = starts_at + timedelta(hours=hours)
    d = models.Deadline(
        event_id=ev.id,
        assignment_id=assignment.id if assignment else None,
        unit_id=unit_id or (assignment.unit_id if assignment else None),
        kind=kind,
        state=state,
        starts_at=starts_at,
        deadline_at=end,
        original_deadline_at=end,
        due_at=end,
    )
    session.add(d)
    session.flush()
    return d


@dataclass(frozen=True)
class Case:
    event_id: int
    assignment_id: int
    acknowledge_id: int
    respond_id: int
    post_urls: tuple[str, ...]


def case(
    session: Session,
    now: datetime,
    *,
    unit: str = "zjj",
    title: str = TITLE,
    severity: Severity = Severity.GENERAL,
) -> Case:
    ev = event(
        session,
        title,
        now - timedelta(hours=6),
        severity,
        topic="城乡建设",
        handling="投诉/求助",
        summary=f"多名居民反映小区污水外溢一周无人处理，有人留下电话{PHONE}。",
    )
    p1 = post(
        session,
        ev,
        f"小区门口污水横流，业主电话{PHONE}",
        f"我是业主，身份证号{ID_NUMBER}，污水已经流了一个星期，没有人来处理。",
        "http://www.bijie.gov.cn/hdjl/ldxx/123.html",
        now - timedelta(hours=6),
    )
    p2 = post(
        session,
        ev,
        "污水外溢影响出行",
        "路面全是污水，老人小孩出门都难。",
        "javascript:alert(1)",  # hostile: must not become a link
        now - timedelta(hours=5),
    )
    a = assignment(
        session,
        ev,
        unit,
        now - timedelta(hours=1),
        reasons=[
            {"rule": "keyword", "matched": ["污水"]},
            {"rule": "place", "matched": "鸭池镇"},
        ],
    )
    ack = deadline(session, ev, "acknowledge", now - timedelta(hours=1), 2, assignment=a)
    resp = deadline(session, ev, "respond", ev.started_at, 48, unit_id=unit)
    return Case(ev.id, a.id, ack.id, resp.id, (p1.url, p2.url))


def outbox(
    session: Session,
    kind: OutboxKind,
    key: str,
    now: datetime,
    *,
    event_id: int | None = None,
    unit_id: str | None = None,
    deadline_id: int | None = None,
    payload: dict[str, Any] | None = None,
    recipients: list[str] | None = None,
    cc: list[str] | None = None,
) -> models.Outbox:
    row = models.Outbox(
        created_at=now,
        kind=kind.value,
        dedupe_key=key,
        event_id=event_id,
        unit_id=unit_id,
        deadline_id=deadline_id,
        recipients=recipients or [],
        cc=cc or [],
        payload=payload or {},
        next_attempt_at=now,
    )
    session.add(row)
    session.flush()
    return row


def reminder_right_after_assignment(
    session: Session, now: datetime, key: str, *, unit: str = "jtj"
) -> tuple[Case, models.Outbox]:
    """A case assigned to ``unit`` 20 seconds before ``now`` and a 临期提醒 of its 签收
    window queued at ``now``."""
    c = case(session, now, unit=unit)
    a = session.get(models.Assignment, c.assignment_id)
    assert a is not None
    a.assigned_at = now - timedelta(seconds=20)
    row = outbox(session, OutboxKind.WARNING, key, now, event_id=c.event_id, unit_id=unit,
                 deadline_id=c.acknowledge_id, recipients=[f"unit:{unit}"],
                 payload={"fraction": 0.5})
    return c, row
