"""Attacks on the crawler: a list row pointing off the board's site, a lone surrogate in a
人民网 API answer, 200,000 nested <div>s, invalid UTF-8 inside a thread. Nothing is followed
off the board, and nothing is lost without a count."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawlers.localsite.boards import BoardPost, GovTableBoard
from crawlers.localsite.server import LocalSite, Reply
from crawlers.spiders.base import allowed_domains
from storage.models import CrawlRun, Post, Source
from tests.crawlers.conftest import NOW, crawl, source

HTML = {"Content-Type": "text/html; charset=utf-8"}


def _posts(n: int) -> list[BoardPost]:
    return [BoardPost(i, f"麻园街道第{i}号来信", f"桂花路第{i}段噪音扰民", NOW - timedelta(hours=i),
                      unit="麻园街道") for i in range(1, n + 1)]


def test_allowed_domains_come_from_the_source_and_its_extras() -> None:
    src = {"url": "https://www.qxg.gov.cn:8443/hdjl/list.html"}
    assert allowed_domains(src, {}) == ["www.qxg.gov.cn"]
    assert allowed_domains(src, {"allowed_domains": ["img.qxg.gov.cn"],
                                 "site_url": "https://liuyan.people.com.cn"}) == [
        "www.qxg.gov.cn", "liuyan.people.com.cn", "img.qxg.gov.cn"]


def test_an_offsite_list_link_is_counted_and_never_fetched(
    site: LocalSite, crawl_db, crawl_settings
) -> None:
    board = GovTableBoard(_posts(3), prefix="/g", page_size=10)

    def listing(method: str, path: str, query: str, body: bytes) -> Reply | None:
        if path == "/g/list.html":
            page = board.list_page(1).replace(
                'href="detail_2.html"', f'href="http://localhost:{site.port}/offsite/detail_2.html"')
            return Reply(200, page.encode(), HTML)
        if path.startswith("/offsite/"):
            return Reply(200, board.detail(board.posts[1]).encode(), HTML)
        return None

    site.add(listing)
    site.add(board)
    settings = crawl_settings(source("g", "gov_board", site.base + "/g/list.html", scoped=True,
                                     params={"layout": "table"}))
    summary = crawl(settings, "g")
    assert "/offsite/detail_2.html" not in site.hits
    assert summary.items_new == 2
    assert summary.items_dropped.get("offsite") == 1
    assert "offsite 1" in summary.line()


def test_a_lone_surrogate_in_the_people_api_is_stored_and_kept_as_fetched(
    site: LocalSite, crawl_db, crawl_settings
) -> None:
    def api(method: str, path: str, query: str, body: bytes) -> Reply | None:
        if path == "/v1/threads/list/df":
            rows = [{"tid": 7, "subject": "七星关区停水\ud800三天", "createDateline": 1716000000},
                    {"tid": 8, "subject": "七星关区\u202e路灯不亮\x01", "createDateline": 1716000000}]
            # ensure_ascii: the answer carries the escape "\ud800", as the real API did
            return Reply(200, json.dumps({"resultData": {"data": rows}}).encode(),
                         {"Content-Type": "application/json"})
        if path == "/v1/threads/content":
            tid = json.loads(json.loads(body)["param"])["tid"]
            entries = [{"tid": tid, "stateInfo": "待回复",
                        "content": "撒拉溪镇\udc80停水" if tid == "7" else "路灯坏了"}]
            return Reply(200, json.dumps({"resultData": {"contentList": entries}}).encode(),
                         {"Content-Type": "application/json"})
        return None

    site.add(api)
    settings = crawl_settings(source("p", "people_liuyan", site.base, scoped=True,
                                     params={"fid": 1, "page_size": 10}))
    summary = crawl(settings, "p")
    assert summary.items_new == 2, summary.line()
    assert summary.items_dropped == {} and summary.errors == {}
    with Session(crawl_db[1]) as s:
        post = s.scalars(select(Post).where(Post.external_id == "7")).one()
    assert post.title == "七星关区停水\ufffd三天"
    assert post.content == "撒拉溪镇\ufffd停水"
    assert post.raw["as_fetched"]["title"] == "七星关区停水\\ud800三天"
    # a bidi override or a control character is not shown to anyone: display spoofing
    with Session(crawl_db[1]) as s:
        other = s.scalars(select(Post).where(Post.external_id == "8")).one()
    assert other.title == "七星关区路灯不亮"
    assert other.raw["as_fetched"]["title"] == "七星关区\u202e路灯不亮\x01"


def test_two_hundred_thousand_nested_divs_are_counted_and_the_page_kept(
    site: LocalSite, crawl_db, crawl_settings
) -> None:
    posts = _posts(2)
    board = GovTableBoard(posts, prefix="/g", page_size=10)
    nested = board.detail(posts[0]).replace(
        "桂花路第1段噪音扰民", "<div>" * 200_000 + "桂花路第1段噪音扰民" + "</div>" * 200_000)

    def deep(method: str, path: str, query: str, body: bytes) -> Reply | None:
        return Reply(200, nested.encode(), HTML) if path == "/g/detail_1.html" else None

    site.add(deep)
    site.add(board)
    settings = crawl_settings(source("g", "gov_board", site.base + "/g/list.html", scoped=True,
                                     params={"layout": "table"}))
    summary = crawl(settings, "g")
    assert summary.items_new == 2
    assert summary.errors == {"content_unparsed": 1}
    with Session(crawl_db[1]) as s:
        post = s.scalars(select(Post).where(Post.external_id == "QXG00000001")).one()
        run = s.scalars(select(CrawlRun)).one()
        health = s.get(Source, "g")
    assert post.content == "" and post.title == "麻园街道第1号来信"
    assert post.raw["unparsed_page_chars"] > 2_000_000
    assert post.raw["unparsed_page"].startswith("<")
    assert run.errors == {"content_unparsed": 1}
    assert health is not None and "content_unparsed" in (health.last_error or "")


def test_invalid_utf8_inside_a_thread_does_not_lose_the_thread(
    site: LocalSite, crawl_db, crawl_settings
) -> None:
    posts = _posts(2)
    posts[0].content = "桂花路夜间施工噪音扰民，" * 40
    board = GovTableBoard(posts, prefix="/g", page_size=10)
    page = board.detail(posts[0]).encode()
    cut = page.index("桂花路".encode())
    broken = page[:cut] + b"\xff\xfe\x80" * 5 + page[cut:]

    def bad(method: str, path: str, query: str, body: bytes) -> Reply | None:
        return Reply(200, broken, HTML) if path == "/g/detail_1.html" else None

    site.add(bad)
    site.add(board)
    settings = crawl_settings(source("g", "gov_board", site.base + "/g/list.html", scoped=True,
                                     params={"layout": "table"}))
    summary = crawl(settings, "g")
    assert summary.items_new == 2 and summary.errors == {}, summary.line()
    with Session(crawl_db[1]) as s:
        post = s.scalars(select(Post).where(Post.external_id == "QXG00000001")).one()
    assert "桂花路夜间施工噪音扰民" in post.content
