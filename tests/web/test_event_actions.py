"""The event page and the duty officer's actions: each one audited, every clock moved by the SLA
engine (its log and outbox rows written once)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from storage import models
from storage.enums import (
    AssignmentRole,
    AssignmentState,
    DeadlineState,
    EventState,
    ReviewStatus,
    Role,
    Severity,
)
from tests.web import factories as f
from tests.web.conftest import Clock, login


@pytest.fixture
def case(db: sessionmaker[Session], clock: Clock) -> dict[str, int]:
    now = clock.now
    with db.begin() as s:
        ev = f.event(
            s,
            "某镇自来水停水三天",
            severity=Severity.GENERAL,
            started_at=now - timedelta(hours=2),
            heat=4,
        )
        p1 = f.post(
            s, ev, title="停水三天了", content="联系电话13812345678，无人答复", author="张三"
        )
        p2 = f.post(s, ev, title="另一个小区也停水", content="同样的问题")
        p3 = f.post(s, ev, title="顺便说说路灯", content="路灯坏了")
        a = f.assignment(
            s,
            ev,
            "zjj",
            reasons=[{"rule": "keyword", "matched": "自来水"}],
            confidence=0.72,
            assigned_at=now - timedelta(minutes=30),
        )
        clocks = {d.kind: d.id for d in f.clocks(s, ev, now - timedelta(minutes=30))}
        f.classification(s, ev, "severity", "一般", score=0.64, evidence={"rule": "无伤亡"}, at=now)
        f.classification(
            s, ev, "topic", "城乡建设", score=0.81, evidence={"words": ["停水", "自来水"]}, at=now
        )
        other = f.event(
            s, "停水后续", severity=Severity.GENERAL, started_at=now - timedelta(hours=1)
        )
        f.post(s, other, title="还是没水", content="第四天")
        f.clocks(s, other, now - timedelta(hours=1))
        return {
            "event": ev.id,
            "p1": p1.id,
            "p2": p2.id,
            "p3": p3.id,
            "respond": clocks["respond"],
            "acknowledge": clocks["acknowledge"],
            "resolve": clocks["resolve"],
            "assignment": a.id,
            "other": other.id,
        }


def _post(client: TestClient, path: str, token: str, **data: object) -> str:
    """Post a form; return the flash message shown after the redirect."""
    r = client.post(path, data={"csrf_token": token, **data})
    assert r.status_code == 303, r.text
    return client.get(r.headers["location"]).text


def _clocks(s: Session, event_id: int) -> dict[str, models.Deadline]:
    rows = s.scalars(
        select(models.Deadline)
        .where(models.Deadline.event_id == event_id)
        .order_by(models.Deadline.id)
    )
    return {f"{d.kind}#{d.cycle}" if d.cycle > 1 else d.kind: d for d in rows}


def _log(s: Session, event_id: int) -> list[str]:
    return list(
        s.scalars(
            select(models.EventLog.action)
            .where(models.EventLog.event_id == event_id)
            .order_by(models.EventLog.id)
        )
    )


def test_event_page_shows_everything(client: TestClient, case: dict[str, int]) -> None:
    login(client, "duty1")
    html = client.get(f"/events/{case['event']}").text
    for expected in (
        "停水三天了",
        "13812345678",
        "张三",
        "自来水",
        "0.72",
        "无伤亡",
        "0.64",
        "予以回应 48 小时",
        "签收 2 小时",
        "办结 15 个工作日",
        "区住房和城乡建设局",
        'data-kind="respond" data-state="open"',
        "开始计时",  # the engine's log rows in the timeline
    ):
        assert expected in html, expected


def test_leader_sees_masked_posts_and_no_forms(client: TestClient, case: dict[str, int]) -> None:
    login(client, "leader1")
    html = client.get(f"/events/{case['event']}").text
    assert "停水三天了" in html
    assert "13812345678" not in html
    assert 'action="/events/' not in html
    r = client.post(f"/events/{case['event']}/note", data={"csrf_token": "x", "text": "hi"})
    assert r.status_code == 403


def test_severity_correction_moves_deadlines(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "duty1")
    _post(
        client,
        f"/events/{case['event']}/review",
        token,
        kind="severity",
        label="重大",
        decision="correct",
        note="有人员被困",
    )
    with db() as s:
        ev = s.get(models.Event, case["event"])
        assert ev is not None and ev.severity is Severity.MAJOR
        clocks = _clocks(s, ev.id)
        assert clocks["respond"].state is DeadlineState.CANCELLED
        assert clocks["publish_info"].state is DeadlineState.OPEN
        assert clocks["press_conference"].state is DeadlineState.OPEN
        # 5 h from the event's start, not from the correction; held by the lead unit
        assert clocks["publish_info"].deadline_at == ev.started_at + timedelta(hours=5)
        assert clocks["publish_info"].unit_id == "zjj"
        assert ev.next_deadline_at == min(
            d.deadline_at for d in clocks.values() if d.state is DeadlineState.OPEN
        )
        human = s.scalars(
            select(models.Classification).where(
                models.Classification.event_id == ev.id,
                models.Classification.model_version == "human",
            )
        ).one()
        assert (human.kind, human.label, human.status) == (
            "severity",
            "重大",
            ReviewStatus.CORRECTED,
        )
        assert human.evidence["previous"] == "一般"
        changed = s.scalars(
            select(models.EventLog).where(models.EventLog.action == "severity_changed")
        ).all()
        assert len(changed) == 1  # written by the engine only
        assert changed[0].reason == "有人员被困"
        assert changed[0].detail == {"from": "一般", "to": "重大"}
        audit = s.scalars(select(models.AuditLog)).all()
        assert [a.action for a in audit if a.target == f"event:{ev.id}"] == ["severity_corrected"]


def test_late_upgrade_breaches_at_once(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    """Raised to 重大 six hours after it began: the 5 h window is already past."""
    with db.begin() as s:
        ev = f.event(
            s, "桥梁垮塌", severity=Severity.GENERAL, started_at=clock.now - timedelta(hours=6)
        )
        f.assignment(s, ev, "jtj", assigned_at=clock.now - timedelta(hours=5))
        f.clocks(s, ev, clock.now - timedelta(hours=5))
        ev_id = ev.id
    token = login(client, "duty1")
    _post(
        client,
        f"/events/{ev_id}/review",
        token,
        kind="severity",
        label="重大",
        decision="correct",
    )
    with db() as s:
        publish = _clocks(s, ev_id)["publish_info"]
        assert publish.state is DeadlineState.BREACHED and publish.escalation_level >= 1
        breaches = s.scalars(
            select(models.Outbox).where(
                models.Outbox.kind == "breach", models.Outbox.deadline_id == publish.id
            )
        ).all()
        # an hour past the deadline already: the first two escalation levels, each once
        assert [o.payload["level"] for o in breaches] == [1, 2]
        assert "breached" in _log(s, ev_id)
    html = client.get(f"/events/{ev_id}").text
    assert 'data-kind="publish_info" data-state="breached"' in html


def test_topic_confirmation_is_a_confirmed_label(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "duty1")
    ev_id = case["event"]
    _post(
        client, f"/events/{ev_id}/review", token, kind="topic", label="城乡建设", decision="confirm"
    )
    with db() as s:
        row = s.scalars(
            select(models.Classification).where(models.Classification.model_version == "human")
        ).one()
        assert (row.kind, row.label, row.status) == ("topic", "城乡建设", ReviewStatus.CONFIRMED)
        machine = s.scalars(
            select(models.Classification).where(
                models.Classification.kind == "topic",
                models.Classification.model_version == "test-1",
            )
        ).one()
        assert machine.needs_review is False


def test_handling_labels_are_the_boards(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "duty1")
    ev_id = case["event"]
    page = client.get(f"/events/{ev_id}").text
    for label in ("建言", "咨询", "投诉/求助"):
        assert f"<option>{label}</option>" in page
    html = _post(
        client,
        f"/events/{ev_id}/review",
        token,
        kind="handling",
        label="建设性意见",
        decision="correct",
    )
    assert "操作未完成" in html
    _post(
        client, f"/events/{ev_id}/review", token, kind="handling", label="咨询", decision="correct"
    )
    with db() as s:
        ev = s.get(models.Event, ev_id)
        assert ev is not None and ev.handling == "咨询"
        assert "handling_changed" in _log(s, ev_id)


def test_rumour_flag_is_reviewed(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session], clock: Clock
) -> None:
    with db.begin() as s:
        ev = s.get(models.Event, case["event"])
        assert ev is not None
        f.classification(
            s, ev, "rumour", "不实信息", score=0.8, evidence={"words": ["谣言"]}, at=clock.now
        )
    token = login(client, "duty1")
    assert "疑似不实信息" in client.get(f"/events/{case['event']}").text
    _post(
        client,
        f"/events/{case['event']}/review",
        token,
        kind="rumour",
        label="非不实信息",
        decision="correct",
        note="已核实属实",
    )
    with db() as s:
        human = s.scalars(
            select(models.Classification).where(models.Classification.model_version == "human")
        ).one()
        assert (human.kind, human.label, human.status) == (
            "rumour",
            "非不实信息",
            ReviewStatus.CORRECTED,
        )
        assert human.evidence["previous"] == "不实信息"
    assert "疑似不实信息" not in client.get(f"/events/{case['event']}").text


def test_invalid_label_changes_nothing(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "duty1")
    html = _post(
        client,
        f"/events/{case['event']}/review",
        token,
        kind="severity",
        label="超级大",
        decision="correct",
    )
    assert "操作未完成" in html
    with db() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(models.Classification)
                .where(models.Classification.model_version == "human")
            )
            == 0
        )
        assert (
            s.scalar(
                select(func.count())
                .select_from(models.AuditLog)
                .where(models.AuditLog.action != "login")
            )
            == 0
        )


def test_csrf_is_required(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    login(client, "duty1")
    r = client.post(f"/events/{case['event']}/note", data={"text": "无令牌"})
    assert r.status_code == 403
    r = client.post(
        f"/events/{case['event']}/note", data={"text": "错令牌", "csrf_token": "forged"}
    )
    assert r.status_code == 403
    with db() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(models.EventLog)
                .where(models.EventLog.action == "note")
            )
            == 0
        )


def test_reassign_lead_and_co_units(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "duty1")
    _post(
        client,
        f"/events/{case['event']}/reassign",
        token,
        lead="sanbanqiao",
        co=["zjj", "swj"],
        reason="属地",
    )
    with db() as s:
        active = {
            (a.unit_id, a.role): a.id
            for a in s.scalars(
                select(models.Assignment).where(
                    models.Assignment.event_id == case["event"], models.Assignment.active.is_(True)
                )
            )
        }
        assert set(active) == {
            ("sanbanqiao", AssignmentRole.LEAD),
            ("zjj", AssignmentRole.CO),
            ("swj", AssignmentRole.CO),
        }
        old = s.get(models.Assignment, case["assignment"])
        assert old is not None and old.state is AssignmentState.REASSIGNED and not old.active
        ev = s.get(models.Event, case["event"])
        assert ev is not None and ev.lead_unit_id == "sanbanqiao"
        kinds = sorted(o.kind for o in s.scalars(select(models.Outbox)))
        assert kinds == ["assignment", "assignment", "assignment", "reassignment"]
        # the event's windows pass to the new lead, deadlines unchanged; each unit signs anew
        respond = s.get(models.Deadline, case["respond"])
        assert respond is not None and respond.unit_id == "sanbanqiao"
        assert [h["unit_id"] for h in respond.evidence["holds"]] == ["zjj", "sanbanqiao"]
        old_ack = s.get(models.Deadline, case["acknowledge"])
        assert old_ack is not None and old_ack.state is DeadlineState.CANCELLED
        acks = s.scalars(
            select(models.Deadline.assignment_id).where(
                models.Deadline.event_id == case["event"],
                models.Deadline.kind == "acknowledge",
                models.Deadline.state == DeadlineState.OPEN,
            )
        ).all()
        assert sorted(acks) == sorted(active.values())
        assert "transferred" in _log(s, case["event"])


def test_return_then_ruling(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "zjj_user")
    _post(client, f"/unit/events/{case['event']}/return", token, reason="不归我们管")
    client.post("/logout", data={"csrf_token": token})
    token = login(client, "duty1")
    _post(
        client,
        f"/events/{case['event']}/return-ruling",
        token,
        assignment_id=case["assignment"],
        decision="approve",
        new_unit="sanbanqiao",
        reason="属地管理",
    )
    with db() as s:
        lead = s.scalars(
            select(models.Assignment).where(
                models.Assignment.event_id == case["event"], models.Assignment.active.is_(True)
            )
        ).one()
        assert lead.unit_id == "sanbanqiao" and lead.role is AssignmentRole.LEAD
        log = _log(s, case["event"])
        assert log.count("return_requested") == 1  # the engine's row, not a second one
        assert "returned" not in log
        assert {"return_approved", "assigned", "transferred"} <= set(log)
        # the clock kept running: same deadline, now the new unit's
        resolve = s.get(models.Deadline, case["resolve"])
        assert resolve is not None and resolve.unit_id == "sanbanqiao"
        assert resolve.deadline_at == resolve.original_deadline_at
        assert {o.kind for o in s.scalars(select(models.Outbox))} >= {
            "return_decision",
            "assignment",
        }


def test_return_refused_keeps_the_case(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "zjj_user")
    _post(client, f"/unit/events/{case['event']}/return", token, reason="不归我们管")
    client.post("/logout", data={"csrf_token": token})
    token = login(client, "duty1")
    _post(
        client,
        f"/events/{case['event']}/return-ruling",
        token,
        assignment_id=case["assignment"],
        decision="refuse",
        reason="属本单位职责",
    )
    with db() as s:
        a = s.get(models.Assignment, case["assignment"])
        assert a is not None and a.active and a.state is AssignmentState.ASSIGNED
        ack = s.get(models.Deadline, case["acknowledge"])
        assert ack is not None and ack.state is DeadlineState.OPEN


def test_milestone_meets_deadline_with_evidence(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "duty1")
    html = _post(
        client,
        f"/events/{case['event']}/milestone",
        token,
        kind="respond",
        url="https://www.qxg.gov.cn/xwdt/123.html",
        at="",
        note="官网发布",
    )
    assert "1 项时限已完成" in html
    with db() as s:
        d = s.get(models.Deadline, case["respond"])
        assert d is not None and d.state is DeadlineState.MET
        assert d.evidence["closure"]["url"] == "https://www.qxg.gov.cn/xwdt/123.html"
        ev = s.get(models.Event, case["event"])
        # every response window met; 签收 and 办结 still run and set the queue's key
        assert ev is not None and ev.state is EventState.RESPONDED
        ack = s.get(models.Deadline, case["acknowledge"])
        assert ack is not None and ev.next_deadline_at == ack.deadline_at
        log = _log(s, case["event"])
        assert log.count("met") == 1 and log.count("milestone") == 1
        assert log.count("state_changed") == 1


def test_milestone_needs_evidence(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "duty1")
    for data in (
        {"kind": "respond", "url": "javascript:alert(1)"},
        {"kind": "respond", "url": "", "note": ""},
        {"kind": "bogus", "url": "https://www.qxg.gov.cn/1.html"},
    ):
        assert "操作未完成" in _post(client, f"/events/{case['event']}/milestone", token, **data)
    with db() as s:
        d = s.get(models.Deadline, case["respond"])
        assert d is not None and d.state is DeadlineState.OPEN
        assert "milestone" not in _log(s, case["event"])


def test_reopen_starts_a_new_cycle(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "duty1")
    _post(
        client,
        f"/events/{case['event']}/milestone",
        token,
        kind="resolve",
        url="https://www.qxg.gov.cn/banjie/1.html",
    )
    _post(client, f"/events/{case['event']}/reopen", token, reason="群众不满意")
    with db() as s:
        clocks = _clocks(s, case["event"])
        assert clocks["resolve"].state is DeadlineState.MET
        assert clocks["resolve#2"].state is DeadlineState.OPEN
        assert clocks["acknowledge#2"].state is DeadlineState.OPEN
        a = s.get(models.Assignment, case["assignment"])
        assert a is not None and a.state is AssignmentState.ASSIGNED and a.cycle == 2
        assert "reopened" in _log(s, case["event"])
    assert "第2轮" in client.get(f"/events/{case['event']}").text
    # 重办 needs a reason
    assert "操作未完成" in _post(client, f"/events/{case['event']}/reopen", token, reason=" ")


def test_merge_stops_clocks_and_restarts_the_target(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    """The older event folded into the newer one: the target's windows count from the
    earliest post of both."""
    token = login(client, "duty1")
    _post(client, f"/events/{case['event']}/merge", token, into=case["other"], reason="同一事件")
    with db() as s:
        ev = s.get(models.Event, case["event"])
        other = s.get(models.Event, case["other"])
        assert ev is not None and other is not None
        assert ev.state is EventState.MERGED and ev.merged_into_id == other.id
        assert ev.next_deadline_at is None
        assert all(d.state is DeadlineState.CANCELLED for d in _clocks(s, ev.id).values())
        assert other.post_count == 4 and other.started_at == ev.started_at
        respond = _clocks(s, other.id)["respond"]
        assert respond.starts_at == ev.started_at
        assert respond.deadline_at == ev.started_at + timedelta(hours=48)
        assert "restarted" in _log(s, other.id)
        # the unit went with its case, its 签收 window too; the target had no lead: now it has
        ack = _clocks(s, other.id)["acknowledge"]
        assert (ack.id, ack.assignment_id) == (case["acknowledge"], case["assignment"])
        assert other.lead_unit_id == "zjj" and respond.unit_id == "zjj"
        assert other.next_deadline_at == min(respond.deadline_at, ack.deadline_at)


def test_split_opens_the_new_events_clocks(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "duty1")
    r = client.post(
        f"/events/{case['event']}/split",
        data={"csrf_token": token, "post": [str(case["p3"])], "title": "路灯损坏"},
    )
    assert r.status_code == 303
    with db() as s:
        new = s.scalars(select(models.Event).where(models.Event.title == "路灯损坏")).one()
        assert new.post_count == 1 and new.lead_unit_id == "zjj"
        clocks = _clocks(s, new.id)
        assert set(clocks) == {"respond", "acknowledge", "resolve"}
        assert clocks["respond"].unit_id == "zjj"
        assert new.next_deadline_at == min(d.deadline_at for d in clocks.values())
        ev = s.get(models.Event, case["event"])
        assert ev is not None and ev.post_count == 2
        actions = s.scalars(
            select(models.AuditLog.action).where(models.AuditLog.action != "login")
        ).all()
        assert actions == ["split"]


def test_not_relevant_stops_clocks(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "duty1")
    _post(client, f"/events/{case['event']}/not-relevant", token, reason="外地事件")
    with db() as s:
        ev = s.get(models.Event, case["event"])
        assert (
            ev is not None and ev.state is EventState.NOT_RELEVANT and ev.next_deadline_at is None
        )
        assert all(d.state is DeadlineState.CANCELLED for d in _clocks(s, ev.id).values())
        a = s.get(models.Assignment, case["assignment"])
        assert a is not None and not a.active
        rel = s.scalars(
            select(models.Classification).where(models.Classification.kind == "relevance")
        ).one()
        assert rel.label == "not_relevant" and rel.status is ReviewStatus.CORRECTED
        assert _log(s, ev.id).count("cancelled") == 3


def test_provisional_deadlines_are_flagged(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    with db.begin() as s:
        ev = f.event(s, "年底前办结", severity=Severity.GENERAL, started_at=clock.now)
        d = f.deadline(s, ev, "resolve", hours=24 * 20)
        d.provisional = True
        ev_id = ev.id
    login(client, "duty1")
    warning = "节假日安排未发布，按法定节日推算"
    page = client.get(f"/events/{ev_id}").text
    assert "provisional-warning" in page and warning in page
    assert "办结 15 个工作日" in page and "暂定" in page
    queue = client.get("/").text
    assert "provisional-warning" in queue and 'data-provisional="1"' in queue


def test_calendar_warnings_go_to_administrators(
    client: TestClient, case: dict[str, int], clock: Clock, db: sessionmaker[Session]
) -> None:
    """A missing holiday arrangement is the administrator's task: it has a page of its own,
    and an event mentions it only where one of its own deadlines is provisional."""
    from datetime import UTC, datetime

    with db.begin() as s:
        f.user(s, "admin1", Role.ADMIN)
        # the case's windows were opened at the real time: late in a year their working days
        # reach into the next one, which is the other event's part here
        for d in s.scalars(select(models.Deadline).where(models.Deadline.event_id == case["event"])):
            d.provisional = False
        ev = f.event(s, "跨年办结", severity=Severity.GENERAL, started_at=clock.now)
        f.deadline(s, ev, "resolve", hours=24 * 40).provisional = True
        provisional_event = ev.id
    clock.now = datetime(2026, 12, 1, 2, tzinfo=UTC)  # 2027 is within reach and unknown
    login(client, "duty1")
    for path in ("/", f"/events/{case['event']}"):
        assert "calendar-warning" not in client.get(path).text, path
    assert "2027" in client.get(f"/events/{provisional_event}").text
    assert client.get("/admin").status_code == 403
    client.cookies.clear()
    login(client, "admin1")
    page = client.get("/admin").text
    assert "calendar-warning" in page and "2027.toml" in page
    clock.now = datetime(2025, 3, 3, 2, tzinfo=UTC)  # 2025's arrangement is published
    assert "calendar-warning" not in client.get("/admin").text


def test_note_in_timeline(client: TestClient, case: dict[str, int]) -> None:
    token = login(client, "duty1")
    assert "已电话联系水务公司" in _post(
        client, f"/events/{case['event']}/note", token, text="已电话联系水务公司"
    )


def test_missing_event_is_404(client: TestClient, case: dict[str, int]) -> None:
    token = login(client, "duty1")
    assert client.get("/events/999999").status_code == 404
    assert (
        client.post("/events/999999/note", data={"csrf_token": token, "text": "x"}).status_code
        == 404
    )


def test_leader_queue_titles_are_masked(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    with db.begin() as s:
        f.event(s, "13812345678 反映小区停水", severity=Severity.GENERAL, started_at=clock.now)
    login(client, "leader1")
    html = client.get("/").text
    assert "反映小区停水" in html and "13812345678" not in html
    client.cookies.clear()
    login(client, "duty1")
    assert "13812345678" in client.get("/").text
