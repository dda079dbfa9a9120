"""The event around its clocks: state follows the windows; windows follow the event's start."""

from __future__ import annotations

from datetime import UTC, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from response_sla import service
from response_sla.configured import SlaSetup
from response_sla.evidence import Evidence
from response_sla.tick import tick
from storage import models
from storage.enums import AssignmentRole, DeadlineState, EventState, Severity
from tests.sla import factories as f
from tests.sla.conftest import sh

S = sh(2025, 9, 26, 10)


def _clock(session: Session, event_id: int, kind: str) -> models.Deadline:
    return session.scalars(
        select(models.Deadline)
        .where(models.Deadline.event_id == event_id, models.Deadline.kind == kind)
        .order_by(models.Deadline.id.desc())
        .limit(1)
        .execution_options(populate_existing=True)
    ).one()


def _log(session: Session, event_id: int, action: str) -> list[models.EventLog]:
    return list(
        session.scalars(
            select(models.EventLog)
            .where(models.EventLog.event_id == event_id, models.EventLog.action == action)
            .order_by(models.EventLog.id)
        )
    )


def test_event_state_follows_response_then_resolve(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S)
        a = f.assign(s, e, "zjj", S)
        service.open_clocks(s, e, S, sla)
        service.acknowledge(s, a, S + timedelta(hours=1), sla, "unit:zjj")
        assert e.state is EventState.OPEN  # the 48 h response window still runs
        service.record_response(s, a, S + timedelta(hours=5), sla, "unit:zjj", text="已处理")
        assert e.state is EventState.RESPONDED  # 办结 runs on; no response window is open
        service.record_response(
            s, a, S + timedelta(days=3), sla, "unit:zjj", text="已办结", milestone="resolve"
        )
        assert e.state is EventState.CLOSED
        changes = [(r.detail["from"], r.detail["to"]) for r in _log(s, e.id, "state_changed")]
        assert changes == [("open", "responded"), ("responded", "closed")]
        # 重办: a new 办结 cycle runs; the response itself stands
        service.reopen_event(
            s, e, S + timedelta(days=4), sla, actor="user:1", reason="群众不满意"
        )
        assert e.state is EventState.RESPONDED


def test_raising_severity_reopens_a_responded_event(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S)
        service.open_clocks(s, e, S, sla)
        ev = Evidence.from_url("respond", "https://gov.example/1", S + timedelta(hours=2), "user:1")
        service.record_milestone(s, e.id, ev, S + timedelta(hours=2), sla)
        assert e.state is EventState.RESPONDED
        e.severity = Severity.MAJOR
        service.on_severity_change(
            s,
            e,
            Severity.GENERAL,
            S + timedelta(hours=3),
            sla,
            actor="user:1",
            reason="有人员被困",
        )
        assert e.state is EventState.OPEN  # 5 h and 24 h windows now run
        (row,) = _log(s, e.id, "severity_changed")
        assert row.reason == "有人员被困" and row.detail == {"from": "一般", "to": "重大"}


def test_dropped_events_are_left_alone(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S, state=EventState.NOT_RELEVANT)
        service.open_clocks(s, e, S, sla)
        assert service.settle_event(s, e.id, S, sla, actor="user:1") is None
        assert e.state is EventState.NOT_RELEVANT


def test_restart_windows_when_the_start_moves(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S, Severity.MAJOR)
        f.assign(s, e, "zjj", S)
        service.open_clocks(s, e, S, sla)
        resolve_before = _clock(s, e.id, "resolve").deadline_at
        # an earlier post merged in: the 5 h window is already past and breaches now
        e.started_at = S - timedelta(hours=6)
        now = S + timedelta(minutes=30)
        moved = service.restart_windows(s, e, now, sla, actor="user:1", reason="合并")
        assert len(moved) == 2  # publish_info and press_conference; not 签收 or 办结
        publish = _clock(s, e.id, "publish_info")
        assert publish.state is DeadlineState.BREACHED
        assert publish.original_deadline_at == S - timedelta(hours=1)
        assert _clock(s, e.id, "press_conference").deadline_at == S + timedelta(hours=18)
        assert _clock(s, e.id, "resolve").deadline_at == resolve_before  # from the assignment
        assert {o.kind for o in s.scalars(select(models.Outbox))} == {"breach"}
        s.refresh(e)
        assert e.next_deadline_at == S - timedelta(hours=1)
        # the early post split off again: the breached window opens again with its old end
        e.started_at = S
        service.restart_windows(
            s, e, now + timedelta(minutes=5), sla, actor="user:1", reason="拆分"
        )
        publish = _clock(s, e.id, "publish_info")
        assert publish.state is DeadlineState.OPEN and publish.deadline_at == S + timedelta(hours=5)
        assert len(_log(s, e.id, "restarted")) == 4
        # nothing moves when the start is unchanged
        assert service.restart_windows(s, e, now, sla, actor="x", reason="") == []


def test_a_lead_told_with_the_event_answers_for_the_statutory_windows_itself(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    """No second 5 h for the lead of an event that was major from its first windows, however
    often its clocks are revisited; a new lead by a later change gets its own from then."""
    with sessions.begin() as s:
        e = f.event(s, S, Severity.MAJOR)
        first = f.assign(s, e, "zjj", S)
        service.open_clocks(s, e, S, sla)
        f.assign(s, e, "hbj", S + timedelta(hours=1), role=AssignmentRole.CO)
        service.open_clocks(s, e, S + timedelta(hours=1), sla)
        kinds = {d.kind for d in s.scalars(select(models.Deadline))}
        assert "unit_publish_info" not in kinds
        # the duty officer makes another unit lead three hours in: its own 5 h from then
        later = S + timedelta(hours=3)
        first.role = AssignmentRole.CO
        a = f.assign(s, e, "yjj", later)
        e.lead_unit_id = "yjj"
        service.open_clocks(s, e, later, sla, own_windows=True)
        own = _clock(s, e.id, "unit_publish_info")
        assert own.unit_id == "yjj" and own.assignment_id == a.id
        assert own.deadline_at.replace(tzinfo=UTC) == (later + timedelta(hours=5)).astimezone(UTC)


def test_a_statutory_window_opened_by_a_raise_is_the_duty_offices(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    """Raised to 重大 at 3 h, the 5 h window from the first post still runs. The lead holds
    the case, but has its own 5 h from the raise: the statutory window is the duty office's,
    and its breach and escalation notices go to the duty office, not to the lead or its
    分管领导."""
    with sessions.begin() as s:
        e = f.event(s, S)
        f.assign(s, e, "zjj", S)
        service.open_clocks(s, e, S, sla)
        e.severity = Severity.MAJOR
        raised = S + timedelta(hours=3)
        service.on_severity_change(s, e, Severity.GENERAL, raised, sla, actor="user:1")
        statutory = s.scalars(
            select(models.Deadline).where(
                models.Deadline.event_id == e.id,
                models.Deadline.kind == "publish_info",
                models.Deadline.assignment_id.is_(None),
            )
        ).one()
        assert statutory.unit_id == "zjj"  # held by the lead
        assert statutory.deadline_at == S + timedelta(hours=5)
        own = s.scalars(
            select(models.Deadline).where(
                models.Deadline.event_id == e.id,
                models.Deadline.kind == "unit_publish_info",
            )
        ).one()
        assert own.unit_id == "zjj"
        assert own.deadline_at == raised + timedelta(hours=5)
        statutory_id, own_id = statutory.id, own.id
    tick(sessions, S + timedelta(hours=7), sla.policy)
    with sessions.begin() as s:
        rows = s.scalars(
            select(models.Outbox).where(
                models.Outbox.event_id == e.id, models.Outbox.kind == "breach"
            )
        ).all()
        statutory_breaches = [r for r in rows if r.deadline_id == statutory_id]
        assert statutory_breaches
        assert [r.payload["level"] for r in statutory_breaches] == [1, 2]
        for r in statutory_breaches:
            assert r.recipients == ["duty"]
            assert r.unit_id is None
            assert not any(c.startswith("leader:") for c in r.cc)
            assert "propaganda" in r.cc
        # the lead's own window has not run out: nothing of it is breached yet
        assert not [r for r in rows if r.deadline_id == own_id]
