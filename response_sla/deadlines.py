"""Which deadlines an event gets, and when each falls."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from response_sla.calendar import WorkCalendar, to_shanghai
from response_sla.office import OFFICE, OfficeHours
from response_sla.policy import KindPolicy, Policy
from storage.enums import Severity


@dataclass(frozen=True)
class DeadlineSpec:
    kind: str
    label: str
    scope: str  # event | assignment
    starts_at: datetime  # Asia/Shanghai
    due_at: datetime  # the window's end, Asia/Shanghai
    provisional: bool  # counted over a year without a published holiday arrangement
    clock: str = "natural"  # natural | office | working_days


def window_end(
    kind: KindPolicy,
    start: datetime,
    calendar: WorkCalendar,
    *,
    handling: str | None = None,
    close: time | None = None,
    severity: Severity | None = None,
    office: OfficeHours | None = None,
) -> tuple[datetime, bool]:
    """The end of ``kind``'s window opened at ``start``, and whether it is provisional. An
    hour window the policy runs on office hours for ``severity`` counts only ``office``
    hours; without office hours configured every hour window runs round the clock."""
    start = to_shanghai(start)
    if kind.hours is not None:
        if office is not None and kind.clock_for(severity) == OFFICE:
            return office.add(start, kind.hours, calendar)
        return start + timedelta(hours=kind.hours), False
    days = kind.days_for(handling)
    assert days is not None  # the policy guarantees hours or working_days
    end = calendar.add_working_days(start, days, close)
    return end.due_at, end.provisional


def deadlines_for(
    severity: Severity,
    start: datetime,
    policy: Policy,
    calendar: WorkCalendar,
    *,
    handling: str | None = None,
    website_error: bool = False,
    assigned_at: datetime | None = None,
    close: time | None = None,
    office: OfficeHours | None = None,
) -> list[DeadlineSpec]:
    """Every deadline the policy gives an event of ``severity`` that first appeared at
    ``start``. Assignment-anchored windows count from ``assigned_at`` (``start`` if not
    assigned yet: the earliest it can be)."""
    out: list[DeadlineSpec] = []
    for kind in policy.kinds.values():
        if not kind.applies(severity, website_error=website_error):
            continue
        if kind.roles is not None:
            continue  # a unit's own window of a role: opened when a unit comes to it late
        anchor = start if kind.anchor == "first_public" or assigned_at is None else assigned_at
        end, provisional = window_end(
            kind, anchor, calendar, handling=handling, close=close, severity=severity, office=office
        )
        clock = kind.clock_for(severity)
        if clock == OFFICE and office is None:
            clock = "natural"
        out.append(
            DeadlineSpec(
                kind.kind, kind.label, kind.scope, to_shanghai(anchor), end, provisional, clock
            )
        )
    return sorted(out, key=lambda d: (d.due_at, d.kind))
