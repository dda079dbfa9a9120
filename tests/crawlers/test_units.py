"""Pure parts: relevance matching, time parsing, the upsert on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from crawlers.items import PostItem
from crawlers.relevance import Matcher, Term, vocabulary
from crawlers.spiders.gov_presets import resolve
from crawlers.store import Outcome, upsert_post
from crawlers.text import content_hash, parse_local_time
from domain.settings import Settings
from storage.models import Post, Source


def test_longest_match_and_generic_names(settings: Settings) -> None:
    matcher = Matcher(vocabulary(settings.jurisdiction))
    found = matcher.find("毕节市七星关区教育局回复：鸭池镇石桥村的学校")
    assert found == ["毕节市七星关区教育局", "鸭池镇", "石桥村"]
    assert matcher.relevant(found)
    generic = matcher.find("云岩区教育局和区住建局的回复")
    assert generic == ["区教育局", "区住建局"]
    assert not matcher.relevant(generic)  # every county has these
    assert matcher.relevant(matcher.find("七星关公安分局通报"))


def test_matcher_prefers_longer_names() -> None:
    m = Matcher([Term("洪山", False), Term("洪山街道", True), Term("洪山街道办", True)])
    assert m.find("洪山街道办回复，洪山街道，洪山") == ["洪山街道办", "洪山街道", "洪山"]


def test_local_times_become_utc() -> None:
    now = datetime(2024, 3, 1, 4, 0, tzinfo=UTC)  # 12:00 in Shanghai
    assert parse_local_time("2022-2-14 19:29:35") == datetime(2022, 2, 14, 11, 29, 35, tzinfo=UTC)
    assert parse_local_time("2023年1月5日 10:20") == datetime(2023, 1, 5, 2, 20, tzinfo=UTC)
    assert parse_local_time("07:38", now) == datetime(2024, 2, 29, 23, 38, tzinfo=UTC)
    assert parse_local_time("8-6", now) == datetime(2023, 8, 5, 16, 0, tzinfo=UTC)  # last year
    assert parse_local_time("2024-13-45") is None
    assert parse_local_time("昨天") is None


def test_content_hash_ignores_whitespace_and_width() -> None:
    assert content_hash("标题", "第一行\n第二行") == content_hash(" 标题 ", "第一行 第二行")
    assert content_hash("标题", "内容，") == content_hash("标题", "内容,")
    assert content_hash("标题", "内容") != content_hash("标题", "内容！")


def test_gov_presets() -> None:
    assert resolve({"layout": "table"})["rows"].startswith("//table")
    assert resolve({"layout": "list", "rows": "ol > li"})["rows"] == "ol > li"
    with pytest.raises(ValueError, match="unknown layout"):
        resolve({"layout": "grid"})
    with pytest.raises(ValueError, match="lack"):
        resolve({"rows": "tr"})


def test_upsert_on_both_databases(sessions: sessionmaker[Session]) -> None:
    now = datetime(2024, 5, 1, tzinfo=UTC)
    with sessions.begin() as s:
        s.add(Source(id="s", name="s", spider="gov_board", url="http://127.0.0.1/", params={}))
    item = PostItem("s", "1", "http://127.0.0.1/1", "标题", "内容", published_at=now,
                    board_state="待回复", raw={"a": 1})
    with sessions.begin() as s:
        assert upsert_post(s, item, now) is Outcome.NEW
    with sessions.begin() as s:
        assert upsert_post(s, item, now + timedelta(hours=1)) is Outcome.UNCHANGED
        s.execute(select(Post)).scalar_one().analyzed_at = now + timedelta(hours=1)
    item.reply_content, item.reply_org = "已处理", "区住建局"
    item.reply_at, item.board_state = now + timedelta(days=1), "已办结"
    item.content = ""  # the page lost its body this time
    with sessions.begin() as s:
        assert upsert_post(s, item, now + timedelta(days=2)) is Outcome.UPDATED
    with sessions() as s:
        post = s.execute(select(Post)).scalar_one()
    assert post.content == "内容" and post.reply_org == "区住建局"
    assert post.reply_at == now + timedelta(days=1) and post.board_state == "已办结"
    assert post.analyzed_at is None
    assert (post.first_seen_at, post.last_seen_at) == (now, now + timedelta(days=2))
    assert post.content_hash == content_hash("标题", "内容")
