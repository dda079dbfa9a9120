"""A fixed data set around ISO week 2026-W47 (Mon 16 – Sun 22 November 2026, Asia/Shanghai).

Built row by row, as the SLA engine and the dashboard would have left them, including changes
made *after* the week ended (a response recorded late with an earlier evidence time, an
extension approved, a regrade that opened a window, an event marked not relevant, a topic
corrected): none of those may change the figures of W47. The expected figures are worked
out by hand in the comments and asserted in the tests.

Events (``ids`` keys):
- e0  W46 老旧小区加装电梯, 区住建局: response window breached 12 Nov, escalated to level 3 on
      Mon 16 Nov (in W47), still open.
- e1  城南小区污水外溢 (title carries a phone number), 区住建局: signed and answered on time;
      办结 window running, extended in W47. A duplicate event e6 was merged into it in W47.
- e2  食堂饭菜变质, first routed to 区应急局 (returned, 退单), then 区教育局: 签收 3 h late,
      response 36 h late (escalated to level 2).
- e3  主干道路面塌陷 (重大), 区交通局 with 公安分局: 发布权威信息 on time, 新闻发布会 never held
      (58 h overdue at the end of the week, level 3).
- e4  低保评定, 区民政局: answered on time; 办结 due Wed 25 Nov as of the week's end (extended
      after it); regraded to 重大 after the week, which opened a 发布权威信息 window in the past.
- e5  网传爆炸谣言, 区环保局: not signed by the end of the week (13 h overdue); response dated
      Sun 22 Nov 15:00 but recorded Tue 24 Nov: still running as of the week's end.
- e6  duplicate of e1, merged into it on Wed 18 Nov.
- e7  商场促销 (its title is a spreadsheet formula), not assigned; topic corrected and marked not
      relevant after the week.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from itertools import count
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from domain.settings import Settings
from storage import models
from storage.enums import AssignmentRole, AssignmentState, DeadlineState, EventState, Severity
from yuqing.bootstrap import sync_directory

SH = ZoneInfo("Asia/Shanghai")
WEEK = "2026-W47"
_n = count(1)


def L(day: int, hour: int = 0, minute: int = 0, month: int = 11) -> datetime:
    """A local (Asia/Shanghai) time in November 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=SH)


END = L(23)  # the end of W47: "as of" moment of its digest


def event(
    s: Session,
    title: str,
    topic: str | None,
    severity: Severity,
    seen: datetime,
    *,
    state: EventState = EventState.OPEN,
    lead: str | None = None,
) -> models.Event:
    ev = models.Event(
        title=title,
        started_at=seen,
        first_seen_at=seen,
        updated_at=seen,
        state=state,
        topic=topic,
        severity=severity,
        lead_unit_id=lead,
    )
    s.add(ev)
    s.flush()
    return ev


def post(s: Session, ev: models.Event | None, seen: datetime, kind: str | None) -> models.Post:
    n = next(_n)
    p = models.Post(
        source_id="board",
        external_id=f"x{n}",
        url=f"http://127.0.0.1/board/thread-{n}.html",
        title=f"帖子 {n}",
        content="……",
        published_at=seen,
        first_seen_at=seen,
        last_seen_at=seen,
        content_hash=f"h{n}",
        board_type=kind,
        event_id=ev.id if ev else None,
    )
    s.add(p)
    s.flush()
    if ev is not None:
        ev.post_count += 1
    return p


def assign(
    s: Session,
    ev: models.Event,
    unit: str,
    at: datetime,
    *,
    role: AssignmentRole = AssignmentRole.LEAD,
    acked: datetime | None = None,
    released: datetime | None = None,
) -> models.Assignment:
    a = models.Assignment(
        event_id=ev.id,
        unit_id=unit,
        role=role,
        state=AssignmentState.ACKNOWLEDGED if acked else AssignmentState.ASSIGNED,
        active=released is None,
        assigned_at=at,
        acknowledged_at=acked,
        released_at=released,
    )
    s.add(a)
    s.flush()
    log(s, at, ev.id, "assignment", a.id, "assigned", unit, {"role": role.value})
    if role is AssignmentRole.LEAD and released is None:
        ev.lead_unit_id = unit
    return a


def clock(
    s: Session,
    ev: models.Event,
    kind: str,
    start: datetime,
    due: datetime,
    *,
    unit: str | None = None,
    assignment: models.Assignment | None = None,
    state: DeadlineState = DeadlineState.OPEN,
    met_at: datetime | None = None,
    deadline_now: datetime | None = None,
    holds: Sequence[tuple[str, datetime, datetime | None]] | None = None,
) -> models.Deadline:
    held = holds if holds is not None else ([(unit, start, None)] if unit else [])
    d = models.Deadline(
        event_id=ev.id,
        assignment_id=assignment.id if assignment else None,
        unit_id=unit,
        kind=kind,
        state=state,
        starts_at=start,
        deadline_at=deadline_now or due,
        original_deadline_at=due,
        met_at=met_at,
        evidence={
            "holds": [
                {
                    "unit_id": u,
                    "since": since.isoformat(),
                    "until": until.isoformat() if until else None,
                    "reason": None,
                }
                for u, since, until in held
            ]
        },
    )
    s.add(d)
    s.flush()
    return d


def log(
    s: Session,
    at: datetime,
    event_id: int,
    entity: str,
    entity_id: int | None,
    action: str,
    unit: str | None = None,
    detail: dict[str, Any] | None = None,
) -> models.EventLog:
    row = models.EventLog(
        at=at,
        actor="tick" if action in ("breached", "escalated") else "user:1",
        event_id=event_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        unit_id=unit,
        detail=detail or {},
    )
    s.add(row)
    s.flush()
    return row


def closed(s: Session, d: models.Deadline, at: datetime, recorded: datetime | None = None) -> None:
    """Close a window on evidence dated ``at``, recorded at ``recorded`` (default: ``at``)."""
    on_time = at <= d.deadline_at
    d.state = DeadlineState.MET if on_time else DeadlineState.CLOSED_LATE
    d.met_at = at
    d.due_at = None
    log(
        s,
        recorded or at,
        d.event_id,
        "deadline",
        d.id,
        "met" if on_time else "closed_late",
        d.unit_id,
        {"kind": d.kind, "at": at.isoformat(), "deadline_at": d.deadline_at.isoformat()},
    )


def breach(s: Session, d: models.Deadline, *levels: tuple[int, datetime]) -> None:
    if d.state is DeadlineState.OPEN:
        d.state = DeadlineState.BREACHED
    for level, at in levels:
        d.escalation_level = level
        log(
            s,
            at,
            d.event_id,
            "deadline",
            d.id,
            "breached" if level == 1 else "escalated",
            d.unit_id,
            {"kind": d.kind, "level": level, "deadline_at": d.deadline_at.isoformat()},
        )


def extend(s: Session, d: models.Deadline, at: datetime, to: datetime, unit: str) -> None:
    log(
        s,
        at,
        d.event_id,
        "deadline",
        d.id,
        "extension_approved",
        unit,
        {"from": d.deadline_at.isoformat(), "to": to.isoformat()},
    )
    d.deadline_at = to


def build(s: Session, settings: Settings) -> dict[str, Any]:
    sync_directory(s, settings)
    s.add(models.Source(id="board", name="测试留言板", spider="gov_board", url="http://127.0.0.1/"))
    s.flush()
    ids: dict[str, Any] = {}

    # e0: previous week, breached, escalated to level 3 inside W47
    e0 = event(s, "老旧小区加装电梯进展缓慢", "城乡建设", Severity.GENERAL, L(10, 9))
    post(s, e0, L(10, 9), "建言")
    a0 = assign(s, e0, "zjj", L(10, 10), acked=L(10, 10, 30))
    c = clock(s, e0, "acknowledge", L(10, 10), L(10, 12), unit="zjj", assignment=a0)
    closed(s, c, L(10, 10, 30))
    c0r = clock(s, e0, "respond", L(10, 9), L(12, 9), unit="zjj")
    breach(s, c0r, (1, L(12, 9, 1)), (2, L(13, 9, 1)), (3, L(16, 9, 1)))

    # e1: on time; 办结 running and extended inside the week; severity stays 一般
    e1 = event(s, "城南小区污水外溢 联系电话13812345678", "城乡建设", Severity.GENERAL, L(16, 9))
    post(s, e1, L(16, 9), "投诉/求助")
    post(s, e1, L(16, 15), "投诉/求助")
    a1 = assign(s, e1, "zjj", L(16, 10), acked=L(16, 11))
    c = clock(s, e1, "acknowledge", L(16, 10), L(16, 12), unit="zjj", assignment=a1)
    closed(s, c, L(16, 11))
    c = clock(s, e1, "respond", L(16, 9), L(18, 9), unit="zjj")
    closed(s, c, L(17, 9))
    c1c = clock(s, e1, "resolve", L(16, 10), L(7, month=12), unit="zjj")
    extend(s, c1c, L(20, 10), L(14, month=12), "zjj")

    # e6: a duplicate of e1, merged into it on Wednesday (its post moves to e1)
    e6 = event(
        s,
        "城南小区污水问题（重复）",
        "城乡建设",
        Severity.GENERAL,
        L(18, 10),
        state=EventState.MERGED,
    )
    p6 = post(s, e6, L(18, 10), "投诉/求助")
    p6.event_id, e6.merged_into_id = e1.id, e1.id
    log(s, L(18, 12), e6.id, "event", e6.id, "merged", None, {"into": e1.id, "posts": [p6.id]})
    log(s, L(18, 12), e1.id, "event", e1.id, "merged_from", None, {"from": e6.id, "posts": [p6.id]})

    # e2: routed to 区应急局 first (退单), then 区教育局: 签收 and response late
    e2 = event(s, "某中学食堂饭菜变质", "教育文体", Severity.LARGE, L(17, 8))
    post(s, e2, L(17, 8), "投诉/求助")
    post(s, e2, L(17, 10), "咨询")
    post(s, e2, L(18, 9), "咨询")
    a2y = assign(s, e2, "yjj", L(17, 8, 30), released=L(17, 9))
    log(s, L(17, 8, 50), e2.id, "assignment", a2y.id, "returned", "yjj")
    c = clock(s, e2, "acknowledge", L(17, 8, 30), L(17, 10, 30), unit="yjj", assignment=a2y)
    c.state = DeadlineState.CANCELLED
    log(s, L(17, 9), e2.id, "deadline", c.id, "cancelled", "yjj", {"kind": "acknowledge"})
    a2j = assign(s, e2, "jyj", L(17, 9), acked=L(17, 14))
    c2a = clock(s, e2, "acknowledge", L(17, 9), L(17, 11), unit="jyj", assignment=a2j)
    breach(s, c2a, (1, L(17, 11, 1)))
    closed(s, c2a, L(17, 14))
    c2r = clock(
        s,
        e2,
        "respond",
        L(17, 8),
        L(19, 8),
        unit="jyj",
        holds=[("yjj", L(17, 8), L(17, 9)), ("jyj", L(17, 9), L(20, 20))],
    )
    breach(s, c2r, (1, L(19, 8, 1)), (2, L(20, 8, 1)))
    closed(s, c2r, L(20, 20))

    # e3: 重大: 发布权威信息 on time, 新闻发布会 never held
    e3 = event(s, "主干道路面塌陷致多车受损", "交通运输", Severity.MAJOR, L(19, 14))
    for minute in (0, 10, 20, 30):
        post(s, e3, L(19, 14, minute), None)
    a3 = assign(s, e3, "jtj", L(19, 14, 30), acked=L(19, 15))
    c = clock(s, e3, "acknowledge", L(19, 14, 30), L(19, 16, 30), unit="jtj", assignment=a3)
    closed(s, c, L(19, 15))
    a3g = assign(s, e3, "gaj", L(19, 15), role=AssignmentRole.CO, acked=L(19, 16))
    c = clock(s, e3, "acknowledge", L(19, 15), L(19, 17), unit="gaj", assignment=a3g)
    closed(s, c, L(19, 16))
    holds = [("jtj", L(19, 14, 30), None)]
    c = clock(s, e3, "publish_info", L(19, 14), L(19, 19), unit="jtj", holds=holds)
    closed(s, c, L(19, 18))
    c3c = clock(s, e3, "press_conference", L(19, 14), L(20, 14), unit="jtj", holds=holds)
    breach(s, c3c, (1, L(20, 14, 1)), (2, L(20, 18, 1)), (3, L(21, 2, 1)))

    # e4: answered on time; 办结 due Wed 25 Nov as of the week's end, extended afterwards;
    # regraded to 重大 afterwards, which opened a 发布权威信息 window dated in the past
    e4 = event(s, "某村低保评定不公", "劳动和社会保障", Severity.MAJOR, L(20, 10))
    post(s, e4, L(20, 10), "咨询")
    a4 = assign(s, e4, "mzj", L(20, 11), acked=L(20, 12))
    c = clock(s, e4, "acknowledge", L(20, 11), L(20, 13), unit="mzj", assignment=a4)
    closed(s, c, L(20, 12))
    c = clock(s, e4, "respond", L(20, 10), L(22, 10), unit="mzj")
    closed(s, c, L(21, 9))
    c4c = clock(s, e4, "resolve", L(20, 11), L(25, 18), unit="mzj")
    extend(s, c4c, L(24, 9), L(30, 18), "mzj")
    log(s, L(25), e4.id, "event", e4.id, "severity_changed", None, {"from": "一般", "to": "重大"})
    c4p = clock(s, e4, "publish_info", L(20, 10), L(20, 15), unit="mzj")
    log(s, L(25), e4.id, "deadline", c4p.id, "opened", "mzj", {"kind": "publish_info"})
    breach(s, c4p, (1, L(25)))

    # e5: not signed by the week's end; the response was recorded only on Tuesday
    e5 = event(s, "网传某地发生爆炸系谣言", "环境保护", Severity.ROUTINE, L(21, 20))
    post(s, e5, L(21, 20), None)
    post(s, None, L(22), None)  # a post not (yet) in any event
    a5 = assign(s, e5, "hbj", L(22, 9), acked=L(23, 9))
    c5a = clock(s, e5, "acknowledge", L(22, 9), L(22, 11), unit="hbj", assignment=a5)
    breach(s, c5a, (1, L(22, 11, 1)))
    closed(s, c5a, L(23, 9))
    c5r = clock(s, e5, "respond", L(21, 20), L(23, 20), unit="hbj")
    closed(s, c5r, L(22, 15), recorded=L(24, 10))

    # e7: unassigned; after the week its topic was corrected and it was marked not relevant
    e7 = event(
        s,
        '=HYPERLINK("http://evil.example","某商场促销活动")',
        "城乡建设",
        Severity.ROUTINE,
        L(22, 12),
        state=EventState.NOT_RELEVANT,
    )
    post(s, e7, L(22, 12), "建言")
    log(
        s,
        L(24, 8),
        e7.id,
        "event",
        e7.id,
        "topic_changed",
        None,
        {"from": "商贸旅游", "to": "城乡建设"},
    )
    c = clock(s, e7, "respond", L(22, 12), L(24, 12))
    c.state = DeadlineState.CANCELLED
    log(s, L(24, 9), e7.id, "event", e7.id, "marked_not_relevant", None, {"from": "open"})
    log(s, L(24, 9), e7.id, "deadline", c.id, "cancelled", None, {"kind": "respond"})

    ids.update(
        e0=e0.id,
        e1=e1.id,
        e2=e2.id,
        e3=e3.id,
        e4=e4.id,
        e5=e5.id,
        e6=e6.id,
        e7=e7.id,
        c0r=c0r.id,
        c2a=c2a.id,
        c2r=c2r.id,
        c3c=c3c.id,
        c4c=c4c.id,
        c5a=c5a.id,
        c5r=c5r.id,
        c1c=c1c.id,
    )
    return ids


def later_changes(s: Session, ids: dict[str, Any]) -> None:
    """More things that happen after W47 ended; W47's digest must not move."""
    d = s.get(models.Deadline, ids["c3c"])
    assert d is not None
    closed(s, d, L(19, 23), recorded=L(26, 10))  # evidence dated before the deadline
    c1c = s.get(models.Deadline, ids["c1c"])
    assert c1c is not None
    extend(s, c1c, L(27, 9), L(21, month=12), "zjj")
    e2 = s.get(models.Event, ids["e2"])
    assert e2 is not None
    log(
        s,
        L(27),
        e2.id,
        "event",
        e2.id,
        "topic_changed",
        None,
        {"from": "教育文体", "to": "卫生计生"},
    )
    e2.topic = "卫生计生"
    log(s, L(27), e2.id, "event", e2.id, "severity_changed", None, {"from": "较大", "to": "一般"})
    e2.severity = Severity.GENERAL
    e5 = s.get(models.Event, ids["e5"])
    assert e5 is not None
    moved = [p.id for p in e5.posts]
    for p in e5.posts:
        p.event_id = ids["e4"]
    e5.state, e5.merged_into_id = EventState.MERGED, ids["e4"]
    log(s, L(28), e5.id, "event", e5.id, "merged", None, {"into": ids["e4"], "posts": moved})
    a = models.Assignment(
        event_id=ids["e7"],
        unit_id="scjgj",
        role=AssignmentRole.LEAD,
        assigned_at=L(28, 10),
        acknowledged_at=L(28, 11),
    )
    s.add(a)
    s.flush()
    s.add(
        models.EventLog(
            at=L(28, 10),
            actor="user:1",
            event_id=ids["e7"],
            entity="assignment",
            entity_id=a.id,
            action="returned",
            unit_id="scjgj",
            detail={},
        )
    )
    s.flush()
