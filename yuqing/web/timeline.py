"""An event's log as people read it: who did what, in Chinese, with units, sources, users and
posts named rather than numbered.

The log's rows are written by many parts of yuqing (``storage.event_log``); their ``detail``
is JSON with the writer's keys. Each known key is told here in words; a key this version does
not know is shown as written rather than dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Final
from zoneinfo import ZoneInfo

from classifier.candidates import cue_label
from response_sla.display import CLOCK_LABELS
from storage import models
from storage.enums import AssignmentRole, DeadlineState, EventState
from yuqing.cases.clocks import MILESTONES as RECORDED_MILESTONES
from yuqing.display import action_label, deadline, fmt_local, parse_iso, reason_text
from yuqing.notify.views import reason_text as routing_reason

ACTORS: Final[dict[str, str]] = {
    "system": "系统",
    "tick": "时限计时",
    "board": "留言板回复",
    "analysis": "系统分析",
    "cli": "命令行",
}
NOTIFY: Final[dict[str, str]] = {
    "unit": "承办单位",
    "leader": "分管领导",
    "duty": "值班室",
    "propaganda": "宣传部",
    "government_office": "政府办",
}
EVIDENCE: Final[dict[str, str]] = {
    "url": "链接",
    "text": "回应内容",
    "board_reply": "留言板官方回复",
    "sign_off": "签收",
}
SKIPPED: Final[dict[str, str]] = {
    "breached": "已超期，不再提醒",
    "superseded": "已有更近的提醒",
    "escalated": "已升级督办",
}
# the milestones a duty officer records, and the 签收 a unit's own action or reply records
MILESTONES: Final[dict[str, str]] = {**RECORDED_MILESTONES, "acknowledge": "签收"}
# keys whose value says nothing more to a reader than the line around it
_QUIET: Final = frozenset({"kind", "cycle", "low_confidence", "notify_done"})


@dataclass(frozen=True)
class Names:
    """Who and what the log's ids stand for."""

    units: Mapping[str, str] = field(default_factory=dict)
    users: Mapping[int, str] = field(default_factory=dict)
    sources: Mapping[str, str] = field(default_factory=dict)
    posts: Mapping[int, str] = field(default_factory=dict)  # post id -> title
    kinds: Mapping[str, str] = field(default_factory=dict)  # deadline kind -> label
    events: Mapping[int, str] = field(default_factory=dict)  # event id -> title
    this_event: int | None = None

    def event(self, eid: object) -> str:
        try:
            key = int(str(eid))
        except ValueError:
            return "另一事件"
        if key == self.this_event:
            return "本事件"
        title = self.events.get(key)
        return f"事件“{title}”" if title else "另一事件"

    def unit(self, uid: object) -> str:
        return self.units.get(str(uid), str(uid)) if uid else "—"

    def post(self, pid: object) -> str:
        try:
            title = self.posts.get(int(str(pid)))
        except ValueError:
            title = None
        return f"帖子“{title}”" if title else "一条帖子"

    def actor(self, actor: str) -> str:
        who, _, rest = actor.partition(":")
        if who == "user" and rest.isdigit() and int(rest) in self.users:
            return self.users[int(rest)]
        if who == "unit" and rest:
            return f"{self.unit(rest)}（邮件链接）"
        return ACTORS.get(actor, ACTORS.get(who, actor))


@dataclass(frozen=True)
class TimelineLine:
    at: datetime
    action: str  # the stored action, for a test or a style to pick rows by
    actor: str
    what: str
    detail: str
    reason: str


def _role(value: object) -> str:
    try:
        return AssignmentRole(str(value)).label
    except ValueError:
        return str(value)


def _state(value: object) -> str:
    for enum in (EventState, DeadlineState):
        try:
            return enum(str(value)).label
        except ValueError:
            continue
    return str(value)


def _when(value: object, tz: ZoneInfo) -> str:
    moment = parse_iso(value)
    return fmt_local(moment, tz) if moment is not None else str(value)


def _due(value: object, tz: ZoneInfo) -> str:
    """A deadline in a log detail: the end of a day reads 24:00 of that day."""
    moment = parse_iso(value)
    return deadline(moment, tz) if moment is not None else str(value)


def _hours(seconds: float) -> str:
    h = seconds / 3600
    return f"{h:.1f} 小时" if h < 48 else f"{int(h // 24)} 天 {h % 24:.0f} 小时"


def _span(value: object) -> str:
    first, last = value if isinstance(value, list | tuple) else (value, value)
    return f"第 {first} 次" if first == last else f"第 {first}–{last} 次"


def _units(names: Names, value: object) -> str:
    items = value if isinstance(value, list) else [value]
    return "、".join(names.unit(u) for u in items if u) or "无"


def _part(key: str, value: Any, d: Mapping[str, Any], names: Names, tz: ZoneInfo) -> str | None:
    """One key of a log row's detail in words; None to leave it out."""
    if key in _QUIET or value is None or value == [] or value == "":
        return None
    match key:
        case "post_id":
            return names.post(value)
        case "source_id":
            return f"来源 {names.sources.get(str(value), str(value))}"
        case "severity":
            return f"级别 {value}"
        case "topic":
            return f"领域 {value}"
        case "lead":
            if isinstance(value, bool):
                return "转为牵头" if value else None
            return f"牵头 {names.unit(value)}"
        case "co_units":
            return f"配合 {_units(names, value)}"
        case "coordinate":
            return f"统筹 {_units(names, value)}"
        case "confidence":
            low = "，偏低" if d.get("low_confidence") else ""
            return f"置信度 {float(value):.2f}{low}"
        case "reasons":
            items = value if isinstance(value, list) else [value]
            return "理由：" + "；".join(
                routing_reason(r) if isinstance(r, dict) else reason_text(str(r), names.posts)
                for r in items
            )
        case "role":
            before = d.get("role_before")
            return f"由{_role(before)}改为{_role(value)}" if before else f"角色 {_role(value)}"
        case "role_before":
            return None
        case "deadline_at":
            return f"截止 {_due(value, tz)}"
        case "clock":
            return f"改按{CLOCK_LABELS.get(str(value), str(value))}计"
        case "at":
            return f"完成于 {_when(value, tz)}"
        case "provisional":
            return "暂定（节假日安排未发布）" if value else None
        case "level":
            return f"第 {value} 级督办"
        case "notify":
            return "通知 " + "、".join(NOTIFY.get(str(n), str(n)) for n in value)
        case "milestone":
            return f"节点 {MILESTONES.get(str(value), str(value))}"
        case "evidence":
            return f"依据 {EVIDENCE.get(str(value), str(value))}"
        case "late_by_s":
            return f"超期 {_hours(float(value))}" if float(value) > 0 else "按时"
        case "count":
            return f"第 {value} 次"
        case "skipped":
            # reminders owed while no tick ran go out as this one, not one by one
            return f"{_span(value)}未单独发送，并入本次"
        case "fraction":
            return f"已用去时限的 {float(value) * 100:.0f}%"
        case "why":
            return f"未发送：{SKIPPED.get(str(value), str(value))}"
        case "slots":
            return _span(value)
        case "similarity":
            return f"相似度 {float(value):.2f}"
        case "figures":
            return f"数字 {value}"
        case "from" | "to":
            if key == "to" and "from" in d:
                return None
            to = d.get("to")
            if key == "to":  # a case handed to another unit
                return f"改派给 {names.unit(value)}"
            if "to" not in d:  # merged from, split from: another event
                return f"来自{names.event(value)}"
            if d.get("kind"):  # a deadline moving from one unit to another
                return f"由{names.unit(value)}转给{names.unit(to)}"
            return f"由{_state(value)}改为{_state(to)}"
        case "from_event" | "new_event":
            return ("来自" if key == "from_event" else "新事件 ") + names.event(value)
        case "into_event":
            return f"并入{names.event(value)}"
        case "into_assignment":
            return None
        case "new_unit":
            return f"改由{names.unit(value)}承办"
        case "to_event":
            return f"转入{names.event(value)}"
        case "deadlines":
            return f"{len(value)} 项时限随之完成" if isinstance(value, list) and value else None
        case "label":
            return f"标签 {value}"
        case "url":
            return f"链接 {value}"
        case "text" | "note":
            return str(value)
        case "previous":
            return f"原为 {value}"
        case "signed_for":
            return "已代为签收" if value else None
        case "posts":
            return f"{len(value)} 条帖子" if isinstance(value, list) else None
        case "assignments":
            return f"{len(value)} 项交办随之转入" if isinstance(value, list) and value else None
        case "assigned_at":
            return f"交办于 {_when(value, tz)}"
        case "candidate":
            return f"疑似{value}"
        case "emergency_type":
            return f"类型 {value}"
        case "cues":
            items = value if isinstance(value, list) else [value]
            return "线索：" + "；".join(cue_label(str(c)) for c in items)
        case "into" | "merged_into":
            return f"并入{names.event(value)}"
        case "changed":
            return f"变动单位 {_units(names, value)}"
        case "unit_id" | "unit":
            return names.unit(value)
        case "until" | "new_deadline_at" | "old_deadline_at":
            return f"{'原定' if key == 'old_deadline_at' else '延至'} {_due(value, tz)}"
    when = parse_iso(value) if isinstance(value, str) and len(value) >= 19 else None
    return f"{key} {fmt_local(when, tz) if when else value}"


def _detail(row: models.EventLog, names: Names, tz: ZoneInfo) -> str:
    d: Mapping[str, Any] = row.detail or {}
    parts = [_part(k, v, d, names, tz) for k, v in d.items()]
    if row.entity == "deadline" and d.get("cycle") not in (None, 1):
        parts.insert(0, f"第 {d['cycle']} 轮")
    return "，".join(p for p in parts if p)


def lines(rows: Iterable[models.EventLog], names: Names, tz: ZoneInfo) -> list[TimelineLine]:
    out: list[TimelineLine] = []
    for e in rows:
        what = action_label(e.action)
        kind = (e.detail or {}).get("kind")
        if e.entity == "deadline" and kind:
            what += f" {names.kinds.get(str(kind), str(kind))}"
        if e.unit_id:
            what += f" {names.unit(e.unit_id)}"
        out.append(
            TimelineLine(
                at=e.at,
                action=e.action,
                actor=names.actor(e.actor or ""),
                what=what,
                detail=_detail(e, names, tz),
                reason=reason_text(e.reason or "", names.posts, names.events, names.this_event),
            )
        )
    return out


_EVENT_REFS = ("into", "from", "into_event", "from_event", "new_event", "merged_into", "to_event")
_EVENT_IN_TEXT = re.compile(r"(?:事件|event) ?(\d+)")


def referenced_events(rows: Iterable[models.EventLog]) -> set[int]:
    """The events a log names (a merge, a split), to be named by their titles."""
    out: set[int] = set()
    for e in rows:
        for key in _EVENT_REFS:
            value = (e.detail or {}).get(key)
            if isinstance(value, int) and not isinstance(value, bool):
                out.add(value)
        out.update(int(m) for m in _EVENT_IN_TEXT.findall(e.reason or ""))
    return out
