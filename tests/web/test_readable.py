"""Every page, email and digest of the demo reads as Chinese for the people it is for: no field
names, enum values, ids where a name belongs, or English words (``tests/web/readable.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from response_sla.configured import run_tick
from storage import models
from storage.enums import Role, Severity, Verification
from tests.web import demo_data
from tests.web.conftest import Clock, login
from tests.web.demo_data import Played
from tests.web.readable import context, leaks, visible_text
from yuqing.demo.accounts import DEMO_PASSWORD
from yuqing.digest.render import build_digest_email
from yuqing.digest.weeks import week_containing
from yuqing.notify.compose import compose
from yuqing.notify.transport import TemporaryError
from yuqing.web import create_app
from yuqing.web.security import LoginLimiter


@pytest.fixture
def demo_client(played: Played) -> Iterator[TestClient]:
    app = create_app(
        played.settings, played.sessions, clock=Clock(played.now), limiter=LoginLimiter()
    )
    with TestClient(app, follow_redirects=False) as c:
        yield c


def _check(where: str, text: str, problems: list[str]) -> None:
    for leak in leaks(text):
        problems.append(f"{where}: {leak} … {context(text, leak)}")


def _pages(client: TestClient, user: str, paths: list[str], problems: list[str]) -> int:
    client.cookies.clear()
    login(client, user, DEMO_PASSWORD)
    for path in paths:
        r = client.get(path)
        assert r.status_code == 200, (user, path, r.status_code)
        _check(f"{user} {path}", visible_text(r.text), problems)
    return len(paths)


def test_every_page_of_the_demo_reads_as_chinese(played: Played, demo_client: TestClient) -> None:
    with played.sessions() as s:
        events = list(s.scalars(select(models.Event.id)))
        units = {
            u.username: (u.unit_id, list(
                s.scalars(
                    select(models.Assignment.event_id).where(
                        models.Assignment.unit_id == u.unit_id
                    )
                )
            ))
            for u in s.scalars(select(models.User).where(models.User.role == Role.UNIT))
        }
    assert len(events) >= 10 and units
    problems: list[str] = []
    shown = _pages(
        demo_client,
        "duty",
        ["/", "/queue/rows", "/scoreboard", "/sources", *(f"/events/{e}" for e in events)],
        problems,
    )
    shown += _pages(demo_client, "leader", ["/", "/scoreboard", f"/events/{events[0]}"], problems)
    shown += _pages(demo_client, "admin", ["/", "/sources"], problems)
    for username, (_unit, cases) in units.items():
        shown += _pages(
            demo_client, username, ["/unit", *(f"/unit/events/{e}" for e in cases)], problems
        )
    assert shown > 20
    assert not problems, "\n".join(problems)


def test_every_email_of_the_demo_reads_as_chinese(played: Played) -> None:
    problems: list[str] = []
    kinds: set[str] = set()
    with played.sessions() as s:
        rows = list(s.scalars(select(models.Outbox)))
        for row in rows:
            notice = compose(played.settings, s, row, played.now)
            kinds.add(row.kind)
            _check(f"{row.kind} {row.id} subject", notice.subject, problems)
            _check(f"{row.kind} {row.id} text", notice.text, problems)
            _check(f"{row.kind} {row.id} html", visible_text(notice.html), problems)
    assert {"assignment", "new_major_event"} <= kinds, kinds
    assert not problems, "\n".join(problems)


def test_the_digest_of_the_demo_week_reads_as_chinese(played: Played) -> None:
    problems: list[str] = []
    week = week_containing(played.now, ZoneInfo(played.settings.timezone))
    with played.sessions() as s:
        mail = build_digest_email(played.settings, s, week.label, played.now)
    assert "本周尚未结束" in mail.html
    _check("digest subject", mail.subject, problems)
    _check("digest html", visible_text(mail.html), problems)
    _check("digest text", mail.text, problems)
    assert not problems, "\n".join(problems)


def test_the_checker_finds_what_it_is_for() -> None:
    """The checks above would pass on an empty string: here they catch each kind of leak."""
    assert leaks("角色 lead") == ["enum value lead"]
    assert leaks("来源 bijie-forum")  # a source id is not a name
    assert any("field name" in x for x in leaks("post_id 10"))
    assert any("raw data" in x for x in leaks("{'kind': 'deaths'}"))
    assert any(x.startswith("id") for x in leaks("见帖子 10"))
    assert leaks("详见 http://127.0.0.1:8000/events/10 或 duty@qxg.example，附件 台账.xlsx") == []
    assert leaks("死亡（含失踪） 15 ≥ 10 → 重大") == []


def test_the_windows_table_and_the_timeline_name_a_window_alike(
    played: Played, demo_client: TestClient
) -> None:
    """"办结 15 个工作日" in the table is "办结 15 个工作日" in the timeline, not "5–15"."""
    import re

    with played.sessions() as s:
        events = list(s.scalars(select(models.Event.id)))
    login(demo_client, "duty", DEMO_PASSWORD)
    compared = 0
    for e in events:
        page = demo_client.get(f"/events/{e}").text
        table = set(re.findall(r'<td class="dl-kind"[^>]*>(办结 [^<（]+?)(?:（|<| <)', page))
        timeline = set(re.findall(r"<strong>开始计时 (办结 [^<]+?个工作日)", page))
        if table and timeline:
            assert timeline <= {t.strip() for t in table}, (e, table, timeline)
            compared += 1
    assert compared >= 5


def test_pages_read_as_chinese_after_a_morning_of_work(tmp_path: Path) -> None:
    """The demo worked through as the people would: units sign, answer, return and ask for
    more time; the duty officer reviews labels, records a milestone, rules, merges, confirms
    the 待核实 candidate. Every page still reads as Chinese, the timeline above all."""
    p = demo_data.played(tmp_path)
    clock = Clock(p.now)
    app = create_app(p.settings, p.sessions, clock=clock, limiter=LoginLimiter())
    with p.sessions() as s:
        events = {e.title: e.id for e in s.scalars(select(models.Event))}
        major = s.scalars(
            select(models.Event.id).where(models.Event.severity == Severity.MAJOR)
        ).one()
        pending = s.scalars(
            select(models.Event.id).where(models.Event.verification == Verification.PENDING)
        ).one()
        by_unit = {
            u.username: list(
                s.scalars(
                    select(models.Assignment.event_id).where(
                        models.Assignment.unit_id == u.unit_id, models.Assignment.active.is_(True)
                    )
                )
            )
            for u in s.scalars(select(models.User).where(models.User.role == Role.UNIT))
        }
        resolve = {
            d.event_id: d.id
            for d in s.scalars(select(models.Deadline).where(models.Deadline.kind == "resolve"))
        }
    problems: list[str] = []
    with TestClient(app, follow_redirects=False) as c:
        # the units
        for n, (username, cases) in enumerate(by_unit.items()):
            if not cases:
                continue
            c.cookies.clear()
            token = login(c, username, DEMO_PASSWORD)
            first = cases[0]
            c.post(f"/unit/events/{first}/ack", data={"csrf_token": token})
            if n % 2 == 0:
                c.post(f"/unit/events/{first}/respond",
                       data={"csrf_token": token, "text": "已安排人员现场处置", "url": ""})
            if first in resolve:
                until = (clock.now + timedelta(days=40)).astimezone(ZoneInfo("Asia/Shanghai"))
                c.post(f"/unit/events/{first}/extension",
                       data={"csrf_token": token, "deadline_id": str(resolve[first]),
                             "until": until.strftime("%Y-%m-%dT%H:%M"), "reason": "需协调多部门"})
            if len(cases) > 1:
                c.post(f"/unit/events/{cases[1]}/return",
                       data={"csrf_token": token, "reason": "不属于本单位职责"})
        # the duty officer
        c.cookies.clear()
        token = login(c, "duty", DEMO_PASSWORD)
        for kind in ("severity", "topic", "rumour"):
            c.post(f"/events/{major}/review",
                   data={"csrf_token": token, "kind": kind, "decision": "confirm", "note": "已核实"})
        c.post(f"/events/{major}/milestone",
               data={"csrf_token": token, "kind": "publish", "url": "https://www.bijie.gov.cn/x",
                     "at": "", "note": "区应急局已发布通报"})
        c.post(f"/events/{major}/note", data={"csrf_token": token, "text": "已电话联系应急局"})
        c.post(f"/events/{pending}/verify-dismiss",
               data={"csrf_token": token, "reason": "经核实系谣言，无人员伤亡"})
        repost = next((i for t, i in events.items() if "红绿灯" in t), None)
        target = next((i for t, i in events.items() if "垃圾" in t), None)
        if repost and target:
            c.post(f"/events/{repost}/merge",
                   data={"csrf_token": token, "into": str(target), "reason": "同一诉求"})
        clock.advance(timedelta(hours=30))
        run_tick(p.settings, p.sessions, clock.now)
        c.cookies.clear()
        login(c, "duty", DEMO_PASSWORD)  # a day and more later, a new session
        with p.sessions() as s:
            all_events = list(s.scalars(select(models.Event.id)))
        for e in all_events:
            r = c.get(f"/events/{e}")
            assert r.status_code == 200
            _check(f"duty /events/{e}", visible_text(r.text), problems)
        for path in ("/", "/scoreboard", "/sources"):
            _check(f"duty {path}", visible_text(c.get(path).text), problems)
        for username, cases in by_unit.items():
            c.cookies.clear()
            login(c, username, DEMO_PASSWORD)
            for path in ["/unit", *(f"/unit/events/{e}" for e in cases)]:
                r = c.get(path)
                if r.status_code == 200:
                    _check(f"{username} {path}", visible_text(r.text), problems)
    with p.sessions() as s:
        actions = set(s.scalars(select(models.EventLog.action)))
        for row in s.scalars(select(models.Outbox)):
            try:
                notice = compose(p.settings, s, row, clock.now)
            except TemporaryError:
                continue
            _check(f"{row.kind} {row.id}", notice.text, problems)
            _check(f"{row.kind} {row.id} html", visible_text(notice.html), problems)
    # the morning's work is in the log: the test saw more than the demo alone writes
    assert {"acknowledged", "severity_confirmed", "note", "merged", "return_requested"} <= actions, (
        actions
    )
    p.engine.dispose()
    assert not problems, "\n".join(problems)
