"""Closure on evidence, 延期, 退单, 重办 and regrading, as pure transitions."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from response_sla.calendar import WorkCalendar
from response_sla.clock import Breach, Clock, held_time, start_clock, step
from response_sla.deadlines import window_end
from response_sla.errors import TransitionRefused
from response_sla.evidence import Evidence
from response_sla.policy import Policy
from response_sla.transitions import (
    cancel,
    check_return,
    decide_extension,
    extension_cap,
    meet,
    regrade,
    reopen,
    request_extension,
    return_limit,
    transfer,
)
from storage.enums import DeadlineState, Severity
from tests.sla.conftest import sh

S = sh(2025, 9, 26, 10)


def _clock(policy: Policy, calendar: WorkCalendar, kind: str, start: datetime = S) -> Clock:
    k = policy.kind(kind)
    end, provisional = window_end(k, start, calendar)
    return start_clock(k, start, end, provisional=provisional, unit_id="zjj")


# ----------------------------------------------------------------- closure on evidence


@pytest.mark.parametrize(
    ("evidence", "state"),
    [
        (
            Evidence.from_url(
                "publish", "https://gov.example/notice/1", sh(2025, 9, 26, 14), "user:1"
            ),
            DeadlineState.MET,
        ),
        (
            Evidence.from_url("publish", "http://gov.example/n", sh(2025, 9, 26, 15), "user:1"),
            DeadlineState.MET,
        ),
        (
            Evidence.from_text("publish", "经核查……", sh(2025, 9, 26, 15, 1), "unit:zjj"),
            DeadlineState.CLOSED_LATE,
        ),
    ],
)
def test_meet_on_evidence(
    policy: Policy, calendar: WorkCalendar, evidence: Evidence, state: DeadlineState
) -> None:
    clock = _clock(policy, calendar, "publish_info")
    closed, log = meet(clock, evidence, sh(2025, 9, 26, 18), policy.kind("publish_info"))
    assert closed.state is state and closed.met_at == evidence.at and closed.due_at is None
    assert closed.closure is not None and closed.closure["kind"] == evidence.kind
    assert log.action == ("met" if state is DeadlineState.MET else "closed_late")
    assert log.actor == evidence.by
    assert closed.holds[-1].until == evidence.at


def test_board_reply_time_is_the_response_time(policy: Policy, calendar: WorkCalendar) -> None:
    clock = _clock(policy, calendar, "respond")  # 48 h: until Sunday 28, 10:00
    # crawled on Monday, but the board shows the reply was made on Sunday morning
    reply = Evidence.from_board_reply("您好，已安排处理。", sh(2025, 9, 28, 9), "区住建局")
    closed, _ = meet(clock, reply, sh(2025, 9, 29, 8), policy.kind("respond"))
    assert closed.state is DeadlineState.MET and closed.closure is not None
    assert closed.closure["org"] == "区住建局"
    late = Evidence.from_board_reply("您好。", sh(2025, 9, 29, 7), None)
    assert meet(clock, late, sh(2025, 9, 29, 8), policy.kind("respond"))[0].state is (
        DeadlineState.CLOSED_LATE
    )


@pytest.mark.parametrize(
    ("evidence", "message"),
    [
        (Evidence.from_url("publish", "ftp://x/y", S, "u"), "http"),
        (Evidence.from_url("publish", "not a url", S, "u"), "http"),
        (Evidence.from_text("publish", "   ", S, "u"), "empty"),
        (Evidence.sign_off(S, "u"), "does not close"),
        (Evidence("publish", "sign_off", S, "u"), "sign-off proves only"),
        (Evidence.from_text("press", "发布会", S, "u"), "does not close"),
        (Evidence.from_text("publish", "x", sh(2025, 9, 27), "u"), "future"),
        (Evidence.from_text("publish", "x", S - timedelta(hours=1), "u"), "predates"),
    ],
)
def test_meet_refuses_non_evidence(
    policy: Policy, calendar: WorkCalendar, evidence: Evidence, message: str
) -> None:
    clock = _clock(policy, calendar, "publish_info")
    with pytest.raises(TransitionRefused, match=message):
        meet(clock, evidence, sh(2025, 9, 26, 20), policy.kind("publish_info"))


def test_closed_window_cannot_close_again(policy: Policy, calendar: WorkCalendar) -> None:
    kind = policy.kind("publish_info")
    closed, _ = meet(
        _clock(policy, calendar, "publish_info"),
        Evidence.from_text("publish", "x", S, "u"),
        S,
        kind,
    )
    with pytest.raises(TransitionRefused, match="already met"):
        meet(closed, Evidence.from_text("publish", "y", S, "u"), S, kind)
    ack = _clock(policy, calendar, "acknowledge")
    assert (
        meet(
            ack,
            Evidence.sign_off(S + timedelta(minutes=5), "unit:zjj"),
            S + timedelta(hours=1),
            policy.kind("acknowledge"),
        )[0].state
        is DeadlineState.MET
    )


# ----------------------------------------------------------------- 延期


def test_extension_cap_is_ten_working_days(policy: Policy, calendar: WorkCalendar) -> None:
    clock = _clock(policy, calendar, "resolve")
    assert clock.deadline_at == sh(2025, 10, 24)  # end of Thursday 23 October
    # 24, 27–31 October, 3–6 November
    assert extension_cap(clock, policy.kind("resolve"), calendar, None) == sh(2025, 11, 7)
    assert extension_cap(clock, policy.kind("respond"), calendar, None) is None


@pytest.mark.parametrize(
    ("kind", "until", "now", "reason", "message"),
    [
        ("resolve", sh(2025, 11, 7), sh(2025, 10, 24), "材料未齐", "before the deadline"),
        (
            "resolve",
            sh(2025, 11, 7, 0, 1),
            sh(2025, 10, 20),
            "材料未齐",
            "capped at 10 working days",
        ),
        ("resolve", sh(2025, 10, 23), sh(2025, 10, 20), "材料未齐", "later than the current"),
        ("resolve", sh(2025, 11, 1), sh(2025, 10, 20), "  ", "needs a reason"),
        ("respond", sh(2025, 9, 29), sh(2025, 9, 27), "忙", "cannot be extended"),
        ("publish_info", sh(2025, 9, 26, 16), sh(2025, 9, 26, 11), "忙", "cannot be extended"),
    ],
)
def test_extension_refusals(
    policy: Policy,
    calendar: WorkCalendar,
    kind: str,
    until: datetime,
    now: datetime,
    reason: str,
    message: str,
) -> None:
    clock = _clock(policy, calendar, kind)
    with pytest.raises(TransitionRefused, match=message):
        request_extension(clock, until, now, "unit:zjj", reason, policy.kind(kind), calendar)


def test_extension_approved_and_refused(policy: Policy, calendar: WorkCalendar) -> None:
    kind = policy.kind("resolve")
    clock = _clock(policy, calendar, "resolve")
    req, log = request_extension(
        clock, sh(2025, 11, 7), sh(2025, 10, 20), "unit:zjj", "需现场核查", kind, calendar
    )
    assert log.action == "extension_requested" and log.reason == "需现场核查"
    refused, t = decide_extension(
        clock, req, False, sh(2025, 10, 21), "user:1", "理由不足", kind, calendar
    )
    assert refused == clock and t.action == "extension_refused"
    extended, t = decide_extension(
        clock, req, True, sh(2025, 10, 21), "user:1", "同意", kind, calendar
    )
    assert extended.deadline_at == sh(2025, 11, 7)
    assert extended.original_deadline_at == sh(2025, 10, 24)
    assert extended.extensions[0].old_deadline_at == sh(2025, 10, 24)
    assert t.detail["to"] == sh(2025, 11, 7).isoformat()
    # no breach at the old deadline any more
    assert step(extended, sh(2025, 10, 24, 1), kind).clock.state is DeadlineState.OPEN


def test_extension_ruled_after_the_breach_reopens_the_window(
    policy: Policy, calendar: WorkCalendar
) -> None:
    kind = policy.kind("resolve")
    clock = _clock(policy, calendar, "resolve")
    req, _ = request_extension(
        clock, sh(2025, 11, 3), sh(2025, 10, 23), "unit:zjj", "x", kind, calendar
    )
    breached = step(clock, sh(2025, 10, 24, 12), kind)
    assert [type(e) for e in breached.effects] == [Breach]
    extended, _ = decide_extension(
        breached.clock, req, True, sh(2025, 10, 24, 12), "user:1", "", kind, calendar
    )
    assert extended.state is DeadlineState.OPEN and extended.escalation_level == 0
    again = step(extended, sh(2025, 11, 3), kind)
    assert [e.level for e in again.effects if isinstance(e, Breach)] == [1]


# ----------------------------------------------------------------- 退单


def test_return_within_the_limit(policy: Policy) -> None:
    limit = return_limit([policy.kind("acknowledge"), policy.kind("resolve")])
    assert limit == timedelta(hours=24)
    t = check_return(S, S + timedelta(hours=23), "unit:zjj", "不属于本单位职责", limit)
    assert t.action == "return_requested" and t.reason == "不属于本单位职责"
    with pytest.raises(TransitionRefused, match="within 24 h"):
        check_return(S, S + timedelta(hours=25), "unit:zjj", "不属于本单位职责", limit)
    with pytest.raises(TransitionRefused, match="reason"):
        check_return(S, S + timedelta(hours=1), "unit:zjj", "", limit)


def test_transfer_keeps_the_clock_running(policy: Policy, calendar: WorkCalendar) -> None:
    clock = _clock(policy, calendar, "resolve")
    moved, t = transfer(clock, "jyj", S + timedelta(hours=5), "user:1", "退单成立")
    assert moved.deadline_at == clock.deadline_at and moved.unit_id == "jyj"
    assert t.detail == {"from": "zjj", "to": "jyj"}
    assert held_time(moved, S + timedelta(hours=8)) == {
        "zjj": timedelta(hours=5),
        "jyj": timedelta(hours=3),
    }


# ----------------------------------------------------------------- 重办


def test_reopen_starts_a_new_cycle(policy: Policy, calendar: WorkCalendar) -> None:
    kind = policy.kind("resolve")
    clock = _clock(policy, calendar, "resolve")
    met, _ = meet(
        clock,
        Evidence.from_text("resolve", "已办结", sh(2025, 10, 10), "unit:zjj"),
        sh(2025, 10, 10),
        kind,
    )
    old, new, log = reopen(met, sh(2025, 10, 13, 9), "user:1", "群众不满意", kind, calendar)
    assert old == met  # history kept as it was
    assert (
        new.cycle == 2 and new.state is DeadlineState.OPEN and new.starts_at == sh(2025, 10, 13, 9)
    )
    assert new.deadline_at == sh(2025, 11, 4)  # 14–31 October (14 days) and 3 November
    assert [t.action for t in log] == ["reopened"]
    still_open = _clock(policy, calendar, "resolve")
    old, _, log = reopen(still_open, sh(2025, 10, 13, 9), "user:1", "重办", kind, calendar)
    assert old.state is DeadlineState.CANCELLED and [t.action for t in log] == [
        "cancelled",
        "reopened",
    ]
    with pytest.raises(TransitionRefused, match="not reopened"):
        reopen(
            _clock(policy, calendar, "respond"), S, "user:1", "x", policy.kind("respond"), calendar
        )


# ----------------------------------------------------------------- severity


def test_raise_severity_breaches_at_once(policy: Policy, calendar: WorkCalendar) -> None:
    respond = _clock(policy, calendar, "respond")
    resolve = _clock(policy, calendar, "resolve")
    now = S + timedelta(hours=6, minutes=30)
    r = regrade(
        [respond, resolve],
        Severity.GENERAL,
        Severity.MAJOR,
        S,
        now,
        "user:1",
        policy,
        calendar,
        unit_id="zjj",
    )
    assert [(i, c.kind, c.state) for i, c, _ in r.cancelled] == [
        (0, "respond", DeadlineState.CANCELLED)
    ]
    opened = {c.kind: c for c in r.opened}
    assert set(opened) == {"publish_info", "press_conference"}
    publish = opened["publish_info"]
    assert publish.starts_at == S and publish.deadline_at == S + timedelta(hours=5)
    # 1.5 h past the 5 h window: level 1 and level 2 (after 1 h) at once
    result = step(publish, now, policy.kind("publish_info"))
    assert [e.level for e in result.effects if isinstance(e, Breach)] == [1, 2]
    assert [t.action for t in r.log] == ["severity_changed", "cancelled", "opened", "opened"]


def test_lower_severity_keeps_history(policy: Policy, calendar: WorkCalendar) -> None:
    kind = policy.kind("publish_info")
    publish, _ = meet(
        _clock(policy, calendar, "publish_info"),
        Evidence.from_url("publish", "https://x.example/a", S + timedelta(hours=2), "user:1"),
        S + timedelta(hours=2),
        kind,
    )
    press = _clock(policy, calendar, "press_conference")
    r = regrade(
        [publish, press],
        Severity.MAJOR,
        Severity.GENERAL,
        S,
        S + timedelta(hours=3),
        "user:1",
        policy,
        calendar,
    )
    assert [c.kind for _, c, _ in r.cancelled] == ["press_conference"]
    assert [c.kind for c in r.opened] == ["respond"]
    assert r.opened[0].deadline_at == S + timedelta(hours=48)  # from the original start
    # grade changes within the severe grades change nothing
    same = regrade(
        [publish, press], Severity.MAJOR, Severity.EXTRAORDINARY, S, S, "u", policy, calendar
    )
    assert same.cancelled == [] and same.opened == []


def test_cancel(policy: Policy, calendar: WorkCalendar) -> None:
    done, t = cancel(_clock(policy, calendar, "respond"), S, "user:1", "not relevant")
    assert (
        done.state is DeadlineState.CANCELLED
        and done.cancelled is not None
        and t.reason == "not relevant"
    )
    with pytest.raises(TransitionRefused):
        cancel(done, S, "user:1", "again")
    assert replace(done, state=DeadlineState.OPEN).is_open
