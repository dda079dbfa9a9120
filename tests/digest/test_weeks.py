"""ISO weeks and quarters in Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from yuqing.digest.weeks import (
    PeriodError,
    previous_week,
    quarter,
    week,
    week_containing,
    weeks_before,
)

SH = ZoneInfo("Asia/Shanghai")


def test_week_bounds_are_local_mondays() -> None:
    w = week("2026-W47", SH)
    assert w.start == datetime(2026, 11, 16, tzinfo=SH)
    assert w.end == datetime(2026, 11, 23, tzinfo=SH)
    assert w.start.astimezone(UTC) == datetime(2026, 11, 15, 16, tzinfo=UTC)
    assert w.last_day.isoformat() == "2026-11-22"
    # ISO week 1 of 2027 starts in 2027; 2026-12-31 is in 2026-W53
    assert week("2026-W53", SH).start.date().isoformat() == "2026-12-28"
    assert week_containing(datetime(2027, 1, 3, 12, tzinfo=SH), SH).label == "2026-W53"


def test_previous_week_turns_at_local_midnight() -> None:
    monday = datetime(2026, 11, 23, tzinfo=SH)
    assert previous_week(monday - timedelta(microseconds=1), SH).label == "2026-W46"
    assert previous_week(monday, SH).label == "2026-W47"
    # 23 Nov 00:30 in Shanghai is still 22 Nov in UTC
    assert previous_week(datetime(2026, 11, 22, 16, 30, tzinfo=UTC), SH).label == "2026-W47"


def test_weeks_before() -> None:
    labels = [w.label for w in weeks_before(week("2027-W02", SH), 4, SH)]
    assert labels == ["2026-W52", "2026-W53", "2027-W01", "2027-W02"]


@pytest.mark.parametrize("label", ["2026-W54", "2025-W53", "2026W47", "2026-W7", "next week"])
def test_bad_weeks(label: str) -> None:
    with pytest.raises(PeriodError):
        week(label, SH)


def test_quarters() -> None:
    q = quarter("2026Q3", SH)
    assert (q.start, q.end) == (datetime(2026, 7, 1, tzinfo=SH), datetime(2026, 10, 1, tzinfo=SH))
    q4 = quarter("2026q4", SH)
    assert q4.end == datetime(2027, 1, 1, tzinfo=SH) and q4.label == "2026Q4"
