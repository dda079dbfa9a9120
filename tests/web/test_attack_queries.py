"""Attacks through the query string: extreme and malformed parameters are 400s with the same
security headers as every page (never a 500 or a reset connection), and a reader who is shown
personal data masked cannot confirm it by searching."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from storage.enums import Severity
from tests.web import factories as f
from tests.web.conftest import Clock, login
from yuqing.search_index import backfill, index_post

PHONE = "13912341234"


@pytest.fixture
def hidden(db: sessionmaker[Session], clock: Clock) -> int:
    with db.begin() as s:
        ev = f.event(s, "小区停水无人管", severity=Severity.GENERAL,
                     started_at=clock.now - timedelta(hours=2))
        post = f.post(s, ev, title="小区停水三天",
                      content=f"我叫张三，电话{PHONE}，邮箱zhang.san@qq.com，请尽快处理")
        index_post(s, post)
        return ev.id


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'<tr data-id="(\d+)"', html)]


@pytest.mark.parametrize("query", [PHONE, "张三", "zhang", "3912341234"])
def test_a_leader_cannot_confirm_masked_data_by_searching(
    client: TestClient, hidden: int, query: str
) -> None:
    login(client, "leader1")
    page = client.get("/", params={"q": query})
    assert page.status_code == 200
    assert hidden not in _ids(page.text)


def test_a_leader_finds_what_the_masked_text_shows(client: TestClient, hidden: int) -> None:
    login(client, "leader1")
    for query in ("停水", "139****1234", "1234"):
        assert hidden in _ids(client.get("/", params={"q": query}).text), query


def test_staff_still_search_the_raw_text(client: TestClient, hidden: int) -> None:
    login(client, "duty1")
    assert hidden in _ids(client.get("/", params={"q": PHONE}).text)


def test_posts_stored_before_the_upgrade_are_backfilled(
    db: sessionmaker[Session], clock: Clock
) -> None:
    with db.begin() as s:
        ev = f.event(s, "旧帖", started_at=clock.now - timedelta(hours=1))
        post = f.post(s, ev, title="旧帖", content=f"电话{PHONE}")
        post.search_masked = None
    with db.begin() as s:
        backfill(s)
    with db() as s:
        from storage import models

        stored = s.get(models.Post, post.id)
        assert stored is not None and stored.search_masked is not None
        assert PHONE not in stored.search_masked and "139****1234" in stored.search_masked


@pytest.mark.parametrize(
    "query",
    [
        "from=0001-01-01",
        "to=9999-12-31",
        "from=2026-02-30",
        "from=%00",
        "to=99999-01-01",
        "page=99999999999999999999",
        "page=-1",
        "q=" + "x" * 3000,
        "q=%01",
        "weeks=0",
    ],
)
def test_extreme_parameters_are_400s_with_the_security_headers(
    client: TestClient, query: str
) -> None:
    login(client, "duty1")
    path = "/scoreboard" if query.startswith("weeks") else "/"
    r = client.get(f"{path}?{query}")
    assert r.status_code == 400, (query, r.status_code)
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "query", ["q=%ED%A0%80", "q=%FF%FE", "q=%22%20OR%20*", "q=NEAR(a%20b)", "severity=%E2%80%AE"]
)
def test_odd_queries_are_never_a_500(client: TestClient, query: str) -> None:
    login(client, "leader1")
    r = client.get(f"/?{query}")
    assert r.status_code in (200, 400)
    assert "content-security-policy" in r.headers


def test_sane_dates_still_filter(client: TestClient, hidden: int) -> None:
    login(client, "duty1")
    assert client.get("/?from=2000-01-01&to=2100-12-31").status_code == 200
    assert client.get("/queue/rows?from=2026-01-01").status_code == 200


def test_masked_search_on_both_databases(db_url: str) -> None:
    """The queue's search for a reader shown masked text, on SQLite and on PostgreSQL (ILIKE on
    the masked text): the full number finds nothing, the masked form and plain words do."""
    from dataclasses import replace as dc_replace
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from storage.db import make_engine, make_sessionmaker
    from storage.migrate import upgrade
    from yuqing.web.queue import QueueFilters, fetch_queue

    upgrade(db_url)
    engine = make_engine(db_url)
    sessions = make_sessionmaker(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    try:
        with sessions.begin() as s:
            f.source(s, "board")
            ev = f.event(s, "小区停水无人管", severity=Severity.GENERAL,
                         started_at=now - timedelta(hours=2))
            index_post(s, f.post(s, ev, title="小区停水三天", content=f"电话{PHONE}，请处理"))
            event_id = ev.id
        tz = ZoneInfo("Asia/Shanghai")

        def found(q: str, masked: bool) -> bool:
            with sessions() as s:
                page = fetch_queue(s, dc_replace(QueueFilters(q=q), masked=masked), tz)
                return event_id in [r.id for r in page.rows]

        assert found(PHONE, masked=False)
        assert not found(PHONE, masked=True)
        assert not found("3912341234", masked=True)
        assert found("139****1234", masked=True)
        assert found("停水", masked=True)
    finally:
        engine.dispose()


def test_an_unhandled_error_is_a_500_page_with_the_security_headers(
    db: sessionmaker[Session], web_settings: object, clock: Clock
) -> None:
    from starlette.requests import Request
    from starlette.responses import Response

    from yuqing.web import create_app

    app = create_app(web_settings, db, clock=clock)  # type: ignore[arg-type]

    def boom(request: Request) -> Response:
        raise RuntimeError("a bug nobody caught")

    app.router.add_route("/boom", boom)
    with TestClient(app, follow_redirects=False) as c:
        r = c.get("/boom")
    assert r.status_code == 500 and "服务器内部错误" in r.text
    assert "a bug nobody caught" not in r.text
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
