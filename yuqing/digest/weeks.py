"""Reporting periods: ISO weeks and calendar quarters in local time (Asia/Shanghai).

A week runs from Monday 00:00 to the next Monday 00:00 local time; a quarter from the first
day of its first month 00:00 to the first day of the next quarter 00:00. Ends are exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$")
_QUARTER = re.compile(r"^(\d{4})Q([1-4])$")


class PeriodError(ValueError):
    """A week or quarter label that does not name a real period."""


@dataclass(frozen=True)
class Period:
    label: str  # "2026-W47" or "2026Q3"
    start: datetime  # local midnight, inclusive
    end: datetime  # local midnight, exclusive: figures are "as of" this moment

    @property
    def last_day(self) -> date:
        return (self.end - timedelta(days=1)).date()


def week(label: str, tz: ZoneInfo) -> Period:
    m = _WEEK.match(label.strip())
    if not m:
        raise PeriodError(f"expected an ISO week like 2026-W47, got {label!r}")
    try:
        monday = date.fromisocalendar(int(m[1]), int(m[2]), 1)
    except ValueError:
        raise PeriodError(f"{label!r}: year {m[1]} has no week {int(m[2])}") from None
    start = datetime.combine(monday, time(), tz)
    return Period(week_label(monday), start, datetime.combine(monday + timedelta(7), time(), tz))


def week_label(day: date) -> str:
    year, number, _ = day.isocalendar()
    return f"{year}-W{number:02d}"


def week_containing(moment: datetime, tz: ZoneInfo) -> Period:
    return week(week_label(moment.astimezone(tz).date()), tz)


def previous_week(now: datetime, tz: ZoneInfo) -> Period:
    """The last week that has ended by ``now``."""
    current = week_containing(now, tz)
    return week_containing(current.start - timedelta(days=1), tz)


def weeks_before(last: Period, count: int, tz: ZoneInfo) -> list[Period]:
    """``count`` consecutive weeks ending with ``last``, oldest first."""
    return [week_containing(last.start - timedelta(weeks=count - 1 - i), tz) for i in range(count)]


def quarter(label: str, tz: ZoneInfo) -> Period:
    m = _QUARTER.match(label.strip().upper())
    if not m:
        raise PeriodError(f"expected a quarter like 2026Q3, got {label!r}")
    year, q = int(m[1]), int(m[2])
    first = date(year, 3 * q - 2, 1)
    after = date(year + 1, 1, 1) if q == 4 else date(year, 3 * q + 1, 1)
    return Period(
        f"{year}Q{q}", datetime.combine(first, time(), tz), datetime.combine(after, time(), tz)
    )


def year_to(period: Period, tz: ZoneInfo) -> Period:
    """From 1 January of the period's year to the period's end (本年累计)."""
    start = datetime.combine(date(period.start.year, 1, 1), time(), tz)
    return Period(f"{period.start.year}", start, period.end)
