"""How deadlines read to people: the end of a day is 24:00 of that day, never 00:00 of the
next, and each deadline says which clock it runs on.

``due_label`` is the one way a deadline is written for people — emails, the dashboard, the
digest and the command line all go through it (``yuqing.display.deadline``)."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from response_sla.calendar import SHANGHAI

CLOCK_LABELS = {
    "natural": "自然时",
    "office": "工作时间",
    "working_days": "工作日",
}
WEEKDAYS = "一二三四五六日"


def due_label(
    moment: datetime,
    *,
    year: bool = False,
    weekday: bool = False,
    tz: ZoneInfo = SHANGHAI,
) -> str:
    """``12月29日 24:00`` for a window that ends with 29 December, ``12月29日 17:30`` for one
    that ends at the office close; in ``tz`` (Asia/Shanghai). ``year``: ``2025年12月29日 …``;
    ``weekday``: ``… 24:00（周一）``, the weekday of the day that ends."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: attach a time zone")
    local = moment.astimezone(tz)
    day, clock = local.date(), f"{local:%H:%M}"
    if local.time() == time(0):
        day, clock = day - timedelta(days=1), "24:00"
    prefix = f"{day.year}年" if year else ""
    suffix = f"（周{WEEKDAYS[day.weekday()]}）" if weekday else ""
    return f"{prefix}{day.month}月{day.day}日 {clock}{suffix}"
