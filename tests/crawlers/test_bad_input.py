"""Bad input: each broken page or item is skipped and counted; the crawl goes on and nothing
already stored is lost."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crawlers.localsite.boards import BoardPost, GovTableBoard
from crawlers.localsite.server import LocalSite, Reply
from storage.models import Post
from tests.crawlers.conftest import NOW, crawl, source


def _posts(n: int) -> list[BoardPost]:
    return [BoardPost(i, f"麻园街道第{i}号来信", f"桂花路第{i}段噪音扰民", NOW - timedelta(hours=i),
                      unit="麻园街道") for i in range(1, n + 1)]


class Faults:
    """Answers some detail pages badly, in front of a healthy board."""

    def __init__(self, board: GovTableBoard) -> None:
        self.board = board
        self.faults: dict[str, Reply] = {}

    def __call__(self, method: str, path: str, query: str, body: bytes) -> Reply | None:
        return self.faults.get(path) or self.board(method, path, query, body)


def test_broken_pages_are_skipped_and_counted(site: LocalSite, crawl_db, crawl_settings) -> None:
    posts = _posts(8)
    board = GovTableBoard(posts, prefix="/g", page_size=10)
    faults = Faults(board)
    site.add(faults)
    settings = crawl_settings(source("g", "gov_board", site.base + "/g/list.html", scoped=True,
                                     params={"layout": "table"}))
    assert crawl(settings, "g").items_new == 8

    with crawl_db[1].begin() as conn:  # as stored before list rows were remembered: every
        conn.execute(update(Post).values(list_state=None))  # recent thread is fetched again
    posts[2].content += "（补充：晚上十点以后更严重）"
    gbk_page = board.detail(posts[2]).replace("charset=utf-8", "charset=gbk")
    faults.faults = {
        # 10 MB: over DOWNLOAD_MAXSIZE
        "/g/detail_1.html": Reply(200, b"<html><body>" + b"x" * (10 * 1024 * 1024),
                                  {"Content-Type": "text/html; charset=utf-8"}),
        # truncated in the middle of the markup: lxml reads what is there
        "/g/detail_2.html": Reply(200, board.detail(posts[1]).encode()[:700],
                                  {"Content-Type": "text/html; charset=utf-8"}),
        # GBK bytes behind a header that claims UTF-8; the <meta> tells the truth
        "/g/detail_3.html": Reply(200, gbk_page.encode("gb18030"),
                                  {"Content-Type": "text/html; charset=utf-8"}),
        # no charset makes sense of this
        "/g/detail_4.html": Reply(200, bytes(range(128, 256)) * 400,
                                  {"Content-Type": "text/html; charset=utf-8"}),
        "/g/detail_5.html": Reply(500, b"Internal Server Error", {"Content-Type": "text/plain"}),
        # a page without the content the selectors look for
        "/g/detail_6.html": Reply(200, b"<html><body><p>\xe7\xb3\xbb\xe7\xbb\x9f\xe7\xbb\xb4\xe6"
                                  b"\x8a\xa4\xe4\xb8\xad</p></body></html>",
                                  {"Content-Type": "text/html; charset=utf-8"}),
    }
    with Session(crawl_db[1]) as s:
        before = {p.external_id: p.content for p in s.scalars(select(Post))}
    summary = crawl(settings, "g", now=NOW + timedelta(hours=1))

    assert summary.status == "ok"
    # detail 6 parsed empty from a non-empty page: counted, its page kept for a person
    assert summary.errors == {"too_large": 1, "bad_charset": 1, "http_500": 1,
                              "content_unparsed": 1}
    assert summary.items_updated == 1  # detail 3, decoded as GB18030
    with Session(crawl_db[1]) as s:
        after = {p.external_id: p for p in s.scalars(select(Post))}
    assert len(after) == 8
    repaired = after["QXG00000003"]
    assert repaired.content.endswith("（补充：晚上十点以后更严重）")
    for ext, content in before.items():
        if ext != "QXG00000003":
            # truncated, empty or failed pages never erase what is stored
            assert after[ext].content == content, ext


def test_endless_pagination_stops_at_the_page_cap(site: LocalSite, crawl_db,
                                                  crawl_settings) -> None:
    def endless(method: str, path: str, query: str, body: bytes) -> Reply | None:
        if not path.startswith("/e/list_"):
            return None
        n = int(path[len("/e/list_"):].split(".")[0])
        fresh = [BoardPost(n * 10 + i, f"朱昌镇第{n}-{i}号", "双堰村修路", NOW - timedelta(days=n))
                 for i in range(2)]
        page = GovTableBoard(fresh, prefix="/e").list_page(1).replace(
            '<span class="disabled">下一页</span>', f'<a href="list_{n + 1}.html">下一页</a>')
        return Reply(200, page.encode(), {"Content-Type": "text/html; charset=utf-8"})

    site.add(endless)
    settings = crawl_settings(source("e", "gov_board", site.base + "/e/list_1.html", scoped=True,
                                     params={"layout": "table"}), max_pages_per_run=3)
    summary = crawl(settings, "e")
    assert summary.errors == {"page_cap": 1, "http_404": 6}  # details are not served
    assert [k for k in site.hits if k.startswith("/e/list_")] == [
        "/e/list_1.html", "/e/list_2.html", "/e/list_3.html"]


def test_bad_json_and_missing_fields(site: LocalSite, crawl_db, crawl_settings) -> None:
    import json

    def api(method: str, path: str, query: str, body: bytes) -> Reply | None:
        if path == "/v1/threads/list/df":
            data = {"resultData": {"data": [
                {"tid": 7, "subject": "七星关区水务局停水通知", "createDateline": 1716000000},
                {"subject": "no tid here"},
                {"tid": 8, "createDateline": 1716000000},
            ]}}
            return Reply(200, json.dumps(data, ensure_ascii=False).encode(),
                         {"Content-Type": "application/json"})
        if path == "/v1/threads/content":
            tid = json.loads(json.loads(body)["param"])["tid"]
            entries = [{"tid": tid, "stateInfo": "待回复", "content": "撒拉溪镇停水三天" if tid == "7" else ""}]
            return Reply(200, json.dumps({"resultData": {"contentList": entries}},
                                         ensure_ascii=False).encode(),
                         {"Content-Type": "application/json"})
        return None

    site.add(api)
    settings = crawl_settings(source("p", "people_liuyan", site.base, scoped=True,
                                     params={"fid": 1, "page_size": 10}))
    summary = crawl(settings, "p")
    assert summary.items_new == 1
    assert summary.errors == {"missing_id": 1}
    assert summary.items_dropped == {"empty": 1}  # tid 8 has neither title nor content
