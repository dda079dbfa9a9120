"""Source health: blocked or empty runs in a row flag the source; a good run clears it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawlers.health import Health, next_health, run_status
from crawlers.localsite.boards import BoardPost, GovTableBoard
from crawlers.localsite.server import LocalSite, Reply
from storage.enums import CrawlStatus, OutboxKind
from storage.models import CrawlRun, EventLog, Outbox, Source
from tests.crawlers.conftest import NOW, crawl, source


def test_waf_blocks_flag_the_source_and_a_good_run_clears_it(site: LocalSite, crawl_db,
                                                             crawl_settings, settings) -> None:
    blocked = {"on": True}
    board = GovTableBoard([BoardPost(1, "七星关区来信", "鸭池镇停电", NOW)], prefix="/g")

    def waf(method: str, path: str, query: str, body: bytes) -> Reply | None:
        if blocked["on"]:
            return Reply(429, b"Too Many Requests", {"Retry-After": "0"})
        return board(method, path, query, body)

    site.add(waf)
    cfg = crawl_settings(source("g", "gov_board", site.base + "/g/list.html", scoped=True,
                                params={"layout": "table"}), unhealthy_after=2)
    first = crawl(cfg, "g")
    assert (first.status, first.unhealthy) == ("blocked", False)
    # one list request, retried once after a backoff, then given up: never hammered
    assert site.hits["/g/list.html"] == 2
    second = crawl(cfg, "g", now=NOW + timedelta(minutes=10))
    assert (second.status, second.unhealthy) == ("blocked", True)

    engine = crawl_db[1]
    with Session(engine) as s:
        src = s.get(Source, "g")
        assert src.unhealthy and src.consecutive_failures == 2
        assert src.unhealthy_since == NOW + timedelta(minutes=10)
        assert "blocked" in src.last_error
        outbox = s.scalars(select(Outbox)).one()
        flips = s.scalars(select(EventLog)).all()
    assert outbox.kind == OutboxKind.SOURCE_UNHEALTHY.value
    assert outbox.dedupe_key == f"source_unhealthy:g:{(NOW + timedelta(minutes=10)).isoformat()}"
    assert outbox.recipients == ["duty"]  # a role: the sender looks up who is on duty
    assert outbox.payload["source_id"] == "g"
    assert [f.action for f in flips] == ["source_unhealthy"]

    third = crawl(cfg, "g", now=NOW + timedelta(minutes=20))  # still blocked: no second alert
    assert third.unhealthy
    blocked["on"] = False
    fourth = crawl(cfg, "g", now=NOW + timedelta(minutes=30))
    assert (fourth.status, fourth.unhealthy, fourth.items_new) == ("ok", False, 1)
    with Session(engine) as s:
        src = s.get(Source, "g")
        assert (src.unhealthy, src.consecutive_failures, src.unhealthy_since) == (False, 0, None)
        assert src.last_ok_at == NOW + timedelta(minutes=30)
        assert [f.action for f in s.scalars(select(EventLog).order_by(EventLog.id))] == [
            "source_unhealthy", "source_recovered"]
        assert len(s.scalars(select(Outbox)).all()) == 1
        statuses = [r.status for r in s.scalars(select(CrawlRun).order_by(CrawlRun.id))]
    assert statuses == [CrawlStatus.BLOCKED] * 3 + [CrawlStatus.OK]


def test_an_empty_board_counts_as_a_failure(site: LocalSite, crawl_db, crawl_settings) -> None:
    site.add(GovTableBoard([], prefix="/g"))
    cfg = crawl_settings(source("g", "gov_board", site.base + "/g/list.html", scoped=True,
                                params={"layout": "table"}), unhealthy_after=1)
    summary = crawl(cfg, "g")
    assert (summary.status, summary.unhealthy) == ("empty", True)


def test_unreachable_site_fails(crawl_db, crawl_settings) -> None:
    cfg = crawl_settings(source("g", "gov_board", "http://127.0.0.1:9/list.html", scoped=True,
                                params={"layout": "table"}))
    summary = crawl(cfg, "g")
    assert summary.status == "failed"
    assert any(k.startswith("download_") for k in summary.errors)


def test_health_transitions() -> None:
    now = datetime(2024, 1, 1, tzinfo=UTC)
    healthy = Health(0, False, None, None)
    one = next_health(healthy, CrawlStatus.FAILED, "failed: x", 2, now)
    assert (one.consecutive_failures, one.unhealthy, one.flipped) == (1, False, None)
    two = next_health(one, CrawlStatus.EMPTY, "empty", 2, now)
    assert (two.unhealthy, two.unhealthy_since, two.flipped) == (True, now, "unhealthy")
    three = next_health(two, CrawlStatus.BLOCKED, "blocked", 2, now + timedelta(hours=1))
    assert (three.unhealthy_since, three.flipped) == (now, None)
    back = next_health(three, CrawlStatus.OK, "ok", 2, now)
    assert (back.unhealthy, back.consecutive_failures, back.flipped) == (False, 0, "recovered")


def test_run_status() -> None:
    ok = dict(close_reason="finished", ok_pages=3, rows=5, items=5, dropped=0, errors={})
    assert run_status(**ok) is CrawlStatus.OK
    assert run_status(**{**ok, "rows": 0, "items": 0}) is CrawlStatus.EMPTY
    assert run_status(**{**ok, "close_reason": "blocked"}) is CrawlStatus.BLOCKED
    assert run_status(**{**ok, "ok_pages": 0}) is CrawlStatus.FAILED
    assert run_status(**{**ok, "items": 0, "errors": {"http_404": 5}}) is CrawlStatus.FAILED
    # an incremental run that found only known threads is fine
    assert run_status(**{**ok, "items": 0}) is CrawlStatus.OK
    # a process of a shared crawl whose queue the others emptied did nothing wrong; alone, or
    # with errors, the same run is a failure
    idle = {**ok, "ok_pages": 0, "rows": 0, "items": 0, "responses": 0}
    assert run_status(**idle, shared=True) is CrawlStatus.IDLE
    assert run_status(**idle) is CrawlStatus.FAILED
    assert run_status(**{**idle, "errors": {"timeout": 2}}, shared=True) is CrawlStatus.FAILED


def test_an_idle_run_leaves_the_health_as_it_was() -> None:
    flagged = Health(3, True, NOW, "failed: timeout×3")
    assert next_health(flagged, CrawlStatus.IDLE, "", 3, NOW) == flagged
    failing = Health(2, False, None, "failed")
    assert next_health(failing, CrawlStatus.IDLE, "", 3, NOW) == failing
