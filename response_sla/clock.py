"""One SLA clock as a value, and the pure step that moves it along the time line.

``step(clock, now, kind)`` returns the new clock, the effects owed (warnings, breach levels,
reminders) and a log record per change. Every threshold is a fixed point on the time line
(``starts_at``, ``deadline_at`` and the policy), and the counters on the clock say which have
been handled, so each effect is emitted at most once however often or late the step runs.

Running late (``now`` past several thresholds at once):
- a warning is skipped, not sent, once a later warning is also owed (the later one says more)
  or once the deadline itself has passed (a warning after the breach is noise);
- every escalation level owed is emitted, in order: each reaches different people;
- of several reminder slots owed only the latest is sent; and none when an escalation goes
  out in the same step (it is itself a reminder). Skipped items are logged as skipped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from domain.event_actions import EventAction
from response_sla.office import NATURAL, OFFICE, OfficeSchedule
from response_sla.policy import KindPolicy
from storage.enums import DeadlineState

OPEN_STATES = (DeadlineState.OPEN, DeadlineState.BREACHED)


@dataclass(frozen=True)
class Hold:
    """A unit holding the case from ``since`` until ``until`` (None: still holds it)."""

    unit_id: str | None
    since: datetime
    until: datetime | None = None
    reason: str | None = None


@dataclass(frozen=True)
class Extension:
    requested_at: datetime
    requested_by: str
    decided_at: datetime
    decided_by: str
    old_deadline_at: datetime
    new_deadline_at: datetime
    reason: str


@dataclass(frozen=True)
class Clock:
    kind: str
    starts_at: datetime
    deadline_at: datetime  # extensions included
    original_deadline_at: datetime
    state: DeadlineState = DeadlineState.OPEN
    cycle: int = 1
    warnings_sent: int = 0  # warnings handled (sent or skipped), in policy order
    escalation_level: int = 0
    reminders_sent: int = 0  # reminder slots handled (sent, skipped or folded)
    due_at: datetime | None = None  # next moment something must happen
    met_at: datetime | None = None
    provisional: bool = False
    unit_id: str | None = None
    holds: tuple[Hold, ...] = ()
    extensions: tuple[Extension, ...] = ()
    closure: Mapping[str, Any] | None = None  # the evidence that closed it
    cancelled: Mapping[str, Any] | None = None
    clock: str = NATURAL  # natural | office: how intervals on this clock are counted

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES


@dataclass(frozen=True)
class DeadlineWarning:
    fraction: float
    deadline_at: datetime


@dataclass(frozen=True)
class Breach:
    level: int
    notify: tuple[str, ...]  # roles, see policy.ROLES
    deadline_at: datetime


@dataclass(frozen=True)
class Reminder:
    count: int
    level: int
    notify: tuple[str, ...]
    deadline_at: datetime


Effect = DeadlineWarning | Breach | Reminder


@dataclass(frozen=True)
class Transition:
    """One log record: who did what, when, why."""

    at: datetime
    actor: str
    action: EventAction
    detail: Mapping[str, Any] = field(default_factory=dict)
    reason: str | None = None


@dataclass(frozen=True)
class StepResult:
    clock: Clock
    effects: tuple[Effect, ...]
    log: tuple[Transition, ...]


def _on_office(clock: Clock, office: OfficeSchedule | None) -> OfficeSchedule | None:
    return office if office is not None and clock.clock == OFFICE else None


def offset(
    clock: Clock, base: datetime, span: timedelta, office: OfficeSchedule | None = None
) -> datetime:
    """``span`` after ``base`` on this clock's time: office time for a clock on office hours
    (given the schedule), natural time otherwise. A zero span is ``base`` itself."""
    schedule = _on_office(clock, office)
    if schedule is None or span <= timedelta():
        return base + span
    return schedule.add(base, span)


def elapsed(
    clock: Clock, since: datetime, now: datetime, office: OfficeSchedule | None = None
) -> timedelta:
    """How much of this clock's time lies between ``since`` and ``now``."""
    schedule = _on_office(clock, office)
    if schedule is None:
        return now - since
    return schedule.between(since, now)


def warning_times(
    clock: Clock, kind: KindPolicy, office: OfficeSchedule | None = None
) -> list[tuple[float, datetime]]:
    span = elapsed(clock, clock.starts_at, clock.deadline_at, office)
    return [(f, offset(clock, clock.starts_at, span * f, office)) for f in kind.warnings]


def escalation_time(
    clock: Clock, after_breach: timedelta, office: OfficeSchedule | None = None
) -> datetime:
    return offset(clock, clock.deadline_at, after_breach, office)


def reminder_time(
    clock: Clock, kind: KindPolicy, count: int, office: OfficeSchedule | None = None
) -> datetime | None:
    """When reminder ``count`` (1, 2, …) falls due; None when the kind sends none."""
    if kind.reminder_every is None:
        return None
    return offset(clock, clock.deadline_at, kind.reminder_every * count, office)


def next_due(
    clock: Clock, kind: KindPolicy, office: OfficeSchedule | None = None
) -> datetime | None:
    if clock.state is DeadlineState.OPEN:
        pending = warning_times(clock, kind, office)[clock.warnings_sent :]
        if pending and pending[0][1] < clock.deadline_at:
            return pending[0][1]
        return clock.deadline_at
    if clock.state is DeadlineState.BREACHED:
        candidates: list[datetime] = []
        nxt = kind.escalation_at(clock.escalation_level + 1)
        if nxt is not None:
            candidates.append(escalation_time(clock, nxt.after, office))
        if clock.reminders_sent < kind.max_reminders:
            at = reminder_time(clock, kind, clock.reminders_sent + 1, office)
            if at is not None:
                candidates.append(at)
        return min(candidates) if candidates else None
    return None


def start_clock(
    kind: KindPolicy,
    starts_at: datetime,
    deadline_at: datetime,
    *,
    provisional: bool = False,
    unit_id: str | None = None,
    cycle: int = 1,
    held_since: datetime | None = None,
    clock_type: str = NATURAL,
    office: OfficeSchedule | None = None,
) -> Clock:
    holds = (Hold(unit_id, held_since or starts_at),) if unit_id is not None else ()
    clock = Clock(
        kind=kind.kind,
        starts_at=starts_at,
        deadline_at=deadline_at,
        original_deadline_at=deadline_at,
        cycle=cycle,
        provisional=provisional,
        unit_id=unit_id,
        holds=holds,
        clock=clock_type,
    )
    return replace(clock, due_at=next_due(clock, kind, office))


def _reminders_owed(
    clock: Clock, kind: KindPolicy, now: datetime, office: OfficeSchedule | None = None
) -> int:
    if kind.reminder_every is None or now < clock.deadline_at:
        return clock.reminders_sent
    slots = elapsed(clock, clock.deadline_at, now, office) // kind.reminder_every
    return max(clock.reminders_sent, min(kind.max_reminders, slots))


def step(
    clock: Clock,
    now: datetime,
    kind: KindPolicy,
    actor: str = "tick",
    office: OfficeSchedule | None = None,
) -> StepResult:
    """Move ``clock`` to ``now``. ``office``: the jurisdiction's office schedule, by which a
    clock on office hours counts; without it every clock counts natural time."""
    if not clock.is_open:
        return StepResult(clock, (), ())
    effects: list[Effect] = []
    log: list[Transition] = []
    c = clock
    if c.state is DeadlineState.OPEN:
        times = warning_times(c, kind, office)
        if now >= c.deadline_at:
            for fraction, _at in times[c.warnings_sent :]:
                log.append(
                    Transition(
                        now,
                        actor,
                        EventAction.WARNING_SKIPPED,
                        {"fraction": fraction, "why": "breached"},
                    )
                )
            c = replace(c, state=DeadlineState.BREACHED, warnings_sent=len(times))
        else:
            owed = [i for i in range(c.warnings_sent, len(times)) if times[i][1] <= now]
            if owed:
                for i in owed[:-1]:
                    log.append(
                        Transition(
                            now,
                            actor,
                            EventAction.WARNING_SKIPPED,
                            {"fraction": times[i][0], "why": "superseded"},
                        )
                    )
                fraction = times[owed[-1]][0]
                effects.append(DeadlineWarning(fraction, c.deadline_at))
                log.append(
                    Transition(
                        now,
                        actor,
                        EventAction.WARNING,
                        {"fraction": fraction, "deadline_at": c.deadline_at.isoformat()},
                    )
                )
                c = replace(c, warnings_sent=owed[-1] + 1)
    if c.state is DeadlineState.BREACHED:
        escalated = False
        for e in kind.escalation:
            if e.level > c.escalation_level and escalation_time(c, e.after, office) <= now:
                effects.append(Breach(e.level, e.notify, c.deadline_at))
                log.append(
                    Transition(
                        now,
                        actor,
                        EventAction.BREACHED if e.level == 1 else EventAction.ESCALATED,
                        {
                            "level": e.level,
                            "notify": list(e.notify),
                            "deadline_at": c.deadline_at.isoformat(),
                        },
                    )
                )
                c = replace(c, escalation_level=e.level)
                escalated = True
        owed_slot = _reminders_owed(c, kind, now, office)
        if owed_slot > c.reminders_sent:
            if escalated:
                log.append(
                    Transition(
                        now,
                        actor,
                        EventAction.REMINDER_SKIPPED,
                        {"slots": [c.reminders_sent + 1, owed_slot], "why": "escalated"},
                    )
                )
            else:
                level = kind.escalation_at(c.escalation_level)
                notify = level.notify if level is not None else ("unit",)
                effects.append(Reminder(owed_slot, c.escalation_level, notify, c.deadline_at))
                detail: dict[str, Any] = {"count": owed_slot, "level": c.escalation_level}
                if owed_slot - c.reminders_sent > 1:
                    detail["skipped"] = [c.reminders_sent + 1, owed_slot - 1]
                log.append(Transition(now, actor, EventAction.REMINDER, detail))
            c = replace(c, reminders_sent=owed_slot)
    c = replace(c, due_at=next_due(c, kind, office))
    return StepResult(c, tuple(effects), tuple(log))


def held_time(clock: Clock, now: datetime) -> dict[str, timedelta]:
    """How long each unit has held the case on this clock."""
    out: dict[str, timedelta] = {}
    for h in clock.holds:
        if h.unit_id is None:
            continue
        end = h.until or now
        out[h.unit_id] = out.get(h.unit_id, timedelta()) + max(end - h.since, timedelta())
    return out
