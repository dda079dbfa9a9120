"""A 一般 event raised to 重大 by a follow-up post, end to end through the analysis stage on a
real database: the emergency plan's unit takes the lead, the former lead goes on as a co-unit,
both are told what changed and why, and no unit is charged for time before it was assigned.

The service's process and the mail server are not needed for this: the analysis writes the
assignments, the clocks and the outbox rows that the mail step sends (see test_pipeline.py for
that step end to end)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from response_sla.configured import from_settings
from storage import models
from storage.db import transaction
from storage.enums import AssignmentRole, DeadlineState, OutboxKind, Severity
from yuqing.analysis import Analyzer, analyze_pending
from yuqing.bootstrap import sync_directory
from yuqing.cases.labels import review_label
from yuqing.cases.units import acknowledge
from yuqing.digest import history
from yuqing.digest.figures import Windows, breaches, unit_directory, unit_figures
from yuqing.digest.weeks import Period

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in the sample county
FIRST = ("海子街镇一客车侧翻坠入河道",
         "今天上午海子街镇新开田村附近一辆客车侧翻坠入河道，有人受伤，伤者已送往医院，"
         "现场正在救援。")
FOLLOW_UP = ("海子街镇客车坠河事故已造成11人死亡",
             "海子街镇新开田村附近客车侧翻坠入河道的事故，目前已造成11人死亡、23人受伤，"
             "现场还在搜救。")


def _post(sessions: sessionmaker[Session], ext: str, title: str, content: str,
          published: datetime) -> None:
    with transaction(sessions) as session:
        session.add(models.Post(
            source_id="people-liuyan", external_id=ext, url=f"http://boards.example/{ext}",
            title=title, content=content, published_at=published, first_seen_at=published,
            last_seen_at=published, content_hash=hashlib.sha256(content.encode()).hexdigest(),
        ))


@pytest.fixture
def db(sessions: sessionmaker[Session], settings: Settings) -> sessionmaker[Session]:
    with transaction(sessions) as session:
        sync_directory(session, settings)
    return sessions


def test_an_upgrade_by_a_follow_up_moves_the_lead_and_charges_no_unit_for_earlier_time(
    db: sessionmaker[Session], settings: Settings
) -> None:
    analyzer = Analyzer.build(settings, db, T0)
    _post(db, "8001", *FIRST, T0)
    analyze_pending(analyzer, db, T0 + timedelta(minutes=5))
    with db() as session:
        event = session.scalars(select(models.Event)).one()
        assert event.severity is Severity.GENERAL
        assert event.lead_unit_id == "haizijie"  # 属地, a 一般 accident
    with transaction(db) as session:  # the town signs for it in time
        for a in session.scalars(select(models.Assignment)):
            acknowledge(session, a, T0 + timedelta(minutes=30), from_settings(settings),
                        actor=f"unit:{a.unit_id}")

    # seven hours later a follow-up tells 11 dead: 重大, and the event's 5 h is long past
    upgraded = T0 + timedelta(hours=7, minutes=5)
    _post(db, "8002", *FOLLOW_UP, T0 + timedelta(hours=7))
    report = analyze_pending(analyzer, db, upgraded)
    assert report.raised == 1 and report.new_events == 0

    with db() as session:
        event = session.scalars(select(models.Event)).one()
        assert event.severity is Severity.MAJOR
        lead = settings.jurisdiction.emergency_leads["事故灾难"]
        assert event.lead_unit_id == lead
        held = {a.unit_id: a for a in session.scalars(select(models.Assignment))
                if a.active}
        assert held[lead].role is AssignmentRole.LEAD
        assert held["haizijie"].role is AssignmentRole.CO  # the former lead stays on

        # both are told, with what changed and why
        told = {(o.unit_id, o.payload.get("role"), o.payload.get("role_before"),
                 o.payload.get("reason"))
                for o in session.scalars(select(models.Outbox).where(
                    models.Outbox.kind == OutboxKind.ASSIGNMENT,
                    models.Outbox.created_at >= upgraded))}
        assert (lead, "lead", None, "升级为重大") in told
        assert ("haizijie", "co", "lead", "升级为重大") in told
        # the statutory 5 h missed before the upgrade goes to the duty office, no unit
        breach_to = [o.recipients for o in session.scalars(select(models.Outbox).where(
            models.Outbox.kind == OutboxKind.BREACH))]
        assert breach_to and all(r == ["duty"] for r in breach_to)

        clocks = {(d.kind, d.unit_id): d for d in session.scalars(select(models.Deadline))}
        statutory = clocks[("publish_info", lead)]
        assert statutory.state is DeadlineState.BREACHED
        own = clocks[("unit_publish_info", lead)]
        assert own.state is DeadlineState.OPEN
        assert own.starts_at.replace(tzinfo=UTC) == upgraded  # its own 5 h from its assignment
        assert own.deadline_at.replace(tzinfo=UTC) == upgraded + timedelta(hours=5)
        assert clocks[("unit_publish_info", "haizijie")].state is DeadlineState.CANCELLED

        # the week's figures: the statutory breach is reported, as found too late, and
        # charged to no unit
        end = upgraded + timedelta(hours=1)
        h = history.load(session, T0 - timedelta(days=1), end)
        windows = Windows(from_settings(settings).policy)
        figures = unit_figures(h, T0 - timedelta(days=1), end, end, unit_directory(session),
                               windows)
        assert figures[lead].breaches == 0 and figures["haizijie"].breaches == 0
        rows = breaches(h, Period("test", T0 - timedelta(days=1), end), unit_directory(session),
                        windows, lambda s: s)
        late = [r for r in rows if r.window == "发布权威信息"]
        assert late and all(r.late_detection for r in late)


def test_lowering_an_upgraded_event_gives_the_lead_back_and_stops_unmet_windows(
    db: sessionmaker[Session], settings: Settings
) -> None:
    analyzer = Analyzer.build(settings, db, T0)
    _post(db, "8101", *FIRST, T0)
    analyze_pending(analyzer, db, T0 + timedelta(minutes=5))
    upgraded = T0 + timedelta(hours=1, minutes=5)
    _post(db, "8102", *FOLLOW_UP, T0 + timedelta(hours=1))
    analyze_pending(analyzer, db, upgraded)
    lead = settings.jurisdiction.emergency_leads["事故灾难"]
    lowered = upgraded + timedelta(hours=1)
    with transaction(db) as session:
        event = session.scalars(select(models.Event)).one()
        assert event.lead_unit_id == lead
        # the duty officer finds the deaths were a rumour: back to 一般
        review_label(session, event, "severity", "一般", "死亡人数系误传", lowered,
                     from_settings(settings), actor="user:1", reviewer=None)
    with db() as session:
        event = session.scalars(select(models.Event)).one()
        assert event.severity is Severity.GENERAL
        assert event.lead_unit_id == "haizijie"
        held = {a.unit_id: a.role for a in session.scalars(select(models.Assignment))
                if a.active}
        assert held["haizijie"] is AssignmentRole.LEAD and held[lead] is AssignmentRole.CO
        told = {(o.unit_id, o.payload.get("role"), o.payload.get("reason"))
                for o in session.scalars(select(models.Outbox).where(
                    models.Outbox.kind == OutboxKind.ASSIGNMENT,
                    models.Outbox.created_at >= lowered))}
        assert told == {("haizijie", "lead", "死亡人数系误传"), (lead, "co", "死亡人数系误传")}
        # the windows of 重大 not yet met stop; none is charged
        for d in session.scalars(select(models.Deadline).where(models.Deadline.kind.in_(
                ["publish_info", "press_conference", "unit_publish_info",
                 "unit_press_conference"]))):
            assert d.state is DeadlineState.CANCELLED, d.kind
