"""Re-crawls: stop at known threads, revisit recent ones, record new official replies."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crawlers.localsite.boards import (
    Board,
    BoardPost,
    DiscuzBoard,
    GovTableBoard,
    PeopleBoard,
    TiebaBoard,
)
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
    assert (second.items_new, second.items_updated, second.items_unchanged) == (0, 0, 0)
    # page 1 holds the last 10 days; the 6 within 7 days of the crawl would be revisited, but
    # their rows read as before (same 状态), so no thread is fetched; page 2 is all older, so
    # paging stops there
    assert second.pages == 2

    answered = posts[-2]  # published two days ago
    answered.state, answered.reply_org = "已办结", "毕节市七星关区住房和城乡建设局"
    answered.reply_at, answered.reply_content = NOW + timedelta(hours=8), "已安排维修，路灯恢复。"
    posts.append(BoardPost(41, "七星关区第41号来信", "碧阳湖边路灯不亮", NOW, unit="区住建局"))
    third = crawl(settings, "g", now=later + timedelta(hours=6))
    # only the new thread and the one whose row now reads 已办结 are fetched
    assert (third.items_new, third.items_updated, third.items_unchanged) == (1, 1, 0)
    assert third.pages == 2 + 2

    with Session(engine) as s:
        stored = {p.external_id: p for p in s.scalars(select(Post))}
        runs = s.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
    assert len(stored) == 41  # never a duplicate
    post = stored[f"QXG{answered.id:08d}"]
    assert post.reply_content == "已安排维修，路灯恢复。"
    assert post.reply_org == "毕节市七星关区住房和城乡建设局"
    assert post.reply_at == NOW + timedelta(hours=8)
    assert post.board_state == "已办结" and post.list_state == "已办结"
    assert post.analyzed_at is None  # the analysis must look again
    assert post.first_seen_at == before[post.external_id][0] == NOW
    assert post.last_seen_at == later + timedelta(hours=6)
    untouched = stored[f"QXG{posts[0].id:08d}"]
    assert untouched.analyzed_at == NOW and untouched.last_seen_at == NOW
    assert [(r.items_new, r.items_updated) for r in runs] == [(40, 0), (0, 0), (1, 1)]
    assert all(r.status.value == "ok" for r in runs)


def _answer_people(p: BoardPost) -> None:
    p.state, p.reply_at = "已回复", NOW + timedelta(hours=7)
    p.reply_org, p.reply_content = "七星关区交通运输局", "已安排修复。"


def _answer_forum(p: BoardPost) -> None:
    p.extra["replies"] = 1  # the official reply is a reply: the list row's count goes up


@pytest.mark.parametrize(
    ("spider", "make", "path", "params", "answer"),
    [
        ("people_liuyan", lambda ps: PeopleBoard(ps, fid=585, prefix="/rmw"), "/rmw",
         {"fid": 585, "page_size": 10}, _answer_people),
        ("discuz", lambda ps: DiscuzBoard(ps, prefix="/dz"), "/dz/forum-2-1.html", {},
         _answer_forum),
        ("tieba", lambda ps: TiebaBoard(ps, prefix="/tb"), "/tb/f?kw=七星关", {}, _answer_forum),
    ],
)
def test_recent_threads_are_fetched_again_only_when_their_row_changes(
    site: LocalSite, crawl_db, crawl_settings, spider: str,
    make: Callable[[list[BoardPost]], Board], path: str, params: dict[str, Any],
    answer: Callable[[BoardPost], None],
) -> None:
    posts = [BoardPost(100 + i, f"七星关区碧阳大道第{i}段路灯不亮", "晚上一片漆黑，请尽快修复。",
                       NOW - timedelta(hours=10 * (i + 1))) for i in range(3)]
    site.add(make(posts))
    settings = crawl_settings(source("s", spider, site.base + path, scoped=True, params=params),
                              revisit_days=7)
    first = crawl(settings, "s")
    assert first.items_new == 3

    second = crawl(settings, "s", now=NOW + timedelta(hours=1))
    assert (second.items_new, second.items_updated, second.items_unchanged) == (0, 0, 0)
    assert second.pages == first.pages - 3  # the list pages alone

    answer(posts[1])
    third = crawl(settings, "s", now=NOW + timedelta(hours=8))
    assert third.items_new == 0
    assert third.items_updated + third.items_unchanged == 1  # that thread alone
    assert third.pages == second.pages + 1
    with Session(crawl_db[1]) as s:
        post = s.scalars(select(Post).where(Post.external_id.endswith(str(posts[1].id)))).one()
    if spider == "people_liuyan":
        assert post.reply_content == "已安排修复。" and post.board_state == "已回复"
    else:
        assert post.replies == 1
