"""The analysis stage over a real database: posts → events, labels, routing, deadlines,
outbox rows; idempotent; a post that breaks the analysis is set aside, not lost."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from storage import models
from storage.claims import LEASE, MATCHING_LOCK, claim_posts
from storage.db import transaction
from storage.enums import DeadlineState, Severity
from yuqing.analysis import Analyzer, analyze_pending
from yuqing.bootstrap import sync_directory

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in 七星关区

CRASH = ("海子街镇一客车侧翻坠入河道，已造成11人死亡",
         "今天上午海子街镇新开田村附近一辆载有30多人的客车侧翻坠入河道，据现场群众说已造成11人"
         "死亡、23人受伤，伤者已送往医院，现场还在搜救。希望政府尽快公布情况！")
REPOST = ("转：海子街镇客车坠河，11人死亡23人受伤",
          "转自毕节论坛：今天上午海子街镇新开田村附近一辆载有30多人的客车侧翻坠入河道，"
          "已造成11人死亡、23人受伤，现场还在搜救。")
GARBAGE = ("洪山街道洪山社区垃圾多日无人清运",
           "洪山街道洪山社区3组附近的垃圾池已经一个星期没有人清运了，臭味很大，蚊虫很多。"
           "希望洪山街道尽快安排清运。")


def add_post(sessions: sessionmaker[Session], source: str, ext: str, title: str, content: str,
             published: datetime, **extra: Any) -> int:
    with transaction(sessions) as session:
        post = models.Post(
            source_id=source, external_id=ext, url=f"http://boards.example/{source}/{ext}",
            title=title, content=content, published_at=published, first_seen_at=published
            + timedelta(minutes=2), last_seen_at=published + timedelta(minutes=2),
            content_hash=hashlib.sha256(content.encode()).hexdigest(), **extra,
        )
        session.add(post)
        session.flush()
        return post.id


def build(settings: Settings, sessions: sessionmaker[Session], cache: dict[str, Any]) -> Analyzer:
    # the models load once per module; the event index starts empty for every test
    if "analyzer" not in cache:
        cache["analyzer"] = Analyzer.build(settings, sessions, T0)
    base: Analyzer = cache["analyzer"]
    return replace(base, index=base.models.event_index())


def test_an_emergency_and_its_repost_become_one_major_event_with_windows(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    analyzer = build(settings, db, analyzer_cache)
    first = add_post(db, "bijie-forum", "t1", *CRASH, T0)
    add_post(db, "tieba-qxg", "p9", *REPOST, T0 + timedelta(minutes=30))
    add_post(db, "people-liuyan", "71001", *GARBAGE, T0 + timedelta(minutes=5),
             board_type="投诉/求助")

    report = analyze_pending(analyzer, db, T0 + timedelta(hours=1))
    assert (report.posts, report.new_events, report.joined) == (3, 2, 1)

    with db() as session:
        crash_event = session.get(models.Post, first).event  # type: ignore[union-attr]
        assert crash_event is not None
        assert crash_event.post_count == 2
        assert crash_event.severity is Severity.MAJOR
        assert crash_event.emergency_type == "事故灾难"
        assert crash_event.started_at.replace(tzinfo=UTC) == T0  # the earliest post's own time
        roles = {a.unit_id: a.role.value for a in session.scalars(
            select(models.Assignment).where(models.Assignment.event_id == crash_event.id))}
        assert roles[crash_event.lead_unit_id] == "lead"  # type: ignore[index]
        assert roles["qzfb"] == roles["xcb"] == "coordinate"
        windows = {d.kind: d for d in session.scalars(
            select(models.Deadline).where(models.Deadline.event_id == crash_event.id))}
        assert windows["publish_info"].deadline_at.replace(tzinfo=UTC) == T0 + timedelta(hours=5)
        assert windows["press_conference"].deadline_at.replace(tzinfo=UTC) == (
            T0 + timedelta(hours=24))
        rows = list(session.scalars(
            select(models.Outbox).where(models.Outbox.event_id == crash_event.id)))
        kinds = [o.kind for o in rows]
        assert kinds.count("assignment") == len(roles)
        assert kinds.count("new_major_event") == 1
        # named by role: the duty contacts in force when it is sent
        assert [o.recipients for o in rows if o.kind == "new_major_event"] == [["duty"]]
        labels = {c.kind for c in session.scalars(select(models.Classification).where(
            models.Classification.event_id == crash_event.id))}
        # an emergency is no suggestion, though its poster asks the government to act
        assert labels == {"topic", "severity", "rumour"}
        assert crash_event.handling is None

        garbage = session.scalars(select(models.Event).where(
            models.Event.id != crash_event.id)).one()
        assert garbage.severity is Severity.ROUTINE
        assert garbage.lead_unit_id == "hongshan"
        assert garbage.handling == "投诉/求助"
        assert "respond" in {d.kind for d in session.scalars(
            select(models.Deadline).where(models.Deadline.event_id == garbage.id))}

    # nothing is waiting: a second run changes nothing
    again = analyze_pending(analyzer, db, T0 + timedelta(hours=2))
    assert again.posts == 0
    with db() as session:
        assert session.scalar(select(func.count()).select_from(models.Event)) == 2


def test_an_official_reply_found_later_closes_the_response_window(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    analyzer = build(settings, db, analyzer_cache)
    post_id = add_post(db, "people-liuyan", "71002", *GARBAGE, T0, board_type="投诉/求助")
    analyze_pending(analyzer, db, T0 + timedelta(minutes=10))
    replied = T0 + timedelta(hours=20)
    with transaction(db) as session:
        post = session.get(models.Post, post_id)
        assert post is not None
        post.reply_content = "您好，洪山街道已安排环卫人员于今日完成清运。"
        post.reply_at, post.reply_org = replied, "七星关区洪山街道办事处"
        post.analyzed_at = None  # what the crawler does when a reply appears
    report = analyze_pending(analyzer, db, T0 + timedelta(hours=21))
    assert report.replies == 1 and report.new_events == 0
    with db() as session:
        respond = session.scalars(select(models.Deadline).where(
            models.Deadline.kind == "respond")).one()
        assert respond.state is DeadlineState.MET
        assert respond.met_at is not None and respond.met_at.replace(tzinfo=UTC) == replied


def test_a_post_that_breaks_the_analysis_is_set_aside_and_the_rest_go_on(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    analyzer = build(settings, db, analyzer_cache)
    bad = add_post(db, "people-liuyan", "71003", "坏帖子", "这条内容会让分析出错", T0)
    good = add_post(db, "people-liuyan", "71004", *GARBAGE, T0)
    real = analyzer.models.classifier.predict

    def predict(posts: Any) -> Any:
        if any(p.title == "坏帖子" for p in posts):
            raise ValueError("cannot analyse this text")
        return real(posts)

    monkeypatch.setattr(analyzer.models.classifier, "predict", predict)
    report = analyze_pending(analyzer, db, T0 + timedelta(minutes=5))
    assert report.posts == 1
    with db() as session:
        bad_post, good_post = session.get(models.Post, bad), session.get(models.Post, good)
        assert bad_post is not None and good_post is not None
        assert bad_post.event_id is None and bad_post.analyzed_at is not None
        assert good_post.event_id is not None
        failure = session.scalars(select(models.EventLog).where(
            models.EventLog.action == "analysis_failed")).one()
        assert failure.entity_id == bad and "cannot analyse" in (failure.reason or "")


def test_posts_claimed_by_another_process_wait_for_its_lease(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    analyzer = build(settings, db, analyzer_cache)
    theirs = add_post(db, "bijie-forum", "t2", *CRASH, T0)
    ours = add_post(db, "people-liuyan", "71005", *GARBAGE, T0, board_type="投诉/求助")
    assert claim_posts(db, T0, lease=LEASE, owner="other", limit=1) == [theirs]

    report = analyze_pending(analyzer, db, T0 + timedelta(seconds=10), owner="me")
    assert report.posts == 1
    with db() as session:
        waiting = session.get(models.Post, theirs)
        assert waiting is not None and waiting.analyzed_at is None
        assert waiting.claimed_by == "other"
        done = session.get(models.Post, ours)
        assert done is not None and done.analyzed_at is not None and done.claimed_by is None
    # the other process died: its post is taken over once the lease has run out
    report = analyze_pending(analyzer, db, T0 + LEASE + timedelta(seconds=1), owner="me")
    assert report.posts == 1 and report.new_events == 1
    with db() as session:
        post = session.get(models.Post, theirs)
        assert post is not None and post.analyzed_at is not None and post.claimed_at is None
        created = session.scalars(select(models.EventLog.detail).where(
            models.EventLog.action == "created")).all()
        assert sorted(d["post_id"] for d in created) == sorted([theirs, ours])


def test_a_batch_whose_claim_was_taken_over_keeps_none_of_its_work_on_that_post(
    sqlite_sessions: sessionmaker[Session], settings: Settings,
    analyzer_cache: dict[str, Any], monkeypatch: pytest.MonkeyPatch,
) -> None:
    db = sqlite_sessions
    with transaction(db) as session:
        sync_directory(session, settings)
    analyzer = build(settings, db, analyzer_cache)
    lost = add_post(db, "bijie-forum", "t3", *CRASH, T0)
    kept = add_post(db, "people-liuyan", "71006", *GARBAGE, T0, board_type="投诉/求助")
    real = analyzer.models.classifier.predict
    calls = []

    def predict(posts: Any) -> Any:
        if not calls:  # while the first batch runs, another process takes one post over
            with transaction(db) as other:
                other.execute(update(models.Post).where(models.Post.id == lost).values(
                    claimed_by="other", claimed_at=T0 + timedelta(minutes=5)))
        calls.append(len(posts))
        return real(posts)

    monkeypatch.setattr(analyzer.models.classifier, "predict", predict)
    report = analyze_pending(analyzer, db, T0 + timedelta(minutes=5), owner="me")
    assert report.posts == 1 and calls == [2, 1]  # the batch rolled back; kept went alone
    with db() as session:
        post = session.get(models.Post, lost)
        assert post is not None and post.analyzed_at is None and post.event_id is None
        assert post.claimed_by == "other"
        assert session.scalar(select(func.count()).select_from(models.Classification).where(
            models.Classification.post_id == lost)) == 0
        assert session.scalars(select(models.EventLog.action).where(
            models.EventLog.action == "analysis_failed")).all() == []
        done = session.get(models.Post, kept)
        assert done is not None and done.event_id is not None


def test_a_follow_up_analysed_by_another_process_joins_the_event_it_opened(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    """Two processes share the database, each with its own event index, both started before
    the crash was posted: the repost analysed by the second joins the first's event."""
    here, there = build(settings, db, analyzer_cache), build(settings, db, analyzer_cache)
    first = add_post(db, "bijie-forum", "t7", *CRASH, T0)
    assert analyze_pending(there, db, T0 + timedelta(minutes=10), owner="there").new_events == 1
    second = add_post(db, "tieba-qxg", "p77", *REPOST, T0 + timedelta(minutes=30))

    report = analyze_pending(here, db, T0 + timedelta(minutes=40), owner="here")
    assert (report.posts, report.new_events, report.joined) == (1, 0, 1)
    with db() as session:
        a, b = session.get(models.Post, first), session.get(models.Post, second)
        assert a is not None and b is not None and a.event_id == b.event_id
        assert session.scalar(select(func.count()).select_from(models.Event)) == 1
    # caught up once, it reads nothing again until something changes
    with db() as session:
        assert here.catch_up(session) == 0


@pytest.mark.postgres
@pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)  # SQLite runs one service
def test_matching_waits_for_another_process_matching_on_postgresql(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    """While one process matches (its transaction holds the lock), another's batch waits and
    then reads the event the first committed, instead of opening a second one."""
    here = build(settings, db, analyzer_cache)
    add_post(db, "bijie-forum", "t8", *CRASH, T0)
    done = threading.Event()
    reports: list[Any] = []

    def run() -> None:
        reports.append(analyze_pending(here, db, T0 + timedelta(minutes=10), owner="here"))
        done.set()

    with db.begin() as holder:
        holder.execute(select(func.pg_advisory_xact_lock(MATCHING_LOCK)))
        worker = threading.Thread(target=run)
        worker.start()
        assert not done.wait(1.5), "the batch matched while another process held the lock"
    worker.join(30)
    assert done.is_set() and reports[0].new_events == 1
