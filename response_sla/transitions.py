"""Changes people make to clocks: verified closure, 延期, 退单, 重办, regrading, cancelling.

Pure functions: each takes the clock(s) and ``now`` and returns new values plus the log
records (who, what, when, why). They raise ``TransitionRefused`` when the change does not apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta

from domain.event_actions import EventAction
from response_sla.calendar import WorkCalendar, to_shanghai
from response_sla.clock import Clock, Extension, Hold, Transition, next_due, start_clock
from response_sla.deadlines import window_end
from response_sla.errors import TransitionRefused
from response_sla.evidence import Evidence
from response_sla.office import OfficeHours
from response_sla.policy import KindPolicy, Policy
from storage.enums import DeadlineState, Severity


def _open_or_refuse(clock: Clock, what: str) -> None:
    if not clock.is_open:
        raise TransitionRefused(f"{what}: the {clock.kind} window is already {clock.state.value}")


# ----------------------------------------------------------------- closure


def meet(
    clock: Clock, evidence: Evidence, now: datetime, kind: KindPolicy
) -> tuple[Clock, Transition]:
    """Close the window on evidence; on time if the evidence is dated by the deadline."""
    _open_or_refuse(clock, "closure")
    evidence.check(now)
    if evidence.milestone not in kind.met_by:
        raise TransitionRefused(f"{evidence.milestone} does not close a {clock.kind} window")
    if evidence.at < clock.starts_at:
        raise TransitionRefused("the evidence predates the window (an earlier cycle?)")
    on_time = evidence.at <= clock.deadline_at
    state = DeadlineState.MET if on_time else DeadlineState.CLOSED_LATE
    closed = replace(
        clock,
        state=state,
        met_at=evidence.at,
        due_at=None,
        closure=evidence.to_json(),
        holds=_release(clock.holds, evidence.at, "closed"),
    )
    log = Transition(
        now,
        evidence.by,
        EventAction.MET if on_time else EventAction.CLOSED_LATE,
        {
            "milestone": evidence.milestone,
            "evidence": evidence.kind,
            "at": evidence.at.isoformat(),
            "deadline_at": clock.deadline_at.isoformat(),
            "late_by_s": max(0, int((evidence.at - clock.deadline_at).total_seconds())),
        },
    )
    return closed, log


def cancel(clock: Clock, now: datetime, actor: str, reason: str) -> tuple[Clock, Transition]:
    _open_or_refuse(clock, "cancel")
    done = replace(
        clock,
        state=DeadlineState.CANCELLED,
        due_at=None,
        cancelled={"at": now.isoformat(), "by": actor, "reason": reason},
        holds=_release(clock.holds, now, reason),
    )
    return done, Transition(now, actor, EventAction.CANCELLED, {"kind": clock.kind}, reason)


# ----------------------------------------------------------------- 延期


@dataclass(frozen=True)
class ExtensionRequest:
    until: datetime
    requested_at: datetime
    requested_by: str
    reason: str


def extension_cap(
    clock: Clock, kind: KindPolicy, calendar: WorkCalendar, close: time | None
) -> datetime | None:
    """The latest deadline 延期 may reach: the original deadline plus the capped working days,
    counted from the original last day."""
    if kind.extension_max_working_days <= 0:
        return None
    last_day = to_shanghai(clock.original_deadline_at - timedelta(microseconds=1))
    return calendar.add_working_days(last_day, kind.extension_max_working_days, close).due_at


def _check_extension(
    clock: Clock, until: datetime, kind: KindPolicy, calendar: WorkCalendar, close: time | None
) -> None:
    cap = extension_cap(clock, kind, calendar, close)
    if cap is None:
        raise TransitionRefused(f"the {clock.kind} window cannot be extended")
    if until <= clock.deadline_at:
        raise TransitionRefused("the requested deadline must be later than the current one")
    if until > cap:
        raise TransitionRefused(
            f"延期 is capped at {kind.extension_max_working_days} working days: "
            f"at most until {cap.isoformat()}"
        )


def request_extension(
    clock: Clock,
    until: datetime,
    now: datetime,
    actor: str,
    reason: str,
    kind: KindPolicy,
    calendar: WorkCalendar,
    close: time | None = None,
) -> tuple[ExtensionRequest, Transition]:
    _open_or_refuse(clock, "extension")
    if now >= clock.deadline_at:
        raise TransitionRefused("延期 must be requested before the deadline")
    if not reason.strip():
        raise TransitionRefused("延期 needs a reason")
    _check_extension(clock, until, kind, calendar, close)
    request = ExtensionRequest(until, now, actor, reason.strip())
    return request, Transition(
        now, actor, EventAction.EXTENSION_REQUESTED, {"until": until.isoformat()}, reason.strip()
    )


def decide_extension(
    clock: Clock,
    request: ExtensionRequest,
    approve: bool,
    now: datetime,
    actor: str,
    reason: str,
    kind: KindPolicy,
    calendar: WorkCalendar,
    close: time | None = None,
) -> tuple[Clock, Transition]:
    """The duty officer's ruling. Approval moves ``deadline_at`` (``original_deadline_at``
    stays); a clock already breached when the ruling comes reopens for the new window, its
    breach kept in the log."""
    _open_or_refuse(clock, "extension ruling")
    if not approve:
        return clock, Transition(
            now,
            actor,
            EventAction.EXTENSION_REFUSED,
            {"until": request.until.isoformat()},
            reason or None,
        )
    _check_extension(clock, request.until, kind, calendar, close)
    record = Extension(
        request.requested_at,
        request.requested_by,
        now,
        actor,
        clock.deadline_at,
        request.until,
        request.reason,
    )
    extended = replace(clock, deadline_at=request.until, extensions=(*clock.extensions, record))
    if extended.state is DeadlineState.BREACHED and request.until > now:
        extended = replace(extended, state=DeadlineState.OPEN, escalation_level=0, reminders_sent=0)
    extended = replace(extended, due_at=next_due(extended, kind))
    return extended, Transition(
        now,
        actor,
        EventAction.EXTENSION_APPROVED,
        {
            "from": clock.deadline_at.isoformat(),
            "to": request.until.isoformat(),
            "original": clock.original_deadline_at.isoformat(),
        },
        reason or None,
    )


# ----------------------------------------------------------------- 退单 and holders


def return_limit(kinds: Iterable[KindPolicy]) -> timedelta | None:
    """The strictest 退单 limit among the windows a unit holds."""
    limits = [k.return_limit for k in kinds if k.return_limit is not None]
    return min(limits) if limits else None


def check_return(
    assigned_at: datetime, now: datetime, actor: str, reason: str, limit: timedelta | None
) -> Transition:
    """A unit may return a wrongly routed case, with a reason, within the limit."""
    if not reason.strip():
        raise TransitionRefused("退单 needs a reason")
    if limit is not None and now - assigned_at > limit:
        hours = limit.total_seconds() / 3600
        raise TransitionRefused(f"退单 is allowed within {hours:g} h of the assignment")
    return Transition(
        now,
        actor,
        EventAction.RETURN_REQUESTED,
        {"assigned_at": assigned_at.isoformat()},
        reason.strip(),
    )


def _release(holds: tuple[Hold, ...], at: datetime, reason: str | None) -> tuple[Hold, ...]:
    return tuple(replace(h, until=at, reason=reason) if h.until is None else h for h in holds)


def transfer(
    clock: Clock, unit_id: str | None, now: datetime, actor: str, reason: str
) -> tuple[Clock, Transition]:
    """Another unit takes the case; the clock keeps running (the deadline does not move)."""
    _open_or_refuse(clock, "transfer")
    holds = _release(clock.holds, now, reason)
    if unit_id is not None:
        holds = (*holds, Hold(unit_id, now))
    moved = replace(clock, unit_id=unit_id, holds=holds)
    return moved, Transition(
        now, actor, EventAction.TRANSFERRED, {"from": clock.unit_id, "to": unit_id}, reason or None
    )


# ----------------------------------------------------------------- 重办


def reopen(
    clock: Clock,
    now: datetime,
    actor: str,
    reason: str,
    kind: KindPolicy,
    calendar: WorkCalendar,
    *,
    handling: str | None = None,
    close: time | None = None,
    severity: Severity | None = None,
    office: OfficeHours | None = None,
) -> tuple[Clock, Clock, list[Transition]]:
    """A new cycle from ``now``; the old clock is kept (cancelled if it was still open)."""
    if not kind.reopenable:
        raise TransitionRefused(f"a {clock.kind} window is not reopened by 重办")
    if not reason.strip():
        raise TransitionRefused("重办 needs a reason")
    log: list[Transition] = []
    old = clock
    if old.is_open:
        old, t = cancel(old, now, actor, "reopened")
        log.append(t)
    end, provisional = window_end(
        kind, now, calendar, handling=handling, close=close, severity=severity, office=office
    )
    new = start_clock(
        kind,
        to_shanghai(now),
        end,
        provisional=provisional,
        unit_id=clock.unit_id,
        cycle=clock.cycle + 1,
    )
    log.append(
        Transition(
            now,
            actor,
            EventAction.REOPENED,
            {"kind": kind.kind, "cycle": new.cycle, "deadline_at": end.isoformat()},
            reason.strip(),
        )
    )
    return old, new, log


# ----------------------------------------------------------------- severity


@dataclass(frozen=True)
class Regrade:
    cancelled: list[tuple[int, Clock, Transition]]  # (index in the input, clock, its log)
    opened: list[Clock]
    log: list[Transition]


def regrade(
    clocks: Sequence[Clock],
    old: Severity,
    new: Severity,
    start: datetime,
    now: datetime,
    actor: str,
    policy: Policy,
    calendar: WorkCalendar,
    *,
    website_error: bool = False,
    unit_id: str | None = None,
) -> Regrade:
    """Raise or lower the grade. Windows the new grade adds are opened from the event's
    original start (a late upgrade buys no time; one already past breaches on the next step);
    open windows the new grade no longer has are cancelled. Closed ones stay as history."""
    changed = {"from": old.value, "to": new.value}
    log = [Transition(now, actor, EventAction.SEVERITY_CHANGED, changed)]
    cancelled: list[tuple[int, Clock, Transition]] = []
    kept: set[str] = set()
    for i, c in enumerate(clocks):
        kind = policy.kinds.get(c.kind)
        if kind is None or kind.severities is None:
            continue
        if kind.applies(new, website_error=website_error):
            if c.state is not DeadlineState.CANCELLED:
                kept.add(c.kind)
        elif c.is_open:
            done, t = cancel(c, now, actor, f"severity {old.value} -> {new.value}")
            cancelled.append((i, done, t))
            log.append(t)
    opened: list[Clock] = []
    for kind in policy.kinds.values():
        if kind.severities is None or kind.kind in kept:
            continue
        if not kind.applies(new, website_error=website_error) or kind.anchor != "first_public":
            continue
        end, provisional = window_end(kind, start, calendar)
        opened.append(
            start_clock(
                kind,
                to_shanghai(start),
                end,
                provisional=provisional,
                unit_id=unit_id,
                held_since=now,
            )
        )
        log.append(
            Transition(
                now, actor, EventAction.OPENED, {"kind": kind.kind, "deadline_at": end.isoformat()}
            )
        )
    return Regrade(cancelled, opened, log)
