"""Office hours: windows that run only while the jurisdiction's offices are open.

Like the business-hours schedules of ticketing SLAs, but on China's working days: a window of
N office hours counts only the office periods (e.g. 08:30–12:00 and 14:30–17:30) of working
days, 调休 included (``WorkCalendar``). A routine post at 20:00 before National Day has its 签收
due on the first working day after the holiday; one at 11:59 has one minute before the lunch
break and the rest from 14:30. The policy says which windows run on office hours
(``clock = "office"``); the statutory windows and those of 特别重大 / 重大 never do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from response_sla.calendar import SHANGHAI, WorkCalendar, to_shanghai

NATURAL = "natural"
OFFICE = "office"
CLOCKS = (NATURAL, OFFICE)
DEFAULT_PERIODS = ("08:30-12:00", "14:30-17:30")
# a window longer than this many days of closed offices is a configuration error
_MAX_DAYS = 400


def _time(value: str) -> time:
    hours, minutes = value.strip().split(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class OfficeHours:
    periods: tuple[tuple[time, time], ...]  # ordered, not overlapping, within one day

    @classmethod
    def parse(cls, values: Sequence[str] = DEFAULT_PERIODS) -> OfficeHours:
        """``["08:30-12:00", "14:30-17:30"]``; raises ValueError on a bad or unordered list."""
        periods: list[tuple[time, time]] = []
        for value in values:
            try:
                opens, closes = (_time(v) for v in value.split("-"))
            except ValueError:
                raise ValueError(f"office period {value!r}: expected HH:MM-HH:MM") from None
            if opens >= closes:
                raise ValueError(f"office period {value!r}: it must open before it closes")
            if periods and opens < periods[-1][1]:
                raise ValueError(f"office period {value!r}: periods must be in order, apart")
            periods.append((opens, closes))
        if not periods:
            raise ValueError("office hours: at least one period")
        return cls(tuple(periods))

    def label(self) -> str:
        return "、".join(f"{o:%H:%M}–{c:%H:%M}" for o, c in self.periods)

    def is_open(self, moment: datetime, calendar: WorkCalendar) -> bool:
        """Whether ``moment`` lies within office hours (a period's close counts as inside)."""
        local = to_shanghai(moment)
        if not calendar.is_workday(local.date()):
            return False
        return any(o <= local.time() <= c for o, c in self.periods)

    def add(
        self, start: datetime, hours: float, calendar: WorkCalendar
    ) -> tuple[datetime, bool]:
        """The moment ``hours`` office hours after ``start``, and whether a day counted came
        from a year without a published holiday arrangement."""
        return self.add_span(start, timedelta(hours=hours), calendar)

    def add_span(
        self, start: datetime, span: timedelta, calendar: WorkCalendar
    ) -> tuple[datetime, bool]:
        """``add`` with the length as a ``timedelta``."""
        remaining = span
        cursor = to_shanghai(start)
        day = cursor.date()
        provisional = False
        for _ in range(_MAX_DAYS):
            provisional = provisional or calendar.is_provisional(day)
            if calendar.is_workday(day):
                for opens, closes in self.periods:
                    begin = max(datetime.combine(day, opens, SHANGHAI), cursor)
                    end = datetime.combine(day, closes, SHANGHAI)
                    if begin >= end:
                        continue
                    if remaining <= end - begin:
                        return begin + remaining, provisional
                    remaining -= end - begin
            day += timedelta(days=1)
        raise ValueError(f"no {span} of office time within {_MAX_DAYS} days of {start}")

    def between(self, start: datetime, end: datetime, calendar: WorkCalendar) -> timedelta:
        """How much office time lies between ``start`` and ``end`` (zero if ``end`` is not
        later); the inverse of ``add``: ``between(s, add(s, h)) == h``."""
        begin, stop = to_shanghai(start), to_shanghai(end)
        total = timedelta()
        day = begin.date()
        while day <= stop.date():
            if calendar.is_workday(day):
                for opens, closes in self.periods:
                    lo = max(datetime.combine(day, opens, SHANGHAI), begin)
                    hi = min(datetime.combine(day, closes, SHANGHAI), stop)
                    if hi > lo:
                        total += hi - lo
            day += timedelta(days=1)
        return total


@dataclass(frozen=True)
class OfficeSchedule:
    """The office periods and the working days together: what a window on office hours
    needs to place its warnings, reminders and escalations."""

    hours: OfficeHours
    calendar: WorkCalendar

    def add(self, start: datetime, span: timedelta) -> datetime:
        """``span`` of office time after ``start``; a zero span from outside office hours is
        the next opening."""
        return self.hours.add_span(start, span, self.calendar)[0]

    def between(self, start: datetime, end: datetime) -> timedelta:
        return self.hours.between(start, end, self.calendar)
