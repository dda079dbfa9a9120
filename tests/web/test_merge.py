"""A merge carries the merged-away event's units over to the surviving event: their assignment
ids, their own windows and their signed links survive; a unit on both events keeps one case."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from domain.event_actions import EventAction
from domain.settings import Settings
from response_sla import service
from storage import models
from storage.enums import AssignmentRole, AssignmentState, DeadlineState, EventState, Severity
from tests.web import factories as f
from tests.web.conftest import Clock, csrf_of, login
from yuqing.notify.compose import compose
from yuqing.signed_links import sign_token


@pytest.fixture
def events(db: sessionmaker[Session], clock: Clock) -> dict[str, int]:
    """A: 住建局 leads, 教育局 assists and has signed for it. B: 三板桥街道 leads, 教育局
    assists and has not signed yet."""
    now = clock.now
    with db.begin() as s:
        a = f.event(s, "某小学旁工地夜间施工", severity=Severity.GENERAL,
                    started_at=now - timedelta(hours=3))
        f.post(s, a, title="工地夜里还在施工", content="小学旁边的工地每天施工到半夜")
        zjj = f.assignment(s, a, "zjj", assigned_at=now - timedelta(hours=1))
        jyj_a = f.assignment(s, a, "jyj", role=AssignmentRole.CO,
                             assigned_at=now - timedelta(hours=1),
                             state=AssignmentState.ACKNOWLEDGED,
                             acknowledged_at=now - timedelta(minutes=40))
        f.clocks(s, a, now - timedelta(hours=1))
        service.acknowledge(s, jyj_a, now - timedelta(minutes=40), f.engine(), "unit:jyj")
        b = f.event(s, "三板桥小学旁施工噪音", severity=Severity.GENERAL,
                    started_at=now - timedelta(hours=2))
        f.post(s, b, title="施工噪音", content="三板桥小学旁工地噪音扰民")
        lead_b = f.assignment(s, b, "sanbanqiao", assigned_at=now - timedelta(minutes=30))
        jyj_b = f.assignment(s, b, "jyj", role=AssignmentRole.CO,
                             assigned_at=now - timedelta(minutes=30))
        f.clocks(s, b, now - timedelta(minutes=30))
        ack = {d.assignment_id: d.id for d in s.scalars(
            select(models.Deadline).where(models.Deadline.kind == "acknowledge"))}
        return {"a": a.id, "b": b.id, "zjj": zjj.id, "jyj_a": jyj_a.id, "jyj_b": jyj_b.id,
                "lead_b": lead_b.id, "ack_zjj": ack[zjj.id], "ack_jyj_a": ack[jyj_a.id],
                "ack_jyj_b": ack[jyj_b.id]}


def _merge(client: TestClient, ids: dict[str, int]) -> None:
    token = login(client, "duty1")
    r = client.post(f"/events/{ids['a']}/merge",
                    data={"csrf_token": token, "into": ids["b"], "reason": "同一工地"})
    assert r.status_code == 303
    page = client.get(r.headers["location"]).text
    target = re.search(r'并入 <a href="/events/(\d+)">“([^”]+)”</a>', page)
    assert target is not None and int(target.group(1)) == ids["b"]
    assert f"已合并到“{target.group(2)}”" in page  # named by its title, not its number
    client.post("/logout", data={"csrf_token": token})


def test_a_unit_only_on_the_merged_event_keeps_its_case(
    client: TestClient, events: dict[str, int], db: sessionmaker[Session],
    web_settings: Settings, clock: Clock,
) -> None:
    with db() as s:
        ack_before = s.get(models.Deadline, events["ack_zjj"])
        assert ack_before is not None
        due = ack_before.deadline_at
    _merge(client, events)
    with db() as s:
        a = s.get(models.Assignment, events["zjj"])
        assert a is not None and a.event_id == events["b"] and a.active
        assert a.role is AssignmentRole.CO  # 三板桥街道 still leads B
        assert any("并入事件" in str(r) for r in a.reasons)
        ack = s.get(models.Deadline, events["ack_zjj"])
        assert ack is not None and ack.event_id == events["b"] and ack.assignment_id == a.id
        assert ack.state is DeadlineState.OPEN and ack.deadline_at == due
        b = s.get(models.Event, events["b"])
        assert b is not None and b.lead_unit_id == "sanbanqiao"
        assert b.next_deadline_at == min(
            d.deadline_at for d in s.scalars(select(models.Deadline).where(
                models.Deadline.event_id == b.id,
                models.Deadline.state == DeadlineState.OPEN)))
        notice = s.scalars(select(models.Outbox).where(
            models.Outbox.unit_id == "zjj", models.Outbox.event_id == events["b"])).one()
        assert notice.kind == "assignment"
        assert notice.payload == {"role": "co", "merged_from": events["a"]}
        email = compose(web_settings, s, notice, clock.now)
        # the email names the merged event by its title, not by its number
        assert "事件“某小学旁工地夜间施工”并入本事件" in email.text
        moved = s.scalars(select(models.EventLog).where(
            models.EventLog.action == EventAction.ASSIGNMENT_MOVED.value)).one()
        assert (moved.event_id, moved.entity_id) == (events["b"], a.id)
        assert moved.detail["deadlines"] == [events["ack_zjj"]]

    # the link in the first 交办 email named event A: it opens the case on B, and works
    link = sign_token(web_settings.web.secret_key, "zjj", events["a"])
    page = client.get(f"/u/{link}")
    assert page.status_code == 200 and "三板桥小学旁施工噪音" in page.text
    r = client.post(f"/u/{link}/ack", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 303
    with db() as s:
        a = s.get(models.Assignment, events["zjj"])
        assert a is not None and a.state is AssignmentState.ACKNOWLEDGED
        ack = s.get(models.Deadline, events["ack_zjj"])
        assert ack is not None and ack.state is DeadlineState.MET
    # and so does the logged-in unit's page under the old event id
    login(client, "zjj_user")
    assert client.get(f"/unit/events/{events['a']}").status_code == 200


def test_a_unit_on_both_events_keeps_one_case(
    client: TestClient, events: dict[str, int], db: sessionmaker[Session],
    web_settings: Settings,
) -> None:
    _merge(client, events)
    with db() as s:
        held = s.scalars(select(models.Assignment).where(
            models.Assignment.event_id == events["b"], models.Assignment.active.is_(True))).all()
        units = [x.unit_id for x in held]
        assert sorted(units) == sorted(set(units)) == ["jyj", "sanbanqiao", "zjj"]
        kept = s.get(models.Assignment, events["jyj_b"])
        released = s.get(models.Assignment, events["jyj_a"])
        assert kept is not None and released is not None
        assert kept.active and kept.event_id == events["b"]
        assert not released.active and released.event_id == events["a"]
        # 教育局 had signed for the matter on A: B's 签收 is closed by that sign-off, on time
        assert kept.state is AssignmentState.ACKNOWLEDGED
        ack_b = s.get(models.Deadline, events["ack_jyj_b"])
        assert ack_b is not None and ack_b.state is DeadlineState.MET
        ack_a = s.get(models.Deadline, events["ack_jyj_a"])
        assert ack_a is not None and ack_a.event_id == events["a"]
        assert ack_a.state is DeadlineState.MET  # met before the merge, and kept as it was
        # told once: no second 交办 for a case it already holds
        assert s.scalars(select(models.Outbox).where(
            models.Outbox.unit_id == "jyj", models.Outbox.payload["merged_from"].is_not(None)
        )).all() == []
        a = s.get(models.Event, events["a"])
        assert a is not None and a.state is EventState.MERGED and a.next_deadline_at is None
    link = sign_token(web_settings.web.secret_key, "jyj", events["a"])
    page = client.get(f"/u/{link}")
    assert page.status_code == 200 and "三板桥小学旁施工噪音" in page.text


def test_a_merged_event_without_a_lead_takes_the_merged_lead(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    now = clock.now
    with db.begin() as s:
        a = f.event(s, "停水", severity=Severity.GENERAL, started_at=now - timedelta(hours=2))
        f.post(s, a, title="停水", content="小区停水")
        lead = f.assignment(s, a, "zjj", assigned_at=now - timedelta(hours=1))
        f.clocks(s, a, now - timedelta(hours=1))
        b = f.event(s, "停水后续", severity=Severity.GENERAL, started_at=now - timedelta(hours=1))
        f.post(s, b, title="还是停水", content="第二天")
        f.clocks(s, b, now - timedelta(hours=1))
        ids = {"a": a.id, "b": b.id, "lead": lead.id}
    _merge(client, ids)
    with db() as s:
        moved = s.get(models.Assignment, ids["lead"])
        assert moved is not None and moved.role is AssignmentRole.LEAD
        b = s.get(models.Event, ids["b"])
        assert b is not None and b.lead_unit_id == "zjj"
        kinds = {d.kind: d for d in s.scalars(select(models.Deadline).where(
            models.Deadline.event_id == ids["b"],
            models.Deadline.state != DeadlineState.CANCELLED))}
        assert set(kinds) == {"respond", "acknowledge", "resolve"}
        assert kinds["respond"].unit_id == "zjj"  # B's own window, now held by its lead
        assert kinds["resolve"].starts_at == moved.assigned_at
