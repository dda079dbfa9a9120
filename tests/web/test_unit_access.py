"""Units see and act on their own cases only, by login or by a signed link."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from domain.settings import Settings
from response_sla.calendar import SHANGHAI
from storage import models
from storage.enums import AssignmentState, DeadlineState, EventState, Severity
from tests.web import factories as f
from tests.web.conftest import Clock, csrf_of, login
from yuqing.signed_links import sign_token as sign_unit_link


@pytest.fixture
def cases(db: sessionmaker[Session], clock: Clock) -> dict[str, int]:
    now = clock.now
    with db.begin() as s:
        mine = f.event(
            s, "学校门口交通拥堵", severity=Severity.GENERAL, started_at=now - timedelta(hours=3)
        )
        f.post(s, mine, title="学校门口天天堵车", content="家长电话13900001111")
        a_mine = f.assignment(s, mine, "jyj", assigned_at=now - timedelta(hours=1))
        d_mine = {d.kind: d.id for d in f.clocks(s, mine, now - timedelta(hours=1))}
        theirs = f.event(
            s, "小区违建无人管", severity=Severity.GENERAL, started_at=now - timedelta(hours=3)
        )
        f.post(s, theirs, title="秘密违建", content="只有住建局能看")
        a_theirs = f.assignment(s, theirs, "zjj", assigned_at=now - timedelta(hours=1))
        d_theirs = {d.kind: d.id for d in f.clocks(s, theirs, now - timedelta(hours=1))}
        return {
            "mine": mine.id,
            "theirs": theirs.id,
            "a_mine": a_mine.id,
            "a_theirs": a_theirs.id,
            "d_mine": d_mine["respond"],
            "d_theirs": d_theirs["respond"],
            "resolve_mine": d_mine["resolve"],
            "resolve_theirs": d_theirs["resolve"],
            "ack_mine": d_mine["acknowledge"],
        }


def _changes(db: sessionmaker[Session]) -> int:
    with db() as s:
        return int(s.scalar(select(func.count()).select_from(models.EventLog)) or 0)


def test_unit_sees_only_own_cases(client: TestClient, cases: dict[str, int]) -> None:
    login(client, "jyj_user")
    home = client.get("/unit").text
    assert "学校门口交通拥堵" in home and "违建" not in home
    page = client.get(f"/unit/events/{cases['mine']}").text
    assert "学校门口天天堵车" in page
    assert "13900001111" not in page  # units see de-identified posts
    assert client.get(f"/unit/events/{cases['theirs']}").status_code == 404
    assert client.get("/unit/events/424242").status_code == 404
    # the duty officer's pages are closed to units
    r = client.get("/")
    assert r.status_code == 303 and r.headers["location"] == "/unit"
    assert client.get(f"/events/{cases['theirs']}").status_code == 403
    assert client.get("/queue/rows").status_code == 403
    assert client.get("/scoreboard").status_code == 403


def test_unit_cannot_act_on_another_units_case(
    client: TestClient, cases: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "jyj_user")
    before = _changes(db)
    for action in ("ack", "respond", "return", "extension"):
        r = client.post(
            f"/unit/events/{cases['theirs']}/{action}",
            data={
                "csrf_token": token,
                "text": "x",
                "reason": "x",
                "deadline_id": cases["resolve_theirs"],
                "until": "2099-01-01T00:00",
            },
        )
        assert r.status_code == 404, action
    # a foreign deadline id in the unit's own case form does nothing either
    r = client.post(
        f"/unit/events/{cases['mine']}/extension",
        data={
            "csrf_token": token,
            "deadline_id": cases["resolve_theirs"],
            "until": "2099-01-01T00:00",
            "reason": "想延期",
        },
    )
    assert "时限不存在" in client.get(r.headers["location"]).text
    # nor do the duty officer's action URLs
    r = client.post(f"/events/{cases['theirs']}/note", data={"csrf_token": token, "text": "x"})
    assert r.status_code == 403
    assert _changes(db) == before
    with db() as s:
        theirs = s.get(models.Assignment, cases["a_theirs"])
        assert theirs is not None and theirs.state is AssignmentState.ASSIGNED


def _until(at: datetime) -> str:
    return at.astimezone(SHANGHAI).strftime("%Y-%m-%dT%H:%M")


def test_unit_acknowledges_responds_and_requests_extension(
    client: TestClient, cases: dict[str, int], db: sessionmaker[Session], clock: Clock
) -> None:
    token = login(client, "jyj_user")
    base = f"/unit/events/{cases['mine']}"
    assert client.post(f"{base}/ack", data={"csrf_token": token}).status_code == 303
    with db() as s:
        resolve = s.get(models.Deadline, cases["resolve_mine"])
        assert resolve is not None
        until = _until(resolve.deadline_at + timedelta(days=3))
    client.post(
        f"{base}/extension",
        data={
            "csrf_token": token,
            "deadline_id": cases["resolve_mine"],
            "until": until,
            "reason": "需要现场核查",
        },
    )
    client.post(
        f"{base}/respond",
        data={
            "csrf_token": token,
            "text": "已安排交警疏导",
            "url": "https://www.qxg.gov.cn/jyj/1.html",
        },
    )
    with db() as s:
        a = s.get(models.Assignment, cases["a_mine"])
        assert a is not None and a.state is AssignmentState.RESPONDED
        assert (
            a.acknowledged_at is not None and a.response_url == "https://www.qxg.gov.cn/jyj/1.html"
        )
        d = s.get(models.Deadline, cases["d_mine"])
        assert d is not None and d.state is DeadlineState.MET
        assert d.evidence["closure"]["url"] == "https://www.qxg.gov.cn/jyj/1.html"
        ack = s.get(models.Deadline, cases["ack_mine"])
        assert ack is not None and ack.state is DeadlineState.MET
        ev = s.get(models.Event, cases["mine"])
        assert ev is not None and ev.state is EventState.RESPONDED
        actions = s.scalars(
            select(models.EventLog.action)
            .where(models.EventLog.event_id == cases["mine"], models.EventLog.actor != "system")
            .order_by(models.EventLog.id)
        ).all()
        assert actions == [
            "met",  # 签收, by the engine
            "acknowledged",
            "extension_requested",  # by the engine, once
            "met",  # the 48 h response window
            "state_changed",
            "responded",
        ]
        users = {u.username: u.id for u in s.scalars(select(models.User))}
        assert {
            r.actor
            for r in s.scalars(select(models.AuditLog).where(models.AuditLog.action != "login"))
        } == {f"user:{users['jyj_user']}"}


def test_hour_windows_cannot_be_extended(
    client: TestClient, cases: dict[str, int], db: sessionmaker[Session], clock: Clock
) -> None:
    token = login(client, "jyj_user")
    page = client.get(f"/unit/events/{cases['mine']}").text
    assert f'name="deadline_id" value="{cases["resolve_mine"]}"' in page
    assert f'name="deadline_id" value="{cases["d_mine"]}"' not in page
    r = client.post(
        f"/unit/events/{cases['mine']}/extension",
        data={
            "csrf_token": token,
            "deadline_id": cases["d_mine"],
            "until": _until(clock.now + timedelta(days=3)),
            "reason": "想延期",
        },
    )
    assert "cannot be extended" in client.get(r.headers["location"]).text
    with db() as s:
        assert (
            s.scalar(
                select(func.count())
                .select_from(models.EventLog)
                .where(models.EventLog.action == "extension_requested")
            )
            == 0
        )


def test_extension_request_then_duty_approval(
    client: TestClient, cases: dict[str, int], db: sessionmaker[Session], clock: Clock
) -> None:
    token = login(client, "jyj_user")
    with db() as s:
        resolve = s.get(models.Deadline, cases["resolve_mine"])
        assert resolve is not None
        target = resolve.deadline_at + timedelta(days=3)
    client.post(
        f"/unit/events/{cases['mine']}/extension",
        data={
            "csrf_token": token,
            "deadline_id": cases["resolve_mine"],
            "until": _until(target),
            "reason": "需要现场核查",
        },
    )
    client.post("/logout", data={"csrf_token": token})
    token = login(client, "duty1")
    page = client.get(f"/events/{cases['mine']}").text
    assert "需要现场核查" in page and "办结 15 个工作日" in page and "data-request=" in page
    with db() as s:
        req = s.scalars(
            select(models.EventLog).where(models.EventLog.action == "extension_requested")
        ).one()
        assert req.unit_id == "jyj" and req.entity_id == cases["resolve_mine"]
    client.post(
        f"/events/{cases['mine']}/extension-ruling",
        data={"csrf_token": token, "request_id": req.id, "decision": "approve", "reason": "同意"},
    )
    with db() as s:
        d = s.get(models.Deadline, cases["resolve_mine"])
        assert d is not None
        assert d.deadline_at == target
        assert d.original_deadline_at < d.deadline_at  # both stay visible
        approved = s.scalars(
            select(models.EventLog).where(models.EventLog.action == "extension_approved")
        ).one()  # the engine's row; the dashboard writes no second one
        assert approved.detail["request_id"] == req.id
        assert s.scalars(select(models.Outbox.kind)).all() == ["extension_decision"]
    page = client.get(f"/events/{cases['mine']}").text
    assert "已延期" in page and "data-request=" not in page  # no longer pending
    # a second ruling on the same request is refused
    r = client.post(
        f"/events/{cases['mine']}/extension-ruling",
        data={"csrf_token": token, "request_id": req.id, "decision": "refuse"},
    )
    assert "操作未完成" in client.get(r.headers["location"]).text


def test_unit_reports_resolution(
    client: TestClient, cases: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "jyj_user")
    client.post(
        f"/unit/events/{cases['mine']}/respond",
        data={"csrf_token": token, "text": "已拓宽路口，问题解决", "resolved": "1"},
    )
    with db() as s:
        a = s.get(models.Assignment, cases["a_mine"])
        assert a is not None and a.state is AssignmentState.CLOSED
        resolve = s.get(models.Deadline, cases["resolve_mine"])
        assert resolve is not None and resolve.state is DeadlineState.MET
        ev = s.get(models.Event, cases["mine"])
        assert ev is not None and ev.state is EventState.CLOSED and ev.next_deadline_at is None


def test_return_goes_to_duty_officer(
    client: TestClient, cases: dict[str, int], db: sessionmaker[Session]
) -> None:
    token = login(client, "jyj_user")
    client.post(
        f"/unit/events/{cases['mine']}/return", data={"csrf_token": token, "reason": "属交警职责"}
    )
    with db() as s:
        a = s.get(models.Assignment, cases["a_mine"])
        assert (
            a is not None
            and a.state is AssignmentState.RETURNED
            and a.return_reason == "属交警职责"
        )
        row = s.scalars(
            select(models.EventLog).where(models.EventLog.action == "return_requested")
        ).one()
        assert row.reason == "属交警职责" and row.unit_id == "jyj"
        # the clocks keep running while it bounces
        d = s.get(models.Deadline, cases["d_mine"])
        assert d is not None and d.state is DeadlineState.OPEN
    # a return without a reason is refused
    with db.begin() as s:
        a = s.get(models.Assignment, cases["a_mine"])
        assert a is not None
        a.state = AssignmentState.ASSIGNED
    client.post(f"/unit/events/{cases['mine']}/return", data={"csrf_token": token, "reason": "  "})
    with db() as s:
        a = s.get(models.Assignment, cases["a_mine"])
        assert a is not None and a.state is AssignmentState.ASSIGNED


def test_return_after_the_limit_is_refused(
    client: TestClient, cases: dict[str, int], db: sessionmaker[Session], clock: Clock
) -> None:
    clock.advance(timedelta(hours=30))  # the default policy allows 退单 within 24 h
    token = login(client, "jyj_user")  # a session lasts a working day: log in when acting
    r = client.post(
        f"/unit/events/{cases['mine']}/return", data={"csrf_token": token, "reason": "属交警职责"}
    )
    assert "within 24 h" in client.get(r.headers["location"]).text
    with db() as s:
        a = s.get(models.Assignment, cases["a_mine"])
        assert a is not None and a.state is AssignmentState.ASSIGNED


def test_signed_link_scoped_to_one_unit_and_event(
    client: TestClient, cases: dict[str, int], db: sessionmaker[Session], web_settings: Settings
) -> None:
    key = web_settings.web.secret_key
    good = sign_unit_link(key, "jyj", cases["mine"])
    page = client.get(f"/u/{good}")
    assert page.status_code == 200 and "学校门口天天堵车" in page.text
    token = csrf_of(page.text)
    assert client.post(f"/u/{good}/ack", data={"csrf_token": token}).status_code == 303
    with db() as s:
        a = s.get(models.Assignment, cases["a_mine"])
        assert a is not None and a.state is AssignmentState.ACKNOWLEDGED
        assert s.scalars(select(models.AuditLog.actor)).all() == ["unit:jyj"]
    # the link names jyj: it does not open zjj's case, even with zjj's event id
    foreign = sign_unit_link(key, "jyj", cases["theirs"])
    assert client.get(f"/u/{foreign}").status_code == 404
    assert client.post(f"/u/{foreign}/ack", data={"csrf_token": token}).status_code == 404
    # a token signed with another key, or tampered with, is refused
    assert client.get(f"/u/{sign_unit_link('other-key', 'jyj', cases['mine'])}").status_code == 404
    i = len(good) - 5
    tampered = good[:i] + ("A" if good[i] != "A" else "B") + good[i + 1 :]
    assert client.get(f"/u/{tampered}").status_code == 404
    # the link does not log anyone in
    assert client.get(f"/unit/events/{cases['mine']}").status_code == 303


def test_expired_link_does_nothing(
    client: TestClient,
    cases: dict[str, int],
    db: sessionmaker[Session],
    web_settings: Settings,
    clock: Clock,
) -> None:
    link = sign_unit_link(web_settings.web.secret_key, "jyj", cases["mine"])
    page = client.get(f"/u/{link}")
    token = csrf_of(page.text)
    clock.advance(timedelta(days=web_settings.web.signed_link_days, minutes=1))
    # a genuine link whose time is up says so, and whom to call
    ended = client.get(f"/u/{link}")
    assert ended.status_code == 410 and "链接已过期" in ended.text and "舆情值班室" in ended.text
    assert client.post(f"/u/{link}/ack", data={"csrf_token": token}).status_code == 410
    with db() as s:
        a = s.get(models.Assignment, cases["a_mine"])
        assert a is not None and a.state is AssignmentState.ASSIGNED


def test_link_action_needs_csrf(
    client: TestClient, cases: dict[str, int], db: sessionmaker[Session], web_settings: Settings
) -> None:
    link = sign_unit_link(web_settings.web.secret_key, "jyj", cases["mine"])
    assert client.post(f"/u/{link}/ack", data={}).status_code == 403
    with db() as s:
        a = s.get(models.Assignment, cases["a_mine"])
        assert a is not None and a.state is AssignmentState.ASSIGNED
