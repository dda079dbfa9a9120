"""The service layer on SQLite and PostgreSQL: rows, log, outbox, next_deadline_at."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from response_sla import service
from response_sla.configured import SlaSetup
from response_sla.errors import TransitionRefused
from response_sla.policy import Policy
from response_sla.tick import tick
from storage import models
from storage.enums import AssignmentRole, DeadlineState, Severity
from tests.sla import factories as f
from tests.sla.conftest import sh

S = sh(2025, 9, 26, 10)


def _clocks(session: Session, event_id: int) -> dict[str, models.Deadline]:
    rows = session.scalars(
        select(models.Deadline)
        .where(models.Deadline.event_id == event_id)
        .order_by(models.Deadline.id)
        .execution_options(populate_existing=True)
    )
    return {f"{d.kind}#{d.cycle}" if d.cycle > 1 else d.kind: d for d in rows}


def _outbox(session: Session) -> list[tuple[str, dict[str, object]]]:
    rows = session.scalars(select(models.Outbox).order_by(models.Outbox.id))
    return [(o.kind, o.payload) for o in rows]


def _actions(session: Session, event_id: int) -> list[str]:
    return list(
        session.scalars(
            select(models.EventLog.action)
            .where(models.EventLog.event_id == event_id)
            .order_by(models.EventLog.id)
        )
    )


def test_open_clocks_then_assignment(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S)
        assert len(service.open_clocks(s, e, S + timedelta(minutes=5), sla)) == 1
        assert service.open_clocks(s, e, S + timedelta(minutes=6), sla) == []
        clocks = _clocks(s, e.id)
        assert set(clocks) == {"respond"} and clocks["respond"].unit_id is None
        s.refresh(e)
        assert e.next_deadline_at == S + timedelta(hours=48)
        a = f.assign(s, e, "zjj", S + timedelta(hours=1))
        created = service.open_clocks(s, e, S + timedelta(hours=1), sla)
        assert len(created) == 2
        clocks = _clocks(s, e.id)
        assert set(clocks) == {"respond", "acknowledge", "resolve"}
        assert clocks["acknowledge"].assignment_id == a.id
        assert clocks["acknowledge"].deadline_at == S + timedelta(hours=3)
        assert clocks["resolve"].deadline_at == sh(2025, 10, 24)  # 15 working days
        assert clocks["respond"].unit_id == "zjj"  # the event's window follows the lead
        s.refresh(e)
        assert e.next_deadline_at == S + timedelta(hours=3)
        assert _actions(s, e.id).count("transferred") == 1


def test_late_opening_breaches_at_once(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S)
        service.open_clocks(s, e, S + timedelta(hours=60), sla)
        (d,) = _clocks(s, e.id).values()
        assert d.state is DeadlineState.BREACHED and d.escalation_level == 1
        assert _outbox(s) == [
            (
                "breach",
                {
                    "kind": "respond",
                    "deadline_at": (S + timedelta(hours=48)).isoformat(),
                    "level": 1,
                    "notify": ["unit"],
                },
            )
        ]
        assert _actions(s, e.id) == ["opened", "warning_skipped", "warning_skipped", "breached"]


def test_tick_sends_each_thing_once(
    sessions: sessionmaker[Session], policy: Policy, sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S, Severity.MAJOR)
        f.assign(s, e, "zjj", S)
        service.open_clocks(s, e, S, sla)
    r = tick(sessions, S + timedelta(hours=2, minutes=31), policy)
    # 签收 (2 h) breached, its 50 % warning skipped as stale; publish_info at 50 %
    assert (r.processed, r.warnings, r.breaches) == (2, 1, 1)
    again = tick(sessions, S + timedelta(hours=2, minutes=31), policy)
    assert again.due == 0 and again.outbox == 0
    # very late: everything owed, in order, once
    late = tick(sessions, S + timedelta(days=2), policy)
    assert late.breaches == 3 + 3 + 1  # publish 1–3, press 1–3, acknowledge level 2
    with sessions() as s:
        kinds = [k for k, _ in _outbox(s)]
        keys = s.scalars(select(models.Outbox.dedupe_key)).all()
        assert len(keys) == len(set(keys))
        levels = [
            p["level"] for k, p in _outbox(s) if k == "breach" and p["kind"] == "publish_info"
        ]
        assert levels == [1, 2, 3]
        assert kinds.count("warning") == 1  # publish at 50 %; every later one was stale
        cc = s.scalars(
            select(models.Outbox.cc)
            .where(models.Outbox.kind == "breach")
            .order_by(models.Outbox.id.desc())
            .limit(1)
        ).one()
        assert "leader:zjj" in cc and "propaganda" in cc
    assert tick(sessions, S + timedelta(days=2), policy).outbox == 0


def test_board_reply_closes_the_window(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        f.units(s, "zjj")
        s.add(
            models.Source(
                id="people", name="人民网", spider="people_liuyan", url="https://x.example"
            )
        )
        e = f.event(s, S)
        service.open_clocks(s, e, S, sla)
        post = models.Post(
            source_id="people",
            external_id="1",
            url="https://x.example/1",
            first_seen_at=S,
            last_seen_at=S,
            content_hash="h",
            event_id=e.id,
            published_at=S,
            reply_content="您好，已责成施工单位整改。",
            reply_at=S + timedelta(hours=40),
            reply_org="区住建局",
        )
        s.add(post)
        s.flush()
        closed = service.record_board_reply(s, post, S + timedelta(hours=70), sla)
        assert len(closed) == 1
        d = _clocks(s, e.id)["respond"]
        assert d.state is DeadlineState.MET and d.met_at == S + timedelta(hours=40)
        assert d.evidence["closure"]["org"] == "区住建局" and d.due_at is None
        s.refresh(e)
        assert e.next_deadline_at is None


def test_co_unit_response_does_not_close_the_event_window(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S)
        lead = f.assign(s, e, "zjj", S)
        co = f.assign(s, e, "jyj", S, AssignmentRole.CO)
        service.open_clocks(s, e, S, sla)
        now = S + timedelta(hours=1)
        closed = service.record_response(s, co, now, sla, "unit:jyj", text="已配合核查")
        assert [s.get(models.Deadline, i).kind for i in closed] == ["acknowledge"]  # type: ignore[union-attr]
        with pytest.raises(TransitionRefused, match="empty"):
            service.record_response(s, lead, now, sla, "unit:zjj", text=" ")
        closed = service.record_response(
            s, lead, now, sla, "unit:zjj", url="https://gov.example/r"
        )
        kinds = sorted(s.get(models.Deadline, i).kind for i in closed)  # type: ignore[union-attr]
        assert kinds == ["acknowledge", "respond"]


def test_raise_severity_escalates_in_the_same_transaction(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S)
        f.assign(s, e, "zjj", S)
        service.open_clocks(s, e, S, sla)
        e.severity = Severity.MAJOR
        now = S + timedelta(hours=6, minutes=30)
        opened = service.on_severity_change(
            s, e, Severity.GENERAL, now, sla, actor="user:1"
        )
        assert len(opened) == 2
        clocks = _clocks(s, e.id)
        assert clocks["respond"].state is DeadlineState.CANCELLED
        assert clocks["publish_info"].escalation_level == 2
        assert clocks["publish_info"].unit_id == "zjj"
        s.refresh(e)
        assert e.next_deadline_at == S + timedelta(hours=2)  # 签收 is still the nearest
        levels = [
            p["level"] for k, p in _outbox(s) if k == "breach" and p["kind"] == "publish_info"
        ]
        assert levels == [1, 2]
        assert "severity_changed" in _actions(s, e.id)
        # lowering again: publish and press windows cancelled, a new respond window from S
        e.severity = Severity.GENERAL
        service.on_severity_change(s, e, Severity.MAJOR, now, sla, actor="user:1")
        rows = s.scalars(
            select(models.Deadline).where(
                models.Deadline.event_id == e.id, models.Deadline.kind == "respond"
            )
        ).all()
        assert [r.state for r in rows] == [DeadlineState.CANCELLED, DeadlineState.OPEN]
        assert rows[1].deadline_at == S + timedelta(hours=48)


def test_extension_request_and_ruling(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S)
        f.assign(s, e, "zjj", S)
        service.open_clocks(s, e, S, sla)
        resolve = _clocks(s, e.id)["resolve"]
        now = sh(2025, 10, 20, 9)
        with pytest.raises(TransitionRefused, match="capped"):
            service.request_extension(
                s, resolve.id, sh(2025, 11, 20), now, sla, actor="unit:zjj", reason="x"
            )
        req = service.request_extension(
            s,
            resolve.id,
            sh(2025, 11, 7),
            now,
            sla,
            actor="unit:zjj",
            reason="需现场核查",
        )
        after = service.decide_extension(
            s, req, True, now + timedelta(hours=2), sla, actor="user:1", reason="同意"
        )
        assert after.clock.deadline_at == sh(2025, 11, 7)
        with pytest.raises(TransitionRefused, match="ruled on already"):
            service.decide_extension(
                s, req, False, now + timedelta(hours=3), sla, actor="user:1"
            )
        s.expire_all()
        row = s.get(models.Deadline, resolve.id)
        assert row is not None
        assert row.original_deadline_at == sh(2025, 10, 24) and row.deadline_at == sh(2025, 11, 7)
        assert row.evidence["extensions"][0]["decided_by"] == "user:1"
        decision = [p for k, p in _outbox(s) if k == "extension_decision"]
        assert decision == [
            {
                "decision": "approved",
                "reason": "同意",
                "new_deadline_at": sh(2025, 11, 7).isoformat(),
            }
        ]


def test_return_and_release_keep_the_clock_running(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S)
        a = f.assign(s, e, "zjj", S)
        service.open_clocks(s, e, S, sla)
        with pytest.raises(TransitionRefused, match="within 24 h"):
            service.return_case(
                s, a, S + timedelta(hours=30), sla, actor="unit:zjj", reason="非本单位职责"
            )
        service.return_case(
            s, a, S + timedelta(hours=3), sla, actor="unit:zjj", reason="非本单位职责"
        )
        # the duty officer agrees and gives it to 教育局
        f.units(s, "jyj")
        service.release_assignment(
            s, a, S + timedelta(hours=5), sla, actor="user:1", reason="退单成立", to_unit="jyj"
        )
        a.active = False
        b = f.assign(s, e, "jyj", S + timedelta(hours=5))
        service.open_clocks(s, e, S + timedelta(hours=5), sla)
        rows = s.scalars(
            select(models.Deadline)
            .where(models.Deadline.event_id == e.id)
            .order_by(models.Deadline.id)
        ).all()
        by = {(r.kind, r.assignment_id): r for r in rows}
        assert by[("acknowledge", a.id)].state is DeadlineState.CANCELLED
        assert by[("acknowledge", b.id)].deadline_at == S + timedelta(hours=7)
        resolve = by[("resolve", None)]
        assert resolve.unit_id == "jyj" and resolve.deadline_at == sh(2025, 10, 24)  # unchanged
        holds = resolve.evidence["holds"]
        assert [h["unit_id"] for h in holds] == ["zjj", "jyj"] and holds[0]["reason"] == "退单成立"
        assert "return_requested" in _actions(s, e.id)


def test_reopen_and_cancel(
    sessions: sessionmaker[Session], sla: SlaSetup
) -> None:
    with sessions.begin() as s:
        e = f.event(s, S)
        a = f.assign(s, e, "zjj", S)
        service.open_clocks(s, e, S, sla)
        service.record_response(
            s, a, S + timedelta(days=3), sla, "unit:zjj", text="已办结", milestone="resolve"
        )
        opened = service.reopen_event(
            s, e, sh(2025, 10, 13, 9), sla, actor="user:1", reason="群众不满意"
        )
        clocks = _clocks(s, e.id)
        assert clocks["resolve"].state is DeadlineState.MET
        assert clocks["resolve#2"].deadline_at == sh(2025, 11, 4)
        assert clocks["acknowledge#2"].deadline_at == sh(2025, 10, 13, 11)  # sign again
        assert len(opened) == 2
        cancelled = service.cancel_event_clocks(
            s, e.id, sh(2025, 10, 13, 10), sla, actor="user:1", reason="not_relevant"
        )
        assert len(cancelled) == 3  # respond, resolve#2, acknowledge#2
        s.refresh(e)
        assert e.next_deadline_at is None
