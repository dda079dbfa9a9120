"""Working days: the library's arrangements with 调休, overrides, and provisional years."""

from __future__ import annotations

import tomllib
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from response_sla.calendar import SHANGHAI, WorkCalendar, parse_close
from response_sla.errors import SlaConfigError
from response_sla.overrides import load_overrides, parse_year_file
from response_sla.statutory import statutory_days_off, statutory_holidays


def sh(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


@pytest.mark.parametrize(
    ("start", "days", "close", "due", "provisional"),
    [
        # Friday; Saturday 27 off, Sunday 28 is a 调休 working day, Monday 29
        (sh(2025, 9, 26, 10), 2, None, sh(2025, 9, 30), False),
        (sh(2025, 9, 26, 10), 2, time(17, 30), sh(2025, 9, 29, 17, 30), False),
        # the National Day week: 1–8 October off, Saturday 11 October worked
        (sh(2025, 9, 30, 10), 2, None, sh(2025, 10, 11), False),
        (sh(2025, 9, 30, 10), 3, None, sh(2025, 10, 12), False),
        # the start day is not counted, even when it is a working day late at night
        (sh(2025, 10, 9, 23, 59), 1, None, sh(2025, 10, 11), False),
        # 2026: Friday 2 January off, Sunday 4 January a make-up working day
        (sh(2026, 1, 2, 9), 1, None, sh(2026, 1, 5), False),
        # 2026 Spring Festival: 15–23 February off, Saturday 14 and 28 February worked
        (sh(2026, 2, 13, 9), 1, None, sh(2026, 2, 15), False),
        (sh(2026, 2, 13, 9), 2, None, sh(2026, 2, 25), False),
        # into 2027, which has no published arrangement yet: provisional
        (sh(2026, 12, 30, 10), 2, None, sh(2027, 1, 5), True),
        # 2027 春节 by the law: 除夕 5 Feb – 初三 8 Feb, 补假 9–10 Feb
        (sh(2027, 2, 4, 10), 2, None, sh(2027, 2, 13), True),
        # 15 working days over a holiday-free stretch: three calendar weeks
        (sh(2025, 11, 3, 9), 15, None, sh(2025, 11, 25), False),
    ],
)
def test_add_working_days(
    start: datetime, days: int, close: time | None, due: datetime, provisional: bool
) -> None:
    result = WorkCalendar().add_working_days(start, days, close)
    assert result.due_at == due
    assert result.due_at.utcoffset() == due.utcoffset()
    assert result.provisional is provisional


def test_day_boundaries_are_shanghai_days() -> None:
    # 20:00 UTC on Friday 26 September is 04:00 on Saturday 27 in Shanghai: the uncounted
    # start day is the Saturday, so the first working day is the 调休 Sunday.
    start = datetime.fromisoformat("2025-09-26T20:00:00+00:00")
    assert WorkCalendar().add_working_days(start, 1).due_at == sh(2025, 9, 29)


def test_naive_start_is_refused() -> None:
    with pytest.raises(ValueError, match="naive"):
        WorkCalendar().add_working_days(datetime(2025, 1, 1), 1)


def test_make_up_days_are_working_days() -> None:
    cal = WorkCalendar()
    assert cal.is_workday(date(2025, 9, 28))  # Sunday
    assert cal.is_workday(date(2026, 2, 14))  # Saturday
    assert not cal.is_workday(date(2025, 10, 8))  # Wednesday inside the break
    assert not cal.is_workday(date(2026, 2, 21))  # Saturday inside the break


@pytest.mark.parametrize("year", [2025, 2026])
def test_statutory_holidays_agree_with_the_published_arrangements(year: int) -> None:
    """The law-derived days of a year must all be days off in the State Council's notice: the
    fallback for unknown years is checked against years where the truth is known."""
    library = WorkCalendar()
    for day, name in statutory_holidays(year):
        assert not library.is_workday(day), f"{day} {name}"


def test_statutory_2027() -> None:
    off = statutory_days_off(2027)
    names = {d: n for d, n in statutory_holidays(2027)}
    assert [d for d, n in names.items() if n == "春节"] == [date(2027, 2, d) for d in (5, 6, 7, 8)]
    assert names[date(2027, 4, 5)] == "清明"
    assert names[date(2027, 6, 9)] == "端午"
    assert names[date(2027, 9, 15)] == "中秋"
    # 补假 for the Saturday and Sunday of the Spring Festival and of 劳动节 and 国庆
    assert off[date(2027, 2, 9)] == off[date(2027, 2, 10)] == "春节补假"
    assert date(2027, 5, 3) in off and date(2027, 10, 4) in off
    assert WorkCalendar().is_provisional(date(2027, 3, 1))


def test_mid_autumn_on_national_day_gives_an_extra_day() -> None:
    # 2020: 中秋 fell on 1 October; two holidays on one day are made up the next free weekday
    off = statutory_days_off(2020)
    assert sum(1 for n in off.values() if n.endswith("补假")) >= 1
    assert len(off) >= len({d for d, _ in statutory_holidays(2020)}) + 1


def test_years_without_data() -> None:
    cal = WorkCalendar()
    assert cal.years_without_data(date(2026, 11, 1), date(2026, 12, 31)) == []
    assert cal.years_without_data(date(2026, 11, 1), date(2028, 1, 1)) == [2027, 2028]
    # far beyond any table: computed, never raised
    assert cal.add_working_days(sh(2150, 1, 10), 3).provisional


def _write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, "utf-8")


def test_override_file_replaces_the_year(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "2027.toml",
        """
year = 2027
source = "a notice"
workdays = [2027-02-20]
[[holidays]]
name = "元旦"
from = 2027-01-01
[[holidays]]
name = "春节"
from = 2027-02-05
to = 2027-02-12
""",
    )
    _write(tmp_path, "example.toml", "this is not toml = = =")  # not a year: ignored
    cal = WorkCalendar(load_overrides(tmp_path))
    assert not cal.is_provisional(date(2027, 6, 1))
    assert not cal.is_workday(date(2027, 2, 11))
    assert cal.is_workday(date(2027, 2, 20))  # Saturday worked
    # not in the file: an ordinary working day, although the law would make it a holiday
    assert cal.is_workday(date(2027, 4, 5))
    due = cal.add_working_days(sh(2027, 2, 4, 9), 2)
    assert due.due_at == sh(2027, 2, 17) and not due.provisional


def test_override_can_correct_a_library_year(tmp_path: Path) -> None:
    _write(tmp_path, "2026.toml", "year = 2026\n[[holidays]]\nname='x'\nfrom=2026-03-02\n")
    cal = WorkCalendar(load_overrides(tmp_path))
    assert not cal.is_workday(date(2026, 3, 2))
    assert cal.is_workday(date(2026, 2, 17))  # the file replaces the year entirely


def test_override_errors_name_file_and_key(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "2028.toml",
        """
year = 2029
workdays = [2028-03-01, "nonsense"]
colour = "red"
[[holidays]]
from = 2028-01-05
to = 2028-01-01
""",
    )
    with pytest.raises(SlaConfigError) as info:
        load_overrides(tmp_path)
    text = str(info.value)
    assert "2028.toml: year: 2029 does not match the file name" in text
    assert "workdays[0]: 2028-03-01 is already a weekday" in text
    assert "workdays[1]: expected a date" in text
    assert "colour: unknown key" in text
    assert "holidays[0].name: required" in text
    assert "holidays[0].to: ends before it starts" in text


def test_shipped_example_matches_the_library() -> None:
    """The example file holds the real 2025 notice: read as an override it must give exactly
    the library's working days for every day of 2025."""
    root = Path(__file__).resolve().parents[2]
    data = tomllib.loads((root / "config" / "calendar" / "example.toml").read_text("utf-8"))
    override = WorkCalendar({2025: parse_year_file(data, "example.toml", 2025)})
    library = WorkCalendar()
    day = date(2025, 1, 1)
    while day.year == 2025:
        assert override.is_workday(day) == library.is_workday(day), day
        day += timedelta(days=1)


def test_parse_close() -> None:
    assert parse_close("24:00") is None
    assert parse_close("17:30") == time(17, 30)
