"""Local holiday-arrangement files: ``<folder>/YYYY.toml``, one per year.

Each November the State Council publishes next year's arrangement (国务院办公厅关于YYYY年部分
节假日安排的通知). Until the calendar library ships it, an operator copies it into a file:

    year = 2027
    source = "国办发明电〔2026〕N号"          # where the dates come from (optional)

    [[holidays]]                              # days off, weekends inside the break included
    name = "春节"
    from = 2027-02-05
    to = 2027-02-12                           # optional: a one-day holiday omits it

    workdays = [2027-02-20]                   # 调休: weekend days that are working days

A file replaces everything the library knows about that year (so it can also correct it).
The file name must be the year; other names (``example.toml``) are ignored.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from response_sla.errors import Problem, SlaConfigError


@dataclass(frozen=True)
class YearArrangement:
    """Which days of one year are off and which weekend days are worked."""

    year: int
    days_off: frozenset[date]  # holidays (a weekend inside a break may be listed or not)
    workdays: frozenset[date]  # 调休 weekend days that are working days
    origin: str  # "override:<file>", "library", "statutory"
    provisional: bool = False

    def is_workday(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.days_off


_KEYS = {"year", "source", "holidays", "workdays"}


def _as_date(value: Any, where: str, key: str, problems: list[Problem]) -> date | None:
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(Problem(where, key, f"expected a date like 2027-02-05, got {value!r}"))
    return None


def parse_year_file(data: dict[str, Any], where: str, expected_year: int | None) -> YearArrangement:
    problems: list[Problem] = []
    for key in sorted(set(data) - _KEYS):
        problems.append(Problem(where, key, f"unknown key; expected one of {sorted(_KEYS)}"))
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        problems.append(Problem(where, "year", "required: the year as a number, e.g. 2027"))
        raise SlaConfigError(problems)
    if expected_year is not None and year != expected_year:
        problems.append(Problem(where, "year", f"{year} does not match the file name"))
    off: set[date] = set()
    holidays = data.get("holidays", [])
    if not isinstance(holidays, list):
        problems.append(Problem(where, "holidays", "expected [[holidays]] tables"))
        holidays = []
    for i, item in enumerate(holidays):
        key = f"holidays[{i}]"
        if not isinstance(item, dict):
            problems.append(Problem(where, key, "expected a table with name, from, to"))
            continue
        extra = set(item) - {"name", "from", "to"}
        if extra:
            problems.append(Problem(where, key, f"unknown key(s) {sorted(extra)}"))
        if not isinstance(item.get("name"), str) or not item["name"]:
            problems.append(Problem(where, f"{key}.name", "required: the holiday's name"))
        start = _as_date(item.get("from"), where, f"{key}.from", problems)
        end = _as_date(item.get("to", item.get("from")), where, f"{key}.to", problems)
        if start is None or end is None:
            continue
        if end < start:
            problems.append(Problem(where, f"{key}.to", "ends before it starts"))
            continue
        if end - start > timedelta(days=15):
            problems.append(Problem(where, f"{key}.to", "a break longer than 15 days is a typo"))
            continue
        day = start
        while day <= end:
            off.add(day)
            day += timedelta(days=1)
    work: set[date] = set()
    workdays = data.get("workdays", [])
    if not isinstance(workdays, list):
        problems.append(Problem(where, "workdays", "expected a list of dates"))
        workdays = []
    for i, value in enumerate(workdays):
        worked = _as_date(value, where, f"workdays[{i}]", problems)
        if worked is None:
            continue
        if worked.weekday() < 5:
            problems.append(Problem(where, f"workdays[{i}]", f"{worked} is already a weekday"))
        if worked in off:
            problems.append(Problem(where, f"workdays[{i}]", f"{worked} is also a holiday"))
        work.add(worked)
    for day in sorted(off | work):
        if day.year != year:
            problems.append(Problem(where, "-", f"{day} is not in {year}"))
    if problems:
        raise SlaConfigError(problems)
    return YearArrangement(year, frozenset(off), frozenset(work), f"override:{where}")


def load_overrides(folder: Path) -> dict[int, YearArrangement]:
    """Every ``YYYY.toml`` in ``folder`` (a missing folder means none). Errors of all files
    are collected and raised together."""
    out: dict[int, YearArrangement] = {}
    if not folder.is_dir():
        return out
    problems: list[Problem] = []
    for path in sorted(folder.glob("*.toml")):
        if not (path.stem.isdigit() and len(path.stem) == 4):
            continue
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
            out[int(path.stem)] = parse_year_file(data, str(path), int(path.stem))
        except tomllib.TOMLDecodeError as exc:
            problems.append(Problem(str(path), "-", f"not valid TOML: {exc}"))
        except SlaConfigError as exc:
            problems.extend(exc.problems)
    if problems:
        raise SlaConfigError(problems)
    return out
