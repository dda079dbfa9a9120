"""How deadlines read to people: the end of a day is 24:00 of that day, never 00:00 of the
next, and each deadline says which clock it runs on."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from response_sla.calendar import to_shanghai

CLOCK_LABELS = {
    "natural": "自然时",
    "office": "工作时间",
    "working_days": "工作日",
}


def due_label(moment: datetime, *, year: bool = False) -> str:
    """``12月29日 24:00`` for a window that ends with 29 December, ``12月29日 17:30`` for one
    that ends at the office close; Asia/Shanghai."""
    local = to_shanghai(moment)
    day, clock = local.date(), f"{local:%H:%M}"
    if local.time() == time(0):
        day, clock = day - timedelta(days=1), "24:00"
    prefix = f"{day.year}年" if year else ""
    return f"{prefix}{day.month}月{day.day}日 {clock}"
