"""Windows on office hours: their warnings, reminders and escalations fall only within office
hours and count their intervals in office time; 特别重大 / 重大 stay round the clock.

The decision tables follow a routine 签收 (2 office hours; a warning at 50 %; reminders every
2 h, at most 6; level 2 at 24 h, level 3 at 72 h past the deadline) on the 2025 calendar:
National Day and 中秋 off 1–8 October, Sunday 28 September and Saturday 11 October worked
(国办发明电〔2024〕12号). Office hours 08:30–12:00 and 14:30–17:30 (6.5 h a day). The
expected moments were counted by hand from those periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from response_sla import service
from response_sla.calendar import WorkCalendar
from response_sla.clock import Breach, Clock, DeadlineWarning, Reminder, start_clock, step
from response_sla.configured import SlaSetup
from response_sla.deadlines import window_end
from response_sla.office import NATURAL, OFFICE, OfficeHours, OfficeSchedule
from response_sla.policy import Policy
from response_sla.tick import tick
from storage import models
from storage.enums import Severity
from tests.sla import factories as f
from tests.sla.conftest import sh

HOURS = OfficeHours.parse()  # 08:30–12:00, 14:30–17:30
SCHEDULE = OfficeSchedule(HOURS, WorkCalendar())


@dataclass(frozen=True)
class Sent:
    at: datetime
    what: str  # warning | breach:N | reminder:N


def _open(policy: Policy, start: datetime, severity: Severity = Severity.ROUTINE) -> Clock:
    kind = policy.kind("acknowledge")
    end, _ = window_end(kind, start, SCHEDULE.calendar, severity=severity, office=HOURS)
    clock_type = kind.clock_for(severity)
    return start_clock(kind, start, end, unit_id="zjj", clock_type=clock_type, office=SCHEDULE)


def _run(policy: Policy, clock: Clock, until: datetime) -> list[Sent]:
    """Step the clock at each moment it asks to be stepped, as the tick does."""
    kind = policy.kind("acknowledge")
    sent: list[Sent] = []
    while clock.due_at is not None and clock.due_at <= until:
        at = clock.due_at
        r = step(clock, at, kind, office=SCHEDULE)
        for e in r.effects:
            if isinstance(e, DeadlineWarning):
                sent.append(Sent(at, "warning"))
            elif isinstance(e, Breach):
                sent.append(Sent(at, f"breach:{e.level}"))
            elif isinstance(e, Reminder):
                sent.append(Sent(at, f"reminder:{e.count}"))
        assert r.clock.due_at is None or r.clock.due_at > at  # always moves forward
        clock = r.clock
    return sent


def _first(sent: list[Sent], what: str) -> datetime:
    return next(s.at for s in sent if s.what == what)


# (case, post time, 50 % warning, deadline = breach, first reminder 2 office hours later,
#  level 2 at 4 office hours; the second reminder falls with level 2 and is folded into it)
TABLE = [
    ("an afternoon post breached at the close, reminded next morning",
     sh(2025, 9, 25, 15, 30), sh(2025, 9, 25, 16, 30), sh(2025, 9, 25, 17, 30),
     sh(2025, 9, 26, 10, 30), sh(2025, 9, 26, 15)),
    ("an evening post: warned and due next morning, not at night",
     sh(2025, 9, 25, 20), sh(2025, 9, 26, 9, 30), sh(2025, 9, 26, 10, 30),
     sh(2025, 9, 26, 15), sh(2025, 9, 26, 17)),
    ("a post at 17:00: half an hour today, the rest tomorrow",
     sh(2025, 9, 25, 17), sh(2025, 9, 26, 9), sh(2025, 9, 26, 10),
     sh(2025, 9, 26, 12), sh(2025, 9, 26, 16, 30)),
    ("a Friday afternoon: reminded on Monday, not at the weekend",
     sh(2025, 9, 19, 15, 30), sh(2025, 9, 19, 16, 30), sh(2025, 9, 19, 17, 30),
     sh(2025, 9, 22, 10, 30), sh(2025, 9, 22, 15)),
    ("the afternoon before National Day: reminded after the holiday week",
     sh(2025, 9, 30, 15, 30), sh(2025, 9, 30, 16, 30), sh(2025, 9, 30, 17, 30),
     sh(2025, 10, 9, 10, 30), sh(2025, 10, 9, 15)),
    ("in the National Day week: nothing until the offices open",
     sh(2025, 10, 4, 10), sh(2025, 10, 9, 9, 30), sh(2025, 10, 9, 10, 30),
     sh(2025, 10, 9, 15), sh(2025, 10, 9, 17)),
    ("a Friday before the 调休 Saturday: reminded on that Saturday",
     sh(2025, 10, 10, 15, 30), sh(2025, 10, 10, 16, 30), sh(2025, 10, 10, 17, 30),
     sh(2025, 10, 11, 10, 30), sh(2025, 10, 11, 15)),
    ("a Friday before the 调休 Sunday 28 September",
     sh(2025, 9, 26, 15, 30), sh(2025, 9, 26, 16, 30), sh(2025, 9, 26, 17, 30),
     sh(2025, 9, 28, 10, 30), sh(2025, 9, 28, 15)),
    ("at 11:59 before the lunch break: each interval skips a lunch break or a night",
     sh(2025, 9, 25, 11, 59), sh(2025, 9, 25, 15, 29), sh(2025, 9, 25, 16, 29),
     sh(2025, 9, 26, 9, 29), sh(2025, 9, 26, 11, 29)),
    ("a 09:00 post: the first reminder skips the lunch break, level 2 at the close",
     sh(2025, 9, 25, 9), sh(2025, 9, 25, 10), sh(2025, 9, 25, 11),
     sh(2025, 9, 25, 15, 30), sh(2025, 9, 25, 17, 30)),
]


@pytest.mark.parametrize(("case", "posted", "warned", "breached", "reminder1", "level2"), TABLE)
def test_routine_acknowledge_notices_in_office_hours(
    policy: Policy,
    case: str,
    posted: datetime,
    warned: datetime,
    breached: datetime,
    reminder1: datetime,
    level2: datetime,
) -> None:
    clock = _open(policy, posted)
    assert clock.clock == OFFICE
    sent = _run(policy, clock, posted + timedelta(days=40))
    assert _first(sent, "warning") == warned, case
    assert _first(sent, "breach:1") == breached, case
    assert _first(sent, "reminder:1") == reminder1, case
    assert _first(sent, "breach:2") == level2, case
    # every slot stepped on time: the second went out as level 2, the rest as reminders
    assert [s.what for s in sent if s.what.startswith("reminder")] == [
        "reminder:1", "reminder:3", "reminder:4", "reminder:5", "reminder:6"
    ], case
    for s in sent:
        assert HOURS.is_open(s.at, SCHEDULE.calendar), (case, s)
    # and never sooner in natural time than the policy's interval
    assert reminder1 - breached >= timedelta(hours=2) and level2 - breached >= timedelta(hours=4)


@pytest.mark.parametrize("severity", [Severity.EXTRAORDINARY, Severity.MAJOR])
def test_major_acknowledge_stays_round_the_clock(policy: Policy, severity: Severity) -> None:
    posted = sh(2025, 9, 30, 20)  # the evening before National Day
    clock = _open(policy, posted, severity)
    assert clock.clock == NATURAL
    sent = _run(policy, clock, posted + timedelta(days=5))
    assert _first(sent, "warning") == sh(2025, 9, 30, 21)
    assert _first(sent, "breach:1") == sh(2025, 9, 30, 22)
    assert _first(sent, "reminder:1") == sh(2025, 10, 1, 0)
    assert _first(sent, "breach:2") == sh(2025, 10, 1, 2)


def test_a_late_step_at_night_sends_nothing_and_waits(policy: Policy) -> None:
    kind = policy.kind("acknowledge")
    clock = _open(policy, sh(2025, 9, 25, 15, 30))
    breached = step(clock, sh(2025, 9, 25, 17, 30), kind, office=SCHEDULE).clock
    for at in (sh(2025, 9, 25, 19, 30), sh(2025, 9, 25, 22, 30), sh(2025, 9, 26, 8, 30)):
        r = step(breached, at, kind, office=SCHEDULE)
        assert r.effects == () and r.clock == breached, at
    assert breached.due_at == sh(2025, 9, 26, 10, 30)
    # a step that runs late, after lunch the next day, sends the reminder owed, once
    r = step(breached, sh(2025, 9, 26, 14, 45), kind, office=SCHEDULE)
    assert [type(e).__name__ for e in r.effects] == ["Reminder"]
    assert r.effects[0] == Reminder(1, 1, ("unit", "duty"), breached.deadline_at)
    assert step(r.clock, sh(2025, 9, 26, 14, 45), kind, office=SCHEDULE).effects == ()


def test_without_a_schedule_an_office_clock_counts_natural_time(policy: Policy) -> None:
    kind = policy.kind("acknowledge")
    clock = _open(policy, sh(2025, 9, 25, 15, 30))
    r = step(clock, sh(2025, 9, 25, 19, 30), kind)
    assert [type(e).__name__ for e in r.effects] == ["Breach"]
    assert r.clock.due_at == sh(2025, 9, 25, 19, 30) + timedelta(hours=2)


# ----------------------------------------------------------------- through the tick


def _outbox(session: Session, event_id: int) -> list[tuple[datetime, str, dict[str, object]]]:
    rows = session.scalars(
        select(models.Outbox).where(models.Outbox.event_id == event_id).order_by(models.Outbox.id)
    )
    return [(o.created_at, o.kind, o.payload) for o in rows]


def test_tick_keeps_routine_reminders_to_office_hours(
    sessions: sessionmaker[Session], policy: Policy, calendar: WorkCalendar
) -> None:
    setup = SlaSetup(policy, calendar, None, HOURS)
    posted = sh(2025, 9, 30, 15, 30)  # the afternoon before National Day
    with sessions.begin() as s:
        routine = f.event(s, posted, Severity.ROUTINE)
        f.assign(s, routine, "zjj", posted)
        major = f.event(s, posted, Severity.MAJOR, title="某化工厂爆炸")
        f.assign(s, major, "yjj", posted)
        service.open_clocks(s, routine, posted, setup)
        service.open_clocks(s, major, posted, setup)
        clocks = {
            (d.event_id, d.kind): d.clock for d in s.scalars(select(models.Deadline))
        }
    assert clocks[(routine.id, "acknowledge")] == OFFICE
    assert clocks[(major.id, "acknowledge")] == NATURAL
    assert {c for (e, k), c in clocks.items() if k != "acknowledge"} == {NATURAL}

    # the scheduler ticks every half hour through the evening, the holiday and after it
    now = posted
    while now <= sh(2025, 10, 9, 18):
        tick(sessions, now, policy, office=setup.schedule)
        now += timedelta(minutes=30)
    with sessions() as s:
        sent = _outbox(s, routine.id) + _outbox(s, major.id)
        ack = [(at, k, p) for at, k, p in _outbox(s, routine.id) if p["kind"] == "acknowledge"]
        major_ack = [(at, k) for at, k, p in _outbox(s, major.id) if p["kind"] == "acknowledge"]
        ack_rows = s.scalars(
            select(models.Deadline).where(
                models.Deadline.event_id == routine.id, models.Deadline.kind == "acknowledge"
            )
        ).one()
        reminders_sent = ack_rows.reminders_sent
    assert [(at, k) for at, k, _ in ack] == [
        (sh(2025, 9, 30, 16, 30), "warning"),
        (sh(2025, 9, 30, 17, 30), "breach"),
        (sh(2025, 10, 9, 10, 30), "reminder"),
        (sh(2025, 10, 9, 15), "breach"),  # level 2, 4 office hours on
        (sh(2025, 10, 9, 17), "reminder"),
    ]
    assert reminders_sent == 3  # slot 2 went out as level 2
    for at, _, _ in ack:
        assert HOURS.is_open(at, calendar), at
    # the major event's 签收 ran through the night: breached 17:30, reminded at 19:30
    assert (sh(2025, 9, 30, 19, 30), "reminder") in major_ack
    # a second pass over the same moments writes nothing more
    before = len(sent)
    tick(sessions, sh(2025, 10, 9, 18), policy, office=setup.schedule)
    with sessions() as s:
        assert len(_outbox(s, routine.id) + _outbox(s, major.id)) == before


def test_a_raise_to_major_puts_the_rest_of_a_routine_acknowledge_on_natural_hours(
    sessions: sessionmaker[Session], policy: Policy, calendar: WorkCalendar
) -> None:
    """Assigned at 17:00: half an hour of 签收 that day, 1.5 h the next morning (due 10:00).
    Raised to 重大 at 20:00 with 1.5 office hours left: those run round the clock from the
    raise (due 21:30). Lowered again at 20:30 with 1 h left: that hour waits for the office
    (due 09:30 the next morning)."""
    setup = SlaSetup(policy, calendar, None, HOURS)
    assigned = sh(2025, 9, 25, 17)
    with sessions.begin() as s:
        e = f.event(s, assigned, Severity.GENERAL)
        f.assign(s, e, "zjj", assigned)
        service.open_clocks(s, e, assigned, setup)
        event_id = e.id

    def ack(s: Session) -> models.Deadline:
        return s.scalars(
            select(models.Deadline)
            .where(models.Deadline.event_id == event_id, models.Deadline.kind == "acknowledge")
            .execution_options(populate_existing=True)
        ).one()

    with sessions() as s:
        assert (ack(s).clock, ack(s).deadline_at) == (OFFICE, sh(2025, 9, 26, 10))
    for when, grade, clock, due in [
        (sh(2025, 9, 25, 20), Severity.MAJOR, NATURAL, sh(2025, 9, 25, 21, 30)),
        (sh(2025, 9, 25, 20, 30), Severity.GENERAL, OFFICE, sh(2025, 9, 26, 9, 30)),
    ]:
        with sessions.begin() as s:
            e = s.get_one(models.Event, event_id)
            old, e.severity = e.severity, grade
            service.on_severity_change(s, e, old, when, setup, actor="duty")
        with sessions() as s:
            d = ack(s)
            assert (d.clock, d.deadline_at, d.state.value) == (clock, due, "open"), grade
            assert d.due_at is not None and d.due_at <= due


def test_between_undoes_add_across_holidays_and_lunch_breaks() -> None:
    """``between(s, add(s, span)) == span`` from any moment, and ``add`` lands in office hours:
    starts every 37 minutes from 25 September to 13 October 2025, spans up to 30 hours."""
    start = sh(2025, 9, 25)
    spans = [timedelta(minutes=m) for m in (1, 30, 90, 120, 210, 390, 1000, 1800)]
    checked = 0
    while start < sh(2025, 10, 13):
        for span in spans:
            end = SCHEDULE.add(start, span)
            assert SCHEDULE.between(start, end) == span, (start, span)
            assert HOURS.is_open(end, SCHEDULE.calendar), (start, span)
            assert end - start >= span, (start, span)
            checked += 1
        start += timedelta(minutes=37)
    assert checked > 5000
