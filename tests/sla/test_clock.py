"""The pure step: warnings, breach levels and reminders, each at most once, late or not."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from response_sla.clock import (
    Breach,
    Clock,
    DeadlineWarning,
    Effect,
    Reminder,
    held_time,
    start_clock,
    step,
)
from response_sla.policy import KindPolicy, Policy
from storage.enums import DeadlineState
from tests.sla.conftest import sh

S = sh(2025, 9, 26, 10)  # publish_info: 5 h → deadline 15:00; warnings 12:30, 14:00


def _label(e: Effect) -> str:
    if isinstance(e, DeadlineWarning):
        return f"W{e.fraction}"
    if isinstance(e, Breach):
        return f"B{e.level}"
    return f"R{e.count}"


@pytest.fixture
def kind(policy: Policy) -> KindPolicy:
    return policy.kind("publish_info")


@pytest.fixture
def fresh(kind: KindPolicy) -> Clock:
    return start_clock(kind, S, S + timedelta(hours=5), unit_id="zjj")


@pytest.mark.parametrize(
    ("setup", "now", "effects", "state", "due"),
    [
        ({}, sh(2025, 9, 26, 11), [], DeadlineState.OPEN, sh(2025, 9, 26, 12, 30)),
        ({}, sh(2025, 9, 26, 12, 30), ["W0.5"], DeadlineState.OPEN, sh(2025, 9, 26, 14)),
        # late: the 50% warning is superseded by the 80% one
        ({}, sh(2025, 9, 26, 14, 10), ["W0.8"], DeadlineState.OPEN, sh(2025, 9, 26, 15)),
        (
            {"warnings_sent": 2},
            sh(2025, 9, 26, 14, 59),
            [],
            DeadlineState.OPEN,
            sh(2025, 9, 26, 15),
        ),
        # at the deadline: breach, stale warnings skipped; next: level 2 and reminder 1 at 16:00
        ({}, sh(2025, 9, 26, 15), ["B1"], DeadlineState.BREACHED, sh(2025, 9, 26, 16)),
        # an hour late: both levels, the reminder owed at 16:00 folded into level 2
        ({}, sh(2025, 9, 26, 16), ["B1", "B2"], DeadlineState.BREACHED, sh(2025, 9, 26, 17)),
        (
            {},
            sh(2025, 9, 26, 18, 30),
            ["B1", "B2", "B3"],
            DeadlineState.BREACHED,
            sh(2025, 9, 26, 19),
        ),
        # at level 3, five reminder slots owed: only the latest goes out
        (
            {
                "state": DeadlineState.BREACHED,
                "warnings_sent": 2,
                "escalation_level": 3,
                "reminders_sent": 1,
            },
            sh(2025, 9, 26, 21, 30),
            ["R6"],
            DeadlineState.BREACHED,
            sh(2025, 9, 26, 22),
        ),
        # the last reminder: nothing more will happen
        (
            {
                "state": DeadlineState.BREACHED,
                "warnings_sent": 2,
                "escalation_level": 3,
                "reminders_sent": 23,
            },
            sh(2025, 9, 28),
            ["R24"],
            DeadlineState.BREACHED,
            None,
        ),
        ({"state": DeadlineState.MET}, sh(2025, 9, 28), [], DeadlineState.MET, None),
        ({"state": DeadlineState.CANCELLED}, sh(2025, 9, 28), [], DeadlineState.CANCELLED, None),
    ],
)
def test_step_decisions(
    kind: KindPolicy,
    fresh: Clock,
    setup: dict[str, object],
    now: datetime,
    effects: list[str],
    state: DeadlineState,
    due: datetime | None,
) -> None:
    clock = replace(fresh, **setup)  # type: ignore[arg-type]
    result = step(clock, now, kind)
    assert [_label(e) for e in result.effects] == effects
    assert result.clock.state is state
    assert result.clock.due_at == (due if clock.is_open else clock.due_at)
    # running again at the same moment owes nothing
    again = step(result.clock, now, kind)
    assert again.effects == () and again.clock == result.clock


def test_on_time_ticks_emit_the_full_sequence(kind: KindPolicy, fresh: Clock) -> None:
    clock, emitted, ticks = fresh, [], 0
    while clock.due_at is not None:
        result = step(clock, clock.due_at, kind)
        emitted += [_label(e) for e in result.effects]
        clock, ticks = result.clock, ticks + 1
        assert ticks < 100
    # reminders 1 and 3 coincide with levels 2 and 3 and are folded into them
    assert emitted == ["W0.5", "W0.8", "B1", "B2", "R2", "B3"] + [f"R{n}" for n in range(4, 25)]


@pytest.mark.parametrize("every_minutes", [7, 45, 180, 24 * 60])
def test_any_tick_rhythm_never_repeats_an_effect(
    kind: KindPolicy, fresh: Clock, every_minutes: int
) -> None:
    clock, emitted = fresh, []
    now = S
    while now < S + timedelta(days=3):
        result = step(clock, now, kind)
        emitted += [_label(e) for e in result.effects]
        clock = result.clock
        assert clock.due_at is None or clock.due_at > now
        now += timedelta(minutes=every_minutes)
    assert len(emitted) == len(set(emitted))
    assert [e for e in emitted if e.startswith("B")] == ["B1", "B2", "B3"]
    assert clock.due_at is None  # all 24 reminder slots are behind us


def test_log_records_skips(kind: KindPolicy, fresh: Clock) -> None:
    result = step(fresh, sh(2025, 9, 26, 16), kind, actor="tick")
    actions = [t.action for t in result.log]
    assert actions == [
        "warning_skipped",
        "warning_skipped",
        "breached",
        "escalated",
        "reminder_skipped",
    ]
    assert all(t.actor == "tick" and t.at == sh(2025, 9, 26, 16) for t in result.log)


def test_reminder_carries_level_and_recipients(kind: KindPolicy, fresh: Clock) -> None:
    clock = step(fresh, sh(2025, 9, 26, 16), kind).clock
    result = step(clock, sh(2025, 9, 26, 17), kind)
    (reminder,) = result.effects
    assert isinstance(reminder, Reminder)
    assert reminder.count == 2 and reminder.level == 2 and "leader" in reminder.notify


def test_working_day_window_warnings_use_wall_time(policy: Policy) -> None:
    kind = policy.kind("website_error")
    clock = start_clock(kind, S, sh(2025, 9, 30))  # Friday 10:00 → Tuesday 00:00
    assert clock.due_at == S + (sh(2025, 9, 30) - S) / 2


def test_held_time() -> None:
    from response_sla.clock import Hold

    clock = Clock(
        "resolve",
        S,
        S + timedelta(days=5),
        S + timedelta(days=5),
        holds=(Hold("a", S, S + timedelta(hours=3)), Hold("b", S + timedelta(hours=3))),
    )
    assert held_time(clock, S + timedelta(hours=10)) == {
        "a": timedelta(hours=3),
        "b": timedelta(hours=7),
    }


@pytest.mark.parametrize(
    "kind_name",
    ["publish_info", "press_conference", "respond", "acknowledge", "resolve", "website_error"],
)
def test_every_kind_runs_its_whole_course(policy: Policy, kind_name: str) -> None:
    """Ticking exactly when due: every warning, then each breach level in order, then the
    reminders (less those falling on an escalation), then silence."""
    kind = policy.kind(kind_name)
    end = S + timedelta(hours=kind.hours) if kind.hours else sh(2025, 10, 24)
    clock = start_clock(kind, S, end, unit_id="zjj")
    emitted: list[Effect] = []
    while clock.due_at is not None:
        result = step(clock, clock.due_at, kind)
        assert result.effects, "a step at due_at always owes something"
        emitted += result.effects
        clock = result.clock
    warnings = [e.fraction for e in emitted if isinstance(e, DeadlineWarning)]
    levels = [e.level for e in emitted if isinstance(e, Breach)]
    reminders = [e.count for e in emitted if isinstance(e, Reminder)]
    assert warnings == list(kind.warnings)
    assert levels == [e.level for e in kind.escalation]
    assert kind.reminder_every is not None
    folded = {
        int(e.after / kind.reminder_every)
        for e in kind.escalation[1:]
        if e.after % kind.reminder_every == timedelta(0)
    }
    assert reminders == [n for n in range(1, kind.max_reminders + 1) if n not in folded]
    assert clock.state is DeadlineState.BREACHED and clock.escalation_level == len(levels)
