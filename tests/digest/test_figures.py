"""The week's figures on the fixed data set, on SQLite and PostgreSQL, and their stability."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from domain.vocabulary import TOPICS
from tests.digest import dataset
from tests.digest.conftest import Built
from tests.digest.dataset import SH, L
from yuqing.digest.figures import WeekFigures, compute_week
from yuqing.digest.history import Status
from yuqing.digest.render import week_figures
from yuqing.digest.weeks import week


def _week(sessions: sessionmaker[Session], label: str = dataset.WEEK) -> WeekFigures:
    with sessions() as s:
        return compute_week(s, week(label, SH), SH, bar=0.85, topics=TOPICS)


def test_the_week_in_numbers(sessions: sessionmaker[Session], settings: Settings) -> None:
    with sessions.begin() as s:
        dataset.build(s, settings)
    f = _week(sessions)
    assert f.as_of == L(23) and f.period.start == L(16)
    assert (f.posts, f.events) == (14, 6)  # the merged duplicate e6 is not an event
    topics = {k: (c.posts, c.events) for k, c in f.by_topic}
    assert topics == {
        "城乡建设": (3, 1),  # e1's two posts and the one merged in from e6
        "劳动和社会保障": (1, 1),
        "教育文体": (3, 1),
        "商贸旅游": (1, 1),  # e7's topic as of the week's end (corrected afterwards)
        "环境保护": (1, 1),
        "交通运输": (4, 1),
        "未归入事件": (1, 0),
    }
    severities = {k: (c.posts, c.events) for k, c in f.by_severity}
    # e4 was regraded to 重大 only after the week
    assert severities == {
        "特别重大": (0, 0),
        "重大": (4, 1),
        "较大": (3, 1),
        "一般": (4, 2),
        "常规": (2, 2),
    }


def test_breaches_and_escalations_by_name(built: Built) -> None:
    f = _week(built.sessions)
    rows = [
        (b.clock_id, b.unit_id, b.window, b.status, b.late_by, b.level, b.new) for b in f.breaches
    ]
    i = built.ids
    assert rows == [
        # e0's response window, breached the week before, reached level 3 on Monday
        (i["c0r"], "zjj", "予以回应", Status.OVERDUE, L(23) - L(12, 9), 3, False),
        (i["c3c"], "jtj", "召开新闻发布会", Status.OVERDUE, timedelta(hours=58), 3, True),
        # held by 区应急局 until it was returned; 区教育局 held it when the deadline passed
        (i["c2r"], "jyj", "予以回应", Status.CLOSED_LATE, timedelta(hours=36), 2, True),
        (i["c5a"], "hbj", "签收", Status.OVERDUE, timedelta(hours=13), 1, True),
        (i["c2a"], "jyj", "签收", Status.CLOSED_LATE, timedelta(hours=3), 1, True),
    ]
    assert len(f.new_breaches) == 4 and len(f.escalations) == 3
    assert f.overdue_open == 3  # e0 respond, e3 press conference, e5 签收


def test_per_unit_table(built: Built) -> None:
    f = _week(built.sessions)
    by = {u.unit_id: u for u in f.units}
    assert set(by) == {"zjj", "yjj", "jyj", "jtj", "gaj", "mzj", "hbj"}

    def row(uid: str) -> tuple[object, ...]:
        u = by[uid]
        return (
            u.assignments,
            (u.ack.done, u.ack.total),
            (u.respond.done, u.respond.total),
            (u.close.done, u.close.total),
            u.breaches,
            u.returns,
            u.extensions,
            u.median_response_hours,
        )

    assert row("zjj") == (1, (1, 1), (1, 1), (0, 0), 0, 0, 1, 24.0)
    assert row("yjj") == (1, (0, 1), (0, 0), (0, 0), 0, 1, 0, None)
    assert row("jyj") == (1, (1, 1), (0, 1), (0, 0), 2, 0, 0, 84.0)
    assert row("jtj") == (1, (1, 1), (1, 2), (0, 0), 1, 0, 0, 4.0)
    assert row("gaj") == (1, (1, 1), (0, 0), (0, 0), 0, 0, 0, None)
    # the extension approved after the week is not counted
    assert row("mzj") == (1, (1, 1), (1, 1), (0, 0), 0, 0, 0, 23.0)
    # signed only on Monday after the week; the response recorded on Tuesday does not count
    assert row("hbj") == (1, (0, 1), (0, 0), (0, 0), 1, 0, 0, None)
    t = f.totals
    assert (t.assignments, t.ack.done, t.ack.total, t.respond.done, t.respond.total) == (
        7,
        5,
        7,
        3,
        5,
    )
    assert t.close.value is None and t.median_response_hours == 23.5
    below = {u.unit_id: [name for name, _ in rates] for u, rates in f.below_bar}
    assert below == {
        "yjj": ["签收率"],
        "jyj": ["按时回应率"],
        "jtj": ["按时回应率"],
        "hbj": ["签收率"],
    }
    assert f.units[0].respond.value == 0.0  # worst first


def test_coming_due_uses_deadlines_as_they_stood(built: Built) -> None:
    f = _week(built.sessions)
    due = [(d.clock_id, d.unit, d.window, d.deadline_at, d.left) for d in f.coming_due]
    i = built.ids
    assert due[0] == (i["c5r"], "区环保局", "予以回应", L(23, 20), timedelta(hours=20))
    assert due[1][1:4] == ("（未交办）", "予以回应", L(24, 12))
    # extended to 30 Nov only after the week ended
    assert due[2] == (i["c4c"], "区民政局", "办结", L(25, 18), timedelta(days=2, hours=18))
    assert len(due) == 3


def test_trend_is_each_week_as_its_digest_showed_it(built: Built) -> None:
    f = _week(built.sessions)
    assert [p.label for p in f.trend] == [f"2026-W{n}" for n in range(40, 48)]
    w46, w47 = f.trend[-2], f.trend[-1]
    assert (w46.ack.done, w46.ack.total, w46.respond.done, w46.respond.total) == (1, 1, 0, 1)
    assert (w46.events, w46.breaches) == (1, 1)
    assert (w47.ack.done, w47.ack.total, w47.respond.done, w47.respond.total) == (5, 7, 3, 5)
    assert (w47.events, w47.breaches) == (6, 4)
    assert all(p.events == 0 and p.respond.total == 0 for p in f.trend[:-2])
    # the W46 point equals W46's own digest
    w46_digest = _week(built.sessions, "2026-W46")
    assert (w46_digest.totals.respond.done, w46_digest.totals.respond.total) == (0, 1)
    assert w46_digest.events == 1 and len(w46_digest.new_breaches) == 1


def test_cases_of_the_week(built: Built) -> None:
    f = _week(built.sessions)
    i = built.ids
    by = {c.event_id: c for c in f.cases}
    assert set(by) == {i[k] for k in ("e0", "e1", "e2", "e3", "e4", "e5", "e7")}
    e2 = by[i["e2"]]
    assert (e2.lead, e2.returns, e2.level, e2.state) == ("区教育局", 1, 2, "已回应")
    assert e2.respond is not None and e2.respond.status is Status.CLOSED_LATE
    assert e2.late_by == timedelta(hours=36) and e2.acknowledged_at == L(17, 14)
    e3 = by[i["e3"]]
    assert e3.co_units == ["七星关公安分局"] and e3.state == "超期未办"
    assert e3.respond is not None and e3.respond.label == "发布权威信息"
    assert [o.label for o in e3.others] == ["召开新闻发布会"]
    e4 = by[i["e4"]]
    assert e4.close is not None and e4.close.deadline_at == L(25, 18)
    assert e4.severity.value == "一般" and e4.extensions == 0
    assert by[i["e1"]].extensions == 1 and by[i["e1"]].state == "已回应"
    e1_close = by[i["e1"]].close  # extended inside the week: the new deadline holds
    assert e1_close is not None and e1_close.deadline_at == L(14, month=12)
    assert e1_close.status is Status.RUNNING
    assert by[i["e7"]].lead == "（未交办）" and by[i["e7"]].state == "处置中"
    assert by[i["e5"]].acknowledged_at is None and by[i["e5"]].state == "超期未办"


def test_a_past_week_renders_the_same_after_later_changes(built: Built, settings: Settings) -> None:
    from yuqing.digest.ledger import ledger_csv
    from yuqing.digest.render import build_digest_email

    with built.sessions() as s:
        before = build_digest_email(settings, s, dataset.WEEK)
        csv_before = ledger_csv(week_figures(settings, s, dataset.WEEK), SH)
    with built.sessions.begin() as s:
        dataset.later_changes(s, built.ids)
    with built.sessions() as s:
        after = build_digest_email(settings, s, dataset.WEEK)
        csv_after = ledger_csv(week_figures(settings, s, dataset.WEEK), SH)
        w48 = week_figures(settings, s, "2026-W48")
    assert after.html == before.html
    assert after.text == before.text
    assert csv_after == csv_before
    assert after.inline_images[0][1] == before.inline_images[0][1]  # the same chart
    # ... while the next week does see the changes
    assert any(b.clock_id == built.ids["c3c"] for b in w48.breaches) is False
    by = {u.unit_id: u for u in w48.units}
    assert by["scjgj"].returns == 1 and by["zjj"].extensions == 1
