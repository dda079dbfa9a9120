"""待核实 and follow-ups in the service: the analysis stage and the case service over a real
database (posts → events, the alert, routing, clocks; confirm and dismiss)."""

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from response_sla.configured import from_settings
from response_sla.directory import Directory
from storage import models
from storage.db import transaction
from storage.enums import AssignmentRole, DeadlineState, ReviewStatus, Severity, Verification
from tests.yuqing.test_analysis import T0, add_post, build
from yuqing.analysis import Analyzer, analyze_pending
from yuqing.cases import verification
from yuqing.cases.errors import CaseError
from yuqing.cases.events import mark_not_relevant
from yuqing.cases.merge import merge_events

DEBUNKED = ("网传海子街镇大桥垮塌死亡30人", "网传海子街镇大桥垮塌死亡30人系谣言，经核实，事故造成3人死亡、"
            "5人受伤，伤者已送医。")
DOUBTED = ("群里在传海子街镇中毒死了十几个", "群里都在传海子街镇中毒死了十几个人，应该是假的吧，我们镇上"
           "一点动静都没有。")
FIRST = ("海子街镇新开田村客车坠河", "今天上午新开田村附近一辆客车侧翻坠入河道，已造成3人死亡、"
         "20多人受伤，现场还在搜救。希望政府尽快公布情况！")
# shares no emergency word with FIRST: the update rule joins it
UPDATE = ("海子街镇客车事故最新：死亡人数升至11人", "最新：海子街镇那起客车事故死亡人数已上升至"
          "11人，仍有2人失联，家属在医院门口等消息。")


def _event_of(session: Session, post_id: int) -> models.Event:
    post = session.get(models.Post, post_id)
    assert post is not None and post.event is not None
    return post.event


def _outbox(session: Session, event_id: int, kind: str) -> list[models.Outbox]:
    return list(session.scalars(select(models.Outbox).where(
        models.Outbox.event_id == event_id, models.Outbox.kind == kind)))


def _actions(session: Session, event_id: int) -> list[str]:
    return list(session.scalars(select(models.EventLog.action).where(
        models.EventLog.event_id == event_id).order_by(models.EventLog.id)))


def _pending(db: sessionmaker[Session], analyzer: Analyzer, ext: str,
             text: tuple[str, str]) -> int:
    post_id = add_post(db, "bijie-forum", ext, *text, T0)
    analyze_pending(analyzer, db, T0 + timedelta(minutes=10))
    with db() as session:
        event = _event_of(session, post_id)
        assert event.verification is Verification.PENDING
        return event.id


def test_a_lowered_major_figure_is_put_to_the_duty_officers_at_once(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    analyzer = build(settings, db, analyzer_cache)
    post_id = add_post(db, "bijie-forum", "v1", *DEBUNKED, T0)
    analyze_pending(analyzer, db, T0 + timedelta(minutes=10))
    with db() as session:
        event = _event_of(session, post_id)
        assert event.severity is Severity.LARGE  # the grade in force: 3 deaths
        assert (event.verification, event.candidate_severity) == (
            Verification.PENDING, Severity.EXTRAORDINARY)
        assert event.candidate_type == "事故灾难"
        (alert,) = _outbox(session, event.id, "new_major_event")
        assert alert.recipients == ["duty"]
        assert alert.payload == {"severity": "较大", "verification": "pending",
                                 "candidate": "特别重大"}
        asked = session.scalars(select(models.EventLog).where(
            models.EventLog.action == "verification_requested")).one()
        assert asked.detail["post_id"] == post_id
        assert any(c.startswith("debunk") for c in asked.detail["cues"])
        # no 5 h / 24 h window until someone confirms it
        kinds = set(session.scalars(select(models.Deadline.kind).where(
            models.Deadline.event_id == event.id)))
        assert "publish_info" not in kinds


def test_confirming_takes_the_grade_opens_the_statutory_windows_and_routes_as_major(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    analyzer = build(settings, db, analyzer_cache)
    event_id = _pending(db, analyzer, "v2", DOUBTED)
    now = T0 + timedelta(hours=1)
    sla, directory = from_settings(settings), Directory.from_jurisdiction(settings.jurisdiction)
    with transaction(db) as session:
        event = session.get(models.Event, event_id)
        assert event is not None and event.severity is Severity.ROUTINE
        old = verification.confirm(session, event, "电话核实：确有人员死亡", now, sla, directory,
                                   actor="user:1", reviewer=None)
        assert old is Severity.ROUTINE
    with db() as session:
        event = session.get(models.Event, event_id)
        assert event is not None
        assert event.severity is Severity.MAJOR and event.verification is Verification.CONFIRMED
        assert event.emergency_type is not None and event.handling is None
        windows = {d.kind: d for d in session.scalars(select(models.Deadline).where(
            models.Deadline.event_id == event_id, models.Deadline.state != DeadlineState.CANCELLED))}
        # counted from the first post's time, not from the confirmation
        assert windows["publish_info"].starts_at.replace(tzinfo=UTC) == T0
        assert windows["publish_info"].deadline_at.replace(tzinfo=UTC) == T0 + timedelta(hours=5)
        assert windows["press_conference"].deadline_at.replace(tzinfo=UTC) == (
            T0 + timedelta(hours=24))
        roles = {a.unit_id: a.role for a in session.scalars(select(models.Assignment).where(
            models.Assignment.event_id == event_id, models.Assignment.active.is_(True)))}
        lead = settings.jurisdiction.emergency_leads[event.emergency_type]
        assert event.lead_unit_id == lead and roles[lead] is AssignmentRole.LEAD
        assert roles["qzfb"] is roles["xcb"] is AssignmentRole.COORDINATE
        assert sum(r is AssignmentRole.LEAD for r in roles.values()) == 1
        # the 待核实 alert was the announcement: no second one
        assert len(_outbox(session, event_id, "new_major_event")) == 1
        log = session.scalars(select(models.EventLog).where(
            models.EventLog.action == "verification_confirmed")).one()
        assert log.actor == "user:1" and log.reason == "电话核实：确有人员死亡"
        assert (log.detail["candidate"], log.detail["to"]) == ("重大", "重大")
        human = session.scalars(select(models.Classification).where(
            models.Classification.event_id == event_id,
            models.Classification.model_version == "human")).one()
        assert (human.label, human.status) == ("重大", ReviewStatus.CORRECTED)
        # answered: a second answer is refused
        with pytest.raises(CaseError):
            verification.dismiss(session, event, "x", now, actor="user:1", reviewer=None)


def test_dismissing_needs_a_reason_and_keeps_the_grade(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    analyzer = build(settings, db, analyzer_cache)
    event_id = _pending(db, analyzer, "v3", DEBUNKED)
    now = T0 + timedelta(hours=1)
    with transaction(db) as session:
        event = session.get(models.Event, event_id)
        assert event is not None
        with pytest.raises(CaseError, match="排除理由"):
            verification.dismiss(session, event, "  ", now, actor="user:1", reviewer=None)
        verification.dismiss(session, event, "区应急局已辟谣，实际3人死亡", now, actor="user:1",
                             reviewer=None)
    with db() as session:
        event = session.get(models.Event, event_id)
        assert event is not None
        assert event.severity is Severity.LARGE and event.verification is Verification.DISMISSED
        assert "publish_info" not in set(session.scalars(select(models.Deadline.kind).where(
            models.Deadline.event_id == event_id)))
        assert _actions(session, event_id)[-1] == "verification_dismissed"
        row = session.scalars(select(models.EventLog).where(
            models.EventLog.action == "verification_dismissed")).one()
        assert row.reason == "区应急局已辟谣，实际3人死亡"
        assert row.detail["candidate"] == "特别重大" and row.detail["cues"]


def test_nothing_to_verify_is_refused_and_a_merge_carries_the_question(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    analyzer = build(settings, db, analyzer_cache)
    sla = from_settings(settings)
    directory = Directory.from_jurisdiction(settings.jurisdiction)
    pending = _pending(db, analyzer, "v4", DOUBTED)
    other = add_post(db, "people-liuyan", "v5", "洪山社区垃圾多日无人清运",
                     "洪山社区3组附近的垃圾池已经一个星期没有人清运了。", T0)
    analyze_pending(analyzer, db, T0 + timedelta(minutes=20))
    now = T0 + timedelta(hours=1)
    with transaction(db) as session:
        target = _event_of(session, other)
        with pytest.raises(CaseError, match="没有待核实"):
            verification.confirm(session, target, "", now, sla, directory, actor="user:1",
                                 reviewer=None)
        event = session.get(models.Event, pending)
        assert event is not None
        merge_events(session, event, target, "同一事", now, sla, actor="user:1")
        assert target.verification is Verification.PENDING
        assert target.candidate_severity is Severity.MAJOR
        assert event.verification is Verification.NONE
        mark_not_relevant(session, target, "误报", now, sla, actor="user:1", reviewer=None)
        with pytest.raises(CaseError, match="不在处置中"):
            verification.confirm(session, target, "", now, sla, directory, actor="user:1",
                                 reviewer=None)


def test_a_follow_up_joins_raises_and_routes_once(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    """The bus crash of the demo: 3 deaths (较大), then "死亡人数升至11人" on another board."""
    analyzer = build(settings, db, analyzer_cache)
    first = add_post(db, "bijie-forum", "c1", *FIRST, T0)
    analyze_pending(analyzer, db, T0 + timedelta(minutes=5))
    with db() as session:
        event = _event_of(session, first)
        assert event.severity is Severity.LARGE and event.handling is None
        first_lead = event.lead_unit_id
        assert not _outbox(session, event.id, "new_major_event")
    update = add_post(db, "tieba-qxg", "c2", *UPDATE, T0 + timedelta(hours=3))
    report = analyze_pending(analyzer, db, T0 + timedelta(hours=3, minutes=5))
    assert (report.new_events, report.joined, report.raised) == (0, 1, 1)
    with db() as session:
        event = _event_of(session, update)
        assert event.id == _event_of(session, first).id and event.post_count == 2
        assert event.severity is Severity.MAJOR
        assert len(_outbox(session, event.id, "new_major_event")) == 1
        assignments = list(session.scalars(select(models.Assignment).where(
            models.Assignment.event_id == event.id)))
        units = [a.unit_id for a in assignments]
        assert len(units) == len(set(units))  # nobody given the case twice
        roles = {a.unit_id: a.role for a in assignments}
        assert roles[event.lead_unit_id or ""] is AssignmentRole.LEAD
        assert event.lead_unit_id == settings.jurisdiction.emergency_leads["事故灾难"]
        assert first_lead is not None and roles[first_lead] is AssignmentRole.CO
        assert roles["qzfb"] is roles["xcb"] is AssignmentRole.COORDINATE
        publish = list(session.scalars(select(models.Deadline).where(
            models.Deadline.event_id == event.id, models.Deadline.kind == "publish_info")))
        assert len(publish) == 1  # one set of statutory clocks, from the first post
        assert publish[0].starts_at.replace(tzinfo=UTC) == T0
        joined = session.scalars(select(models.EventLog).where(
            models.EventLog.action == "post_joined")).one()
        assert "死亡 11 人" in joined.detail["figures"]
        assert joined.reason and joined.reason.startswith("update (")
        assert session.scalar(select(func.count()).select_from(models.Event)) == 1


def test_the_index_rebuilt_after_a_restart_still_joins_follow_ups(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    analyzer = build(settings, db, analyzer_cache)
    first = add_post(db, "bijie-forum", "r1", *FIRST, T0)
    analyze_pending(analyzer, db, T0 + timedelta(minutes=5))
    restarted = build(settings, db, analyzer_cache)
    with db() as session:
        assert restarted.reload_index(session, T0 + timedelta(hours=1)) == 1
    update = add_post(db, "tieba-qxg", "r2", *UPDATE, T0 + timedelta(hours=2))
    analyze_pending(restarted, db, T0 + timedelta(hours=2, minutes=5))
    with db() as session:
        assert _event_of(session, update).id == _event_of(session, first).id




def test_a_major_after_a_dismissal_is_announced_again(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    analyzer = build(settings, db, analyzer_cache)
    event_id = _pending(db, analyzer, "d1", DEBUNKED)
    with transaction(db) as session:
        event = session.get(models.Event, event_id)
        assert event is not None
        verification.dismiss(session, event, "已辟谣", T0 + timedelta(minutes=30),
                             actor="user:1", reviewer=None)
    later = add_post(db, "tieba-qxg", "d2", "海子街镇大桥垮塌事故最新：死亡人数升至12人",
                     "最新：海子街镇大桥垮塌事故死亡人数已上升至12人，仍有3人失联。",
                     T0 + timedelta(hours=4))
    analyze_pending(analyzer, db, T0 + timedelta(hours=4, minutes=5))
    with db() as session:
        event = _event_of(session, later)
        assert event.id == event_id and event.severity is Severity.MAJOR
        alerts = _outbox(session, event_id, "new_major_event")
        assert [a.payload.get("verification") for a in alerts] == ["pending", None]


def test_a_major_merged_into_an_ordinary_event_keeps_its_grade_and_windows(
    db: sessionmaker[Session], settings: Settings, analyzer_cache: dict[str, Any]
) -> None:
    analyzer = build(settings, db, analyzer_cache)
    sla = from_settings(settings)
    ordinary = add_post(db, "people-liuyan", "m1", "新开田村路边垃圾没人清运",
                        "新开田村河边路口的垃圾堆了好几天，没有人来清运。", T0)
    major = add_post(db, "bijie-forum", "m2", "海子街镇一化工厂爆炸",
                     "今天上午海子街镇一家化工厂发生爆炸，已造成12人死亡、30多人受伤。",
                     T0 + timedelta(minutes=30))
    analyze_pending(analyzer, db, T0 + timedelta(minutes=40))
    now = T0 + timedelta(hours=1)
    with transaction(db) as session:
        target, event = _event_of(session, ordinary), _event_of(session, major)
        assert target.id != event.id
        assert target.severity is Severity.ROUTINE and event.severity is Severity.MAJOR
        merge_events(session, event, target, "同一事", now, sla, actor="user:1")
        target_id = target.id
    with db() as session:
        target = session.get(models.Event, target_id)
        assert target is not None
        assert target.severity is Severity.MAJOR and target.handling is None
        assert target.emergency_type is not None
        windows = {d.kind: d for d in session.scalars(select(models.Deadline).where(
            models.Deadline.event_id == target_id,
            models.Deadline.state != DeadlineState.CANCELLED))}
        # the surviving event's windows count from the earliest post of both
        assert windows["publish_info"].deadline_at.replace(tzinfo=UTC) == T0 + timedelta(hours=5)
        assert windows["press_conference"].deadline_at.replace(tzinfo=UTC) == (
            T0 + timedelta(hours=24))
        log = session.scalars(select(models.EventLog).where(
            models.EventLog.event_id == target_id,
            models.EventLog.action == "severity_changed")).one()
        assert log.reason is not None and "为重大" in log.reason
