"""Attacks on the signed email links: a link reused to close or return a case twice, a link
that outlived a reassignment (away, and away and back), and links across a merge."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from domain.settings import Settings
from storage import models
from storage.enums import AssignmentState, Severity
from tests.web import factories as f
from tests.web.conftest import Clock, csrf_of, login
from tests.web.test_merge import _merge, events  # noqa: F401 - the merge fixture
from yuqing.signed_links import sign_token, unit_link, verify_link_token


@pytest.fixture
def case(db: sessionmaker[Session], clock: Clock) -> dict[str, int]:
    now = clock.now
    with db.begin() as s:
        ev = f.event(s, "某镇自来水停水三天", severity=Severity.GENERAL,
                     started_at=now - timedelta(hours=2))
        f.post(s, ev, title="停水三天了", content="无人答复")
        a = f.assignment(s, ev, "zjj", assigned_at=now - timedelta(minutes=30))
        f.clocks(s, ev, now - timedelta(minutes=30))
        return {"event": ev.id, "assignment": a.id}


def _link(settings: Settings, unit: str, event_id: int, assignment_id: int) -> str:
    return sign_token(settings.web.secret_key, unit, event_id, assignment_id)


def _reassign(client: TestClient, event_id: int, lead: str) -> None:
    token = login(client, "duty1")
    r = client.post(f"/events/{event_id}/reassign",
                    data={"csrf_token": token, "lead": lead, "reason": "职责调整"})
    assert r.status_code == 303, r.text
    client.post("/logout", data={"csrf_token": token})


def _state(db: sessionmaker[Session], assignment_id: int) -> AssignmentState:
    with db() as s:
        a = s.get(models.Assignment, assignment_id)
        assert a is not None
        return a.state


def test_email_links_name_their_assignment(web_settings: Settings) -> None:
    url = unit_link(web_settings, "zjj", 7, 42)
    scope = verify_link_token(web_settings, url.rsplit("/", 1)[1], datetime.now(UTC))
    assert scope is not None and (scope.unit_id, scope.event_id, scope.assignment_id) == (
        "zjj", 7, 42)


def test_returning_asks_for_confirmation_and_spends_the_link(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session], web_settings: Settings
) -> None:
    link = _link(web_settings, "zjj", case["event"], case["assignment"])
    page = client.get(f"/u/{link}")
    token = csrf_of(page.text)
    # the first post only asks: nothing changes yet
    ask = client.post(f"/u/{link}/return", data={"csrf_token": token, "reason": "属水务公司"})
    assert ask.status_code == 200 and "确认退单" in ask.text and 'name="confirm"' in ask.text
    assert _state(db, case["assignment"]) is AssignmentState.ASSIGNED
    done = client.post(f"/u/{link}/return",
                       data={"csrf_token": token, "reason": "属水务公司", "confirm": "1"})
    assert done.status_code == 200 and "退单已提交" in done.text
    assert _state(db, case["assignment"]) is AssignmentState.RETURNED
    # replayed: the link is spent, for this and for everything else
    again = client.post(f"/u/{link}/return",
                        data={"csrf_token": token, "reason": "再退一次", "confirm": "1"})
    assert again.status_code == 410 and "链接已使用" in again.text
    assert client.get(f"/u/{link}").status_code == 410
    assert client.post(f"/u/{link}/ack", data={"csrf_token": token}).status_code == 410
    with db() as s:
        uses = s.scalars(select(models.LinkUse)).all()
        assert [(u.assignment_id, u.action) for u in uses] == [(case["assignment"], "return")]


def test_closing_asks_for_confirmation_and_is_single_use(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session], web_settings: Settings
) -> None:
    link = _link(web_settings, "zjj", case["event"], case["assignment"])
    token = csrf_of(client.get(f"/u/{link}").text)
    form = {"csrf_token": token, "text": "已恢复供水", "url": "https://www.qxg.gov.cn/1.html",
            "resolved": "1"}
    ask = client.post(f"/u/{link}/respond", data=form)
    assert ask.status_code == 200 and "确认办结" in ask.text
    assert _state(db, case["assignment"]) is AssignmentState.ASSIGNED
    assert client.post(f"/u/{link}/respond", data={**form, "confirm": "1"}).status_code == 200
    assert client.post(f"/u/{link}/respond", data={**form, "confirm": "1"}).status_code == 410
    with db() as s:
        assert [u.action for u in s.scalars(select(models.LinkUse))] == ["close"]


def test_a_plain_response_needs_no_confirmation_and_keeps_the_link(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session], web_settings: Settings
) -> None:
    link = _link(web_settings, "zjj", case["event"], case["assignment"])
    token = csrf_of(client.get(f"/u/{link}").text)
    r = client.post(f"/u/{link}/respond", data={"csrf_token": token, "text": "正在抢修",
                                               "url": "https://www.qxg.gov.cn/2.html"})
    assert r.status_code == 303
    assert client.get(f"/u/{link}").status_code == 200


def test_a_link_ends_with_a_reassignment_and_is_not_revived_by_reassigning_back(
    client: TestClient, case: dict[str, int], db: sessionmaker[Session], web_settings: Settings
) -> None:
    old = _link(web_settings, "zjj", case["event"], case["assignment"])
    assert client.get(f"/u/{old}").status_code == 200
    _reassign(client, case["event"], "swj")
    ended = client.get(f"/u/{old}")
    assert ended.status_code == 410 and "案件已改派" in ended.text
    assert "duty@qxg.example" in ended.text  # whom to call
    _reassign(client, case["event"], "zjj")  # away and back
    ended = client.get(f"/u/{old}")
    assert ended.status_code == 410 and "案件已改派" in ended.text
    token = csrf_of(client.get("/login").text)
    assert client.post(f"/u/{old}/ack", data={"csrf_token": token}).status_code == 410
    # the new assignment's own link works
    with db() as s:
        new = s.scalars(select(models.Assignment).where(
            models.Assignment.event_id == case["event"], models.Assignment.unit_id == "zjj",
            models.Assignment.active.is_(True))).one()
    assert new.id != case["assignment"]
    assert client.get(f"/u/{_link(web_settings, 'zjj', case['event'], new.id)}").status_code == 200


def test_a_link_sent_before_links_were_bound_is_bound_to_the_assignment_of_its_day(
    client: TestClient, case: dict[str, int], web_settings: Settings, clock: Clock
) -> None:
    legacy = sign_token(web_settings.web.secret_key, "zjj", case["event"])
    assert client.get(f"/u/{legacy}").status_code == 200
    clock.advance(timedelta(minutes=10))
    _reassign(client, case["event"], "swj")
    _reassign(client, case["event"], "zjj")
    assert client.get(f"/u/{legacy}").status_code == 410


def test_a_merge_that_carries_the_assignment_keeps_its_link(
    client: TestClient, events: dict[str, int], web_settings: Settings  # noqa: F811
) -> None:
    moved = _link(web_settings, "zjj", events["a"], events["zjj"])  # carried to B
    folded = _link(web_settings, "jyj", events["a"], events["jyj_a"])  # folded into jyj_b
    _merge(client, events)
    for link in (moved, folded):
        page = client.get(f"/u/{link}")
        assert page.status_code == 200 and "三板桥小学旁施工噪音" in page.text
