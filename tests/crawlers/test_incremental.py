"""Re-crawls: stop at known threads, revisit recent ones, record new official replies."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crawlers.localsite.boards import BoardPost, GovTableBoard
from crawlers.localsite.server import LocalSite
from storage.models import CrawlRun, Post, Source
from tests.crawlers.conftest import NOW, crawl, source


def _board(n: int) -> list[BoardPost]:
    # one post a day, newest yesterday; 10 a page
    return [BoardPost(i, f"七星关区第{i}号来信", f"观音桥街道七星路第{i}段路灯不亮", NOW - timedelta(days=n + 1 - i),
                      unit="区住建局") for i in range(1, n + 1)]


def test_recrawl_adds_nothing_then_records_a_reply(site: LocalSite, crawl_db,
                                                   crawl_settings) -> None:
    posts = _board(40)
    board = GovTableBoard(posts, prefix="/g", page_size=10)
    site.add(board)
    settings = crawl_settings(source("g", "gov_board", site.base + "/g/list.html", scoped=True,
                                     params={"layout": "table"}), revisit_days=7)
    engine = crawl_db[1]

    first = crawl(settings, "g")
    assert (first.status, first.items_new, first.pages) == ("ok", 40, 44)
    with Session(engine) as s:
        before = {p.external_id: (p.first_seen_at, p.id) for p in s.scalars(select(Post))}
        high_water = s.get(Source, "g").high_water
    assert high_water == (NOW - timedelta(days=1)).isoformat()
    with engine.begin() as conn:  # the analysis stage has seen everything
        conn.execute(update(Post).values(analyzed_at=NOW))

    later = NOW + timedelta(hours=6)
    second = crawl(settings, "g", now=later)
    assert (second.items_new, second.items_updated) == (0, 0)
    # page 1 holds the last 10 days; the 6 within 7 days of the crawl are revisited; page 2 is
    # all older, so paging stops there
    assert second.items_unchanged == 6
    assert second.pages == 2 + 6

    answered = posts[-2]  # published two days ago
    answered.state, answered.reply_org = "已办结", "毕节市七星关区住房和城乡建设局"
    answered.reply_at, answered.reply_content = NOW + timedelta(hours=8), "已安排维修，路灯恢复。"
    posts.append(BoardPost(41, "七星关区第41号来信", "碧阳湖边路灯不亮", NOW, unit="区住建局"))
    third = crawl(settings, "g", now=later + timedelta(hours=6))
    assert (third.items_new, third.items_updated) == (1, 1)

    with Session(engine) as s:
        stored = {p.external_id: p for p in s.scalars(select(Post))}
        runs = s.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
    assert len(stored) == 41  # never a duplicate
    post = stored[f"QXG{answered.id:08d}"]
    assert post.reply_content == "已安排维修，路灯恢复。"
    assert post.reply_org == "毕节市七星关区住房和城乡建设局"
    assert post.reply_at == NOW + timedelta(hours=8)
    assert post.board_state == "已办结"
    assert post.analyzed_at is None  # the analysis must look again
    assert post.first_seen_at == before[post.external_id][0] == NOW
    assert post.last_seen_at == later + timedelta(hours=6)
    untouched = stored[f"QXG{posts[0].id:08d}"]
    assert untouched.analyzed_at == NOW and untouched.last_seen_at == NOW
    assert [(r.items_new, r.items_updated) for r in runs] == [(40, 0), (0, 0), (1, 1)]
    assert all(r.status.value == "ok" for r in runs)
