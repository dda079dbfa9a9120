"""Statutory holidays computed from the law, for years without a published arrangement.

《全国年节及纪念日放假办法》 as revised in 2024 (in force from 2025-01-01), article 2: 元旦 1 day,
春节 4 days (除夕 to 正月初三), 清明 1 day, 劳动节 2 days (5/1–5/2), 端午 1 day, 中秋 1 day,
国庆 3 days (10/1–10/3). Article 4: a holiday falling on a Saturday or Sunday is made up on a
working day (补假). The State Council's yearly notice also moves weekend days around (调休);
that part is a policy choice nobody can compute, which is why these years are provisional.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar
from lunardate import LunarDate


def _lunar(year: int, month: int, day: int) -> date | None:
    try:
        solar: date = LunarDate(year, month, day).to_solar_date()
    except ValueError:  # outside the lunar table (1900–2099)
        return None
    return solar


def _qingming(year: int) -> date:
    try:
        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 30))
    except NotImplementedError:  # outside 1900–2100: the term always falls on 4–6 April
        return date(year, 4, 5)
    for day, name in terms:
        if name == "清明":
            return day  # type: ignore[no-any-return]
    return date(year, 4, 5)


def statutory_holidays(year: int) -> list[tuple[date, str]]:
    """The holiday days of the law for ``year``, in date order; a day may appear twice (e.g.
    中秋 on 1 October)."""
    days: list[tuple[date, str]] = [(date(year, 1, 1), "元旦")]
    new_year = _lunar(year, 1, 1)
    if new_year is not None:
        eve = new_year - timedelta(days=1)
        days += [(eve + timedelta(days=i), "春节") for i in range(4)]
    days.append((_qingming(year), "清明"))
    days += [(date(year, 5, 1), "劳动节"), (date(year, 5, 2), "劳动节")]
    for month, day, name in ((5, 5, "端午"), (8, 15, "中秋")):
        solar = _lunar(year, month, day)
        if solar is not None:
            days.append((solar, name))
    days += [(date(year, 10, d), "国庆节") for d in (1, 2, 3)]
    return sorted(days)


def statutory_days_off(year: int) -> dict[date, str]:
    """Holidays plus 补假: each holiday day on a weekend, or on a day already taken by another
    holiday, gives the first following weekday that is not already off."""
    off: dict[date, str] = {}
    owed: list[tuple[date, str]] = []
    for day, name in statutory_holidays(year):
        if day in off or day.weekday() >= 5:
            owed.append((day, name))
        off.setdefault(day, name)
    for day, name in owed:
        sub = day + timedelta(days=1)
        while sub.weekday() >= 5 or sub in off:
            sub += timedelta(days=1)
        off[sub] = f"{name}补假"
    return off
