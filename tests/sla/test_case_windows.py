"""Every window opens and a unit's public answer counts: a 网站找错 post opens its 2-working-day
window, and a board reply signed by the assigned unit is its 签收. Through the analysis stage
on a real database."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from response_sla.website import is_website_error_report
from storage import models
from storage.db import transaction
from storage.enums import AssignmentState, DeadlineState
from yuqing.analysis import Analyzer, analyze_pending
from yuqing.bootstrap import sync_directory

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in the sample county


def _post(sessions: sessionmaker[Session], ext: str, title: str, content: str) -> int:
    with transaction(sessions) as session:
        post = models.Post(
            source_id="qxg-12345", external_id=ext, url=f"http://boards.example/{ext}",
            title=title, content=content, published_at=T0, first_seen_at=T0, last_seen_at=T0,
            content_hash=hashlib.sha256(content.encode()).hexdigest(), board_type="投诉/求助",
        )
        session.add(post)
        session.flush()
        return post.id


@pytest.fixture
def db(sessions: sessionmaker[Session], settings: Settings) -> sessionmaker[Session]:
    with transaction(sessions) as session:
        sync_directory(session, settings)
    return sessions


@pytest.mark.parametrize(
    ("title", "content", "expected"),
    [
        ("区政府网站栏目打不开", "区政府网站的政务公开栏目点击后显示404，好几天了。", True),
        ("政府门户网站有错别字", "门户网站首页通知里有两个错别字。", True),
        ("我为政府网站找错", "通过我为政府网站找错平台反映：办事指南链接失效。", True),
        ("网上买的东西打不开", "在网上买的充电宝打不开，商家不退货。", False),
        ("政府网站通知说要停水", "看到政府网站通知说明天停水，具体几点恢复？", False),
    ],
)
def test_what_reads_as_a_website_error_report(title: str, content: str, expected: bool) -> None:
    assert is_website_error_report(title, content) is expected


def test_a_website_error_post_opens_its_two_working_day_window(
    db: sessionmaker[Session], settings: Settings
) -> None:
    analyzer = Analyzer.build(settings, db, T0)
    _post(db, "w1", "区政府网站栏目打不开", "七星关区政府网站的政务公开栏目点击后显示404，好几天了。")
    analyze_pending(analyzer, db, T0 + timedelta(minutes=5))
    with db() as session:
        window = session.scalars(select(models.Deadline).where(
            models.Deadline.kind == "website_error")).one()
        # 2 working days after Tuesday 24 November: the end of Thursday 26 November
        local = window.deadline_at.replace(tzinfo=UTC) + timedelta(hours=8)
        assert (local.month, local.day, local.hour) == (11, 27, 0)


def test_a_board_reply_by_the_assigned_unit_is_its_acknowledgement(
    db: sessionmaker[Session], settings: Settings
) -> None:
    analyzer = Analyzer.build(settings, db, T0)
    post_id = _post(db, "g1", "洪山街道洪山社区垃圾多日无人清运",
                    "洪山街道洪山社区3组附近的垃圾池已经一个星期没有人清运了，臭味很大。")
    analyze_pending(analyzer, db, T0 + timedelta(minutes=5))
    replied = T0 + timedelta(hours=1)
    with transaction(db) as session:
        post = session.get(models.Post, post_id)
        assert post is not None
        post.reply_content = "您好，洪山街道已安排环卫人员于今日完成清运。"
        post.reply_at, post.reply_org = replied, "七星关区洪山街道办事处"
        post.analyzed_at = None  # what the crawler does when a reply appears
    analyze_pending(analyzer, db, T0 + timedelta(hours=2))
    with db() as session:
        a = session.scalars(select(models.Assignment).where(
            models.Assignment.unit_id == "hongshan")).one()
        assert a.state is AssignmentState.ACKNOWLEDGED
        assert a.acknowledged_at is not None and a.acknowledged_at.replace(tzinfo=UTC) == replied
        ack = session.scalars(select(models.Deadline).where(
            models.Deadline.kind == "acknowledge", models.Deadline.assignment_id == a.id)).one()
        assert ack.state is DeadlineState.MET
        # a co-unit that did not sign the reply still owes its own 签收
        others = session.scalars(select(models.Deadline).where(
            models.Deadline.kind == "acknowledge", models.Deadline.assignment_id != a.id)).all()
        assert all(d.state is DeadlineState.OPEN for d in others)
