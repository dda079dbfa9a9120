"""Every page, email and digest of the demo reads as Chinese for the people it is for: no field
names, enum values, ids where a name belongs, or English words (``tests/web/readable.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from storage import models
from storage.enums import Role
from tests.web.conftest import Clock, login
from tests.web.demo_data import Played
from tests.web.readable import context, leaks, visible_text
from yuqing.demo.accounts import DEMO_PASSWORD
from yuqing.digest.render import build_digest_email
from yuqing.digest.weeks import week_containing
from yuqing.notify.compose import compose
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
