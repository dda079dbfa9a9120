"""Scoreboard, source health, /healthz."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from domain.event_actions import EventAction, LogEntity
from storage import models
from storage.enums import AssignmentRole, CrawlStatus, DeadlineState, Severity
from storage.event_log import LogEntry, write_log
from tests.web import factories as f
from tests.web.conftest import Clock, login
from yuqing.web.scoreboard import compute, week_starts

TZ = ZoneInfo("Asia/Shanghai")


def _seed_scores(db: sessionmaker[Session], now: datetime) -> None:
    with db.begin() as s:
        for i in range(4):
            ev = f.event(
                s,
                f"教育{i}",
                severity=Severity.GENERAL,
                started_at=now - timedelta(days=3, hours=i),
            )
            a = f.assignment(
                s, ev, "jyj", acknowledged_at=(now - timedelta(days=2)) if i < 3 else None
            )
            ok = i < 3
            f.deadline(
                s,
                ev,
                hours=48,
                state=DeadlineState.MET if ok else DeadlineState.BREACHED,
                met_at=(ev.started_at + timedelta(hours=10)) if ok else None,
            )
            if i == 0:  # 办结 late
                f.deadline(
                    s,
                    ev,
                    "close_15wd",
                    hours=60,
                    assignment=a,
                    state=DeadlineState.CLOSED_LATE,
                    met_at=now - timedelta(hours=1),
                )
            else:  # 办结 clocks still running: neither on time nor late yet
                f.deadline(s, ev, "close_15wd", hours=100, assignment=a)
        ev = f.event(s, "住建", severity=Severity.GENERAL, started_at=now - timedelta(days=20))
        f.assignment(s, ev, "zjj", role=AssignmentRole.LEAD)
        f.deadline(s, ev, hours=48, state=DeadlineState.BREACHED)
        # a co-unit's own response clock counts for the co-unit
        f.assignment(s, ev, "swj", role=AssignmentRole.CO)
        f.deadline(
            s,
            ev,
            "respond_unit",
            hours=24,
            unit_id="swj",
            state=DeadlineState.MET,
            met_at=ev.started_at + timedelta(hours=1),
        )
        at = now - timedelta(days=1)
        write_log(
            s,
            [
                LogEntry(
                    at, "unit:jyj", EventAction.RETURNED, LogEntity.ASSIGNMENT, None, ev.id, "jyj"
                ),
                LogEntry(
                    at,
                    "unit:jyj",
                    EventAction.EXTENSION_APPROVED,
                    LogEntity.DEADLINE,
                    None,
                    ev.id,
                    "jyj",
                ),
            ],
        )


def test_scoreboard_rates(db: sessionmaker[Session], clock: Clock) -> None:
    _seed_scores(db, clock.now)
    with db() as s:
        scores, starts = compute(s, clock.now, TZ, period_weeks=4)
    by = {x.unit_id: x for x in scores}
    jyj = by["jyj"]
    assert (jyj.ack.done, jyj.ack.total) == (3, 4)
    assert (jyj.respond.done, jyj.respond.total) == (3, 4)
    assert (jyj.close.done, jyj.close.total) == (0, 1)
    assert (jyj.returns, jyj.extensions) == (1, 1)
    assert sum(r.total for r in jyj.trend) == 4 and len(jyj.trend) == 8
    assert (by["zjj"].respond.done, by["zjj"].respond.total) == (0, 1)
    assert (by["swj"].respond.done, by["swj"].respond.total) == (1, 1)
    assert scores[0].unit_id == "zjj"  # worst first
    assert not by["hbj"].active
    # a one-week period leaves out the 20-day-old case
    with db() as s:
        week, _ = compute(s, clock.now, TZ, period_weeks=1)
    assert {x.unit_id: x for x in week}["zjj"].respond.total == 0


def test_week_starts_are_local_mondays(clock: Clock) -> None:
    starts = week_starts(clock.now, TZ)
    assert len(starts) == 8
    assert all(s.weekday() == 0 and s.hour == 0 for s in starts)
    assert starts[-1] <= clock.now < starts[-1] + timedelta(days=7)


def test_scoreboard_page(client: TestClient, db: sessionmaker[Session], clock: Clock) -> None:
    _seed_scores(db, clock.now)
    login(client, "leader1")
    html = client.get("/scoreboard?weeks=4").text
    assert "区教育局" in html or "教育局" in html
    assert "75%" in html and "<svg" in html and "polyline" in html
    assert client.get("/scoreboard?weeks=abc").status_code == 400  # a bad parameter is a 400


def test_sources_page_and_healthz(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    with db.begin() as s:
        src = f.source(s, "tieba-x", name="某贴吧", spider="tieba")
        src.unhealthy, src.consecutive_failures, src.last_error = True, 3, "HTTP 403"
        src.last_run_at = clock.now - timedelta(minutes=5)
        s.add(
            models.CrawlRun(
                source_id="tieba-x",
                started_at=clock.now - timedelta(minutes=5),
                finished_at=clock.now,
                status=CrawlStatus.BLOCKED,
                errors={"http_403": 2},
            )
        )
        s.add(
            models.CrawlRun(
                source_id="board",
                started_at=clock.now - timedelta(hours=1),
                finished_at=clock.now,
                status=CrawlStatus.OK,
                pages=3,
                items_new=17,
            )
        )
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["database"] is True and body["unhealthy_sources"] == ["tieba-x"]
    assert body["status"] == "degraded" and "last_tick_at" in body
    login(client, "duty1")
    html = client.get("/sources").text
    assert "HTTP 403" in html and "异常" in html and "17" in html
    # the last run's result in words, with the stored status alongside for the logs
    assert '<span title="blocked">被拦截</span>' in html and '<span title="ok">正常</span>' in html


def test_healthz_reports_an_unreachable_database(web_settings: object, tmp_path: object) -> None:
    from sqlalchemy import create_engine

    from storage.db import make_sessionmaker
    from yuqing.web import create_app

    broken = make_sessionmaker(create_engine("sqlite:////nonexistent-dir/x.db"))
    app = create_app(web_settings, broken)  # type: ignore[arg-type]
    with TestClient(app) as c:
        r = c.get("/healthz")
    assert r.status_code == 503 and r.json()["database"] is False


def test_a_unit_with_nothing_due_yet_shows_a_dash_not_zero(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    """Minutes after an assignment no window has ended: the unit is listed (it has a case),
    its rates are "—", and its trend has no point to draw."""
    with db.begin() as s:
        ev = f.event(
            s, "刚交办", severity=Severity.GENERAL, started_at=clock.now - timedelta(minutes=5)
        )
        a = f.assignment(s, ev, "jtj", assigned_at=clock.now - timedelta(minutes=3))
        f.deadline(s, ev, "acknowledge", hours=2, assignment=a, starts_at=a.assigned_at)
        f.deadline(s, ev, hours=48, unit_id="jtj")
    with db() as s:
        scores, _ = compute(s, clock.now, TZ)
    jtj = {x.unit_id: x for x in scores}["jtj"]
    assert jtj.assignments == 1 and jtj.active
    assert jtj.ack.value is None and jtj.respond.value is None and jtj.close.value is None
    login(client, "leader1")
    html = client.get("/scoreboard").text
    row = re.search(r'<tr data-unit="jtj">(.*?)</tr>', html, re.S)
    assert row is not None
    cells = row.group(1)
    for rate in ("rate-ack", "rate-respond", "rate-close"):
        cell = re.search(rf'class="{rate}"[^>]*>(.*?)</td>', cells, re.S)
        assert cell is not None and "—" in cell.group(1) and "0%" not in cell.group(1)
    assert "<svg" not in cells  # no trend to draw yet
    # once the 签收 window has passed unmet, it counts, and shows red
    clock.advance(timedelta(hours=3))
    login(client, "leader1")  # three idle hours end a session
    html = client.get("/scoreboard").text
    row = re.search(r'<tr data-unit="jtj">(.*?)</tr>', html, re.S)
    assert row is not None and 'class="below">0%' in row.group(1)


def test_the_trend_is_points_on_a_line_without_stray_text(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    _seed_scores(db, clock.now)
    login(client, "leader1")
    html = client.get("/scoreboard").text
    row = re.search(r'<tr data-unit="jyj">(.*?)</tr>', html, re.S)
    assert row is not None
    trend = re.search(r'class="trend-cell"[^>]*>(.*?)</td>', row.group(1), re.S)
    assert trend is not None
    svg = trend.group(1)
    assert svg.count("<circle") == 1 and "<title>" in svg and "75%（3/4）" in svg
    assert "·" not in svg and "stroke-dasharray" not in svg
