"""Working days in China, and periods counted in them.

Where the day-by-day truth comes from, in order: a local override file for the year (see
``overrides``), the ``chinese-calendar`` library (the State Council's notices, 调休 included),
and for any other year the holidays of the law plus 补假 (see ``statutory``), marked
*provisional*. A missing year never raises: it is computed, flagged, and warned about.

Counting follows 民法典 第二百零一条至第二百零三条: the day the period starts is not counted;
the period ends at the end of its last day, which for working days is the last working day;
the end of a day is 24:00, or the close of business where there are business hours
(``office_close``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import chinese_calendar

from response_sla.overrides import YearArrangement
from response_sla.statutory import statutory_days_off

SHANGHAI = ZoneInfo("Asia/Shanghai")


def to_shanghai(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("naive datetime: attach a time zone")
    return moment.astimezone(SHANGHAI)


def parse_close(value: str) -> time | None:
    """``"24:00"`` (end of day) → None; ``"17:30"`` → time(17, 30)."""
    if value == "24:00":
        return None
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


def _library_years() -> range:
    years = [d.year for d in chinese_calendar.holidays]
    return range(min(years), max(years) + 1)


def library_arrangement(year: int) -> YearArrangement | None:
    if year not in _library_years():
        return None
    return YearArrangement(
        year,
        frozenset(d for d in chinese_calendar.holidays if d.year == year),
        frozenset(d for d in chinese_calendar.workdays if d.year == year),
        "library",
    )


def statutory_arrangement(year: int) -> YearArrangement:
    return YearArrangement(
        year, frozenset(statutory_days_off(year)), frozenset(), "statutory", provisional=True
    )


@dataclass(frozen=True)
class WorkingDeadline:
    due_at: datetime  # aware, Asia/Shanghai
    provisional: bool  # some day counted came from a year without a published arrangement


@dataclass
class WorkCalendar:
    overrides: dict[int, YearArrangement] = field(default_factory=dict)
    use_library: bool = True
    _cache: dict[int, YearArrangement] = field(default_factory=dict, repr=False)

    def arrangement(self, year: int) -> YearArrangement:
        found = self._cache.get(year)
        if found is None:
            found = self.overrides.get(year)
            if found is None and self.use_library:
                found = library_arrangement(year)
            if found is None:
                found = statutory_arrangement(year)
            self._cache[year] = found
        return found

    def is_workday(self, day: date) -> bool:
        return self.arrangement(day.year).is_workday(day)

    def is_provisional(self, day: date) -> bool:
        return self.arrangement(day.year).provisional

    def add_working_days(
        self, start: datetime, days: int, close: time | None = None
    ) -> WorkingDeadline:
        """The end of the ``days``-th working day after the day of ``start``."""
        if days < 1:
            raise ValueError("a working-day period is at least 1 day")
        day = to_shanghai(start).date()
        provisional = False
        counted = 0
        while counted < days:
            day += timedelta(days=1)
            provisional = provisional or self.is_provisional(day)
            if self.is_workday(day):
                counted += 1
        if close is None:
            end = datetime.combine(day + timedelta(days=1), time(0), SHANGHAI)
        else:
            end = datetime.combine(day, close, SHANGHAI)
        return WorkingDeadline(end, provisional)

    def years_without_data(self, first: date, last: date) -> list[int]:
        """Years between the two dates whose days are only provisional."""
        return [y for y in range(first.year, last.year + 1) if self.arrangement(y).provisional]


def missing_year_warning(year: int) -> str:
    return (
        f"no holiday arrangement for {year}: working days of {year} are computed from the law "
        f"(weekends, statutory holidays, 补假) without 调休 and are provisional; add "
        f"{year}.toml to the calendar overrides folder once the State Council publishes it"
    )
