"""How times, URLs and labels are shown. Everything stored is UTC; people read Asia/Shanghai."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from storage.enums import AssignmentRole, AssignmentState, DeadlineState, EventState, Severity

SEVERITY_CSS = {
    Severity.EXTRAORDINARY: "sev-1",
    Severity.MAJOR: "sev-2",
    Severity.LARGE: "sev-3",
    Severity.GENERAL: "sev-4",
    Severity.ROUTINE: "sev-5",
}
EVENT_STATE_LABELS = {
    EventState.OPEN: "待处置",
    EventState.RESPONDED: "已回应",
    EventState.CLOSED: "已办结",
    EventState.NOT_RELEVANT: "不相关",
    EventState.MERGED: "已合并",
}
ASSIGNMENT_STATE_LABELS = {
    AssignmentState.ASSIGNED: "待签收",
    AssignmentState.ACKNOWLEDGED: "已签收",
    AssignmentState.RESPONDED: "已回应",
    AssignmentState.RETURNED: "退单待裁定",
    AssignmentState.REASSIGNED: "已改派",
    AssignmentState.CLOSED: "已办结",
}
ASSIGNMENT_ROLE_LABELS = {
    AssignmentRole.LEAD: "牵头",
    AssignmentRole.CO: "配合",
    AssignmentRole.COORDINATE: "统筹",
}
DEADLINE_STATE_LABELS = {
    DeadlineState.OPEN: "计时中",
    DeadlineState.MET: "按时完成",
    DeadlineState.BREACHED: "已超期",
    DeadlineState.CLOSED_LATE: "超期完成",
    DeadlineState.CANCELLED: "已取消",
}


def local(dt: datetime | None, tz: ZoneInfo) -> datetime | None:
    return None if dt is None else dt.astimezone(tz)


def fmt_local(dt: datetime | None, tz: ZoneInfo, pattern: str = "%Y-%m-%d %H:%M") -> str:
    shown = local(dt, tz)
    return "" if shown is None else shown.strftime(pattern)


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
    import json

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
        out[key] = fmt_local(when, tz) if when is not None else value
    return show(out) if out else ""


ACTION_LABELS = {
    "assigned": "交办",
    "acknowledged": "签收",
    "responded": "回应",
    "resolved": "办结",
    "return_requested": "申请退单",
    "returned": "退单",
    "reassigned": "改派",
    "assignment_reopened": "重新交办（重办）",
    "return_approved": "同意退单",
    "return_refused": "驳回退单",
    "extension_requested": "申请延期",
    "extension_approved": "批准延期",
    "extension_refused": "驳回延期",
    "milestone": "记录节点",
    "note": "备注",
    "merged": "并入其他事件",
    "merged_from": "合并事件",
    "split": "拆分",
    "split_from": "拆分自",
    "marked_not_relevant": "标记不相关",
    "state_changed": "状态变更",
    "severity_changed": "更正级别",
    "topic_changed": "更正领域",
    "handling_changed": "更正处置方式",
    "severity_confirmed": "确认级别",
    "topic_confirmed": "确认领域",
    "handling_confirmed": "确认处置方式",
    "rumour_changed": "更正不实信息标记",
    "rumour_confirmed": "确认不实信息标记",
    # the SLA engine's records of each deadline
    "opened": "开始计时",
    "met": "按时完成",
    "closed_late": "超期完成",
    "cancelled": "时限取消",
    "transferred": "时限转交",
    "warning": "临期提醒",
    "warning_skipped": "跳过提醒",
    "breached": "超期",
    "escalated": "升级督办",
    "reminder": "超期催办",
    "reminder_skipped": "跳过催办",
    "reopened": "重办",
    "restarted": "重新起算",
}


def action_label(action: str) -> str:
    return ACTION_LABELS.get(action, action)
