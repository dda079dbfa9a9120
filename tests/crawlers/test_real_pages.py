"""The spiders over real saved pages (../shared/fixtures/boards) and real 人民网 data
(../shared/data/people_liuyan_guizhou), served on loopback."""

from __future__ import annotations

import csv
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawlers.localsite.boards import BoardPost, PeopleBoard
from crawlers.localsite.server import LocalSite, Reply
from crawlers.text import SHANGHAI
from storage.models import Post
from tests.crawlers.conftest import crawl, source


def _prefix_route(prefix: str, body: bytes) -> object:
    def route(method: str, path: str, query: str, _b: bytes) -> Reply | None:
        if path.startswith(prefix):
            return Reply(200, body, {"Content-Type": "text/html; charset=utf-8"})
        return None

    return route


def test_real_tieba_list_and_thread(shared_dir: Path, site: LocalSite, crawl_db,
                                    crawl_settings) -> None:
    folder = shared_dir / "fixtures" / "boards" / "tieba"
    # every pn answers with the same saved list: a pagination loop the crawl must notice
    site.static("/f", (folder / "tieba_note_list.html").read_bytes())
    site.add(_prefix_route("/p/", (folder / "note_detail.html").read_bytes()))
    settings = crawl_settings(source("tb", "tieba", site.base + "/f?kw=盗墓笔记", scoped=True))
    summary = crawl(settings, "tb", now=datetime(2024, 8, 10, tzinfo=SHANGHAI))

    assert summary.status == "ok"
    assert summary.items_new == 48  # 48 li.j_thread_list in the comment-wrapped list
    assert summary.errors == {"pagination_loop": 1}
    assert site.hits["/f?kw=%E7%9B%97%E5%A2%93%E7%AC%94%E8%AE%B0&pn=50"] == 1
    with Session(crawl_db[1]) as s:
        post = s.scalars(select(Post).where(Post.external_id == "9079949995")).one()
    assert post.title == "对于一个父亲来说，这个女儿14岁就死了"  # from the thread page
    assert post.author == "怪物大宝贝"
    assert post.published_at == datetime(2024, 8, 5, 16, 56, tzinfo=SHANGHAI)
    assert post.raw["list"]["title"] == "盗墓笔记全集+txt小说，已整理"
    assert post.replies == 18
    assert post.list_state == "18"  # the list row's reply count: a change triggers a re-fetch


def test_real_discuz_x_forum_and_thread(shared_dir: Path, site: LocalSite, crawl_db,
                                        crawl_settings) -> None:
    folder = shared_dir / "fixtures" / "boards" / "discuz"
    site.static("/bbs/forum-2-1.html", (folder / "kbinance_forum-2-1.html").read_bytes())
    site.add(_prefix_route("/bbs/thread-", (folder / "kbinance_thread-3-1-1.html").read_bytes()))
    settings = crawl_settings(source("dz", "discuz", site.base + "/bbs/forum-2-1.html",
                                     scoped=True))
    summary = crawl(settings, "dz")

    assert (summary.status, summary.items_new, summary.errors) == ("ok", 8, {})
    with Session(crawl_db[1]) as s:
        post = s.scalars(select(Post).where(Post.external_id == "3")).one()
    assert post.title == "曝光!币安组织维权火币、OK,何一亲自下场指挥市场"
    assert post.published_at == datetime(2022, 2, 12, 23, 58, 16, tzinfo=SHANGHAI)
    assert "下载附件" not in post.content  # attachment chrome (<ignore_js_op>) left out
    assert post.content.endswith("阿斯顿发大水")
    assert post.list_state is not None and post.list_state == str(post.replies)


def _threads(shared_dir: Path, limit: int) -> list[dict[str, str]]:
    path = shared_dir / "data" / "people_liuyan_guizhou" / "threads.csv"
    with path.open(encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["fid"] == "585"]
    return rows[:limit]


def test_real_people_threads_relevance_and_replies(shared_dir: Path, site: LocalSite, crawl_db,
                                                   crawl_settings) -> None:
    rows = _threads(shared_dir, 40)
    posts = []
    for r in rows:
        created = datetime.strptime(r["created_at"], "%Y-%m-%d %H:%M").replace(tzinfo=SHANGHAI)
        reply_at = (datetime.fromtimestamp(int(r["reply_epoch"]), SHANGHAI)
                    if r["reply_epoch"] else None)
        posts.append(BoardPost(int(r["tid"]), r["subject"], r["content"], created,
                               state=r["state"], type_name=r["type_name"],
                               domain=r["domain_name"], reply_org=r["reply_organization"],
                               reply_at=reply_at, reply_content=r["reply_content"]))
    site.add(PeopleBoard(posts, fid=585, prefix="/rmw"))
    # a provincial board: not scoped to the district, so only posts naming it are kept
    settings = crawl_settings(source("gz", "people_liuyan", site.base + "/rmw",
                                     params={"fid": 585, "page_size": 10}))
    summary = crawl(settings, "gz", now=max(p.published for p in posts) + timedelta(days=1))

    expected = [r for r in rows if "七星关" in r["subject"] + r["content"]]
    assert expected, "the sample should hold a 七星关区 thread"
    assert summary.items_new == len(expected)
    assert summary.items_dropped == {"irrelevant": len(rows) - len(expected)}
    with Session(crawl_db[1]) as s:
        stored = {p.external_id: p for p in s.scalars(select(Post))}
    for r in expected:
        post = stored[r["tid"]]
        assert post.board_type == r["type_name"] and post.board_state == r["state"]
        assert post.reply_org == (r["reply_organization"] or None)
        if r["reply_epoch"]:
            assert int(post.reply_at.timestamp()) == int(r["reply_epoch"])
        assert "七星关区" in post.mentions or "七星关" in post.mentions
