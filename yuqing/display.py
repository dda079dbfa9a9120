"""How values are shown to people, wherever they are shown: times, links, log details, rates.

The dashboard, the emails and the digest share these through the template filters of
``yuqing.templating`` and call them from Python too. Everything stored is UTC; people read the
configured time zone (Asia/Shanghai). Labels of states, roles and actions are not here: each
enum carries its own (``storage.enums``, ``domain.vocabulary``, ``domain.event_actions``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Final, Protocol
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from domain.event_actions import EventAction
from domain.vocabulary import Severity
from response_sla.display import due_label

# the dashboard's colour classes, most severe first (app.css)
SEVERITY_CSS: Final[dict[Severity, str]] = {
    Severity.EXTRAORDINARY: "sev-1",
    Severity.MAJOR: "sev-2",
    Severity.LARGE: "sev-3",
    Severity.GENERAL: "sev-4",
    Severity.ROUTINE: "sev-5",
}


def local(dt: datetime | None, tz: ZoneInfo) -> datetime | None:
    return None if dt is None else dt.astimezone(tz)


def fmt_local(dt: datetime | None, tz: ZoneInfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    shown = local(dt, tz)
    return "" if shown is None else shown.strftime(pattern)


def deadline(
    dt: datetime | None, tz: ZoneInfo, *, year: bool = False, weekday: bool = False
) -> str:
    """A deadline as people read it, everywhere: a window that ends with a day ends at
    ``12月29日 24:00``, never at 00:00 of the next day (``response_sla.display.due_label``)."""
    return "" if dt is None else due_label(dt, year=year, weekday=weekday, tz=tz)


# keys of a log's detail that hold a deadline (shown as deadlines, 24:00 and all)
DEADLINE_KEYS: Final[frozenset[str]] = frozenset(
    {"deadline_at", "old_deadline_at", "new_deadline_at", "until", "original_deadline_at"}
)


def parse_iso(value: object) -> datetime | None:
    """An ISO time stored in a log's JSON detail, for display; None when it is not one."""
    if isinstance(value, datetime):
        return value
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def iso_utc(dt: datetime | None) -> str:
    """An ISO time the browser's Date parses unambiguously."""
    if dt is None:
        return ""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def http_url(url: str | None) -> str | None:
    """The URL if it is safe to render as a link (http or https with a host), else None.

    Crawled URLs are hostile input: ``javascript:`` or ``data:`` must never become an href.
    """
    if not url:
        return None
    text = url.strip()
    if any(ch in text for ch in "\x00\r\n\t") or text != url.strip():
        return None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def remaining(deadline: datetime | None, now: datetime) -> str:
    """A static fallback for the ticking countdown (shown before the script runs)."""
    if deadline is None:
        return "—"
    delta = deadline - now
    late = delta < timedelta(0)
    secs = int(abs(delta).total_seconds())
    hours, rem = divmod(secs, 3600)
    text = f"{hours}小时{rem // 60:02d}分" if hours < 48 else f"{hours // 24}天{hours % 24}小时"
    return f"超期 {text}" if late else f"剩 {text}"


def show(value: object) -> str:
    """A JSON value as readable text (escaped later by the template like any text)."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "；".join(f"{k}: {show(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "、".join(show(v) for v in value)
    return json.dumps(value, ensure_ascii=False, default=str)


_SHOWN_ELSEWHERE = ("kind", "cycle")  # a deadline row's kind is its label; cycle is rarely >1


def log_detail(detail: dict[str, object] | None, tz: ZoneInfo, deadline: bool = False) -> str:
    """A log row's detail for the timeline: ISO times in local time; for a deadline's row the
    kind is left out (the timeline names it by its label)."""
    out: dict[str, object] = {}
    for key, value in (detail or {}).items():
        if deadline and key in _SHOWN_ELSEWHERE and not (key == "cycle" and value != 1):
            continue
        when = parse_iso(value) if isinstance(value, str) and len(value) >= 19 else None
        if when is None:
            out[key] = value
        else:
            shown = due_label(when, tz=tz) if key in DEADLINE_KEYS else fmt_local(when, tz)
            out[key] = shown
    return show(out) if out else ""


# reasons other parts of yuqing store in the log in their own words, as people read them
_REASONS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"^近似重复 \(Jaccard ([\d.]+)\) of post (\d+)$"), "与{post2}近似重复（相似度 {1}）"),
    (
        re.compile(r"^same place (.+?) \+ emergency vocabulary \((.+?)\) within (.+?) of post (\d+)$"),
        "与{post4}同在{1}、同为突发事件用语（{2}），相隔 {3}",
    ),
    (
        re.compile(r"^same place (.+?) \+ same topic (.+?) within (.+?) of post (\d+)$"),
        "与{post4}同在{1}、同属{2}，相隔 {3}",
    ),
    (
        re.compile(r"^follow-up \((.+?)\) on same place (.+?) \+ same topic (.+?) of post (\d+)$"),
        "{post4}的后续（“{1}”），同在{2}、同属{3}",
    ),
    (re.compile(r"^severity (\S+) -> (\S+)$"), "级别由{1}调整为{2}"),
    (re.compile(r"^merged into event (\d+)$"), "并入{event1}"),
    (re.compile(r"^merged from event (\d+)$"), "{event1}并入本事件"),
    (re.compile(r"^split into event (\d+)$"), "帖子拆分为{event1}"),
    (re.compile(r"^拆分自事件 (\d+)$"), "拆分自{event1}"),
    (re.compile(r"^事件 (\d+) 并入事件 (\d+)(.*)$"), "{event1}并入{event2}{3}"),
    (re.compile(r"^lead unit changed$"), "牵头单位变更"),
    (re.compile(r"^reopened$"), "重办"),
)
_SPAN = re.compile(r"(\d+) (min|h)\b")


def reason_text(
    reason: str,
    posts: Mapping[int, str] | None = None,
    events: Mapping[int, str] | None = None,
    this_event: int | None = None,
) -> str:
    """A reason stored in the log, in Chinese; posts and events are named by their titles
    (``posts`` / ``events``: id -> title; ``this_event`` reads "本事件"). A reason in no known
    form is shown as stored."""
    for pattern, template in _REASONS:
        m = pattern.match(reason.strip())
        if m is None:
            continue
        groups = [m.group(0), *m.groups()]
        values: dict[str, str] = {}
        for i, g in enumerate(groups):
            title = (posts or {}).get(int(g)) if g.isdigit() else None
            values[f"post{i}"] = f"帖子“{title}”" if title else "另一条帖子"
            event = (events or {}).get(int(g)) if g.isdigit() else None
            values[f"event{i}"] = (
                "本事件" if g.isdigit() and int(g) == this_event
                else f"事件“{event}”" if event else "另一事件"
            )
        text = template.format(*groups, **values)
        return _SPAN.sub(lambda s: s.group(1) + (" 分钟" if s.group(2) == "min" else " 小时"), text)
    return reason


def missing_holidays(year: int) -> str:
    """The administrator's warning for a year whose holiday arrangement is not in yuqing."""
    return (
        f"{year} 年的节假日安排尚未发布，{year} 年的工作日按法定节假日推算（不含调休），"
        f"相关时限为暂定；国务院通知发布后，请在节假日覆盖目录中添加 {year}.toml"
    )


def action_label(action: str) -> str:
    """An ``event_log.action`` as the timeline shows it; an action this version does not know
    (a row written by an older or newer one) shows as stored rather than failing the page."""
    try:
        return EventAction(action).label
    except ValueError:
        return action


class _Fraction(Protocol):
    @property
    def value(self) -> float | None: ...


def pct(rate: _Fraction | float | None) -> str:
    """A rate (``yuqing.digest.figures.Rate`` or a plain fraction) as "71.4%"; "—" for none."""
    value = rate if rate is None or isinstance(rate, int | float) else rate.value
    return "—" if value is None else f"{value * 100:.1f}%"


def late(delta: timedelta | None) -> str:
    """How long past its deadline: hours under two days, else days and hours."""
    if delta is None:
        return ""
    h = delta.total_seconds() / 3600
    if h < 48:
        return f"{h:.1f} 小时"
    days, rest = divmod(h, 24)
    return f"{int(days)} 天 {rest:.0f} 小时"


def hours(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"
