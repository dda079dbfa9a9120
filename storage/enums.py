"""Enumerations stored by value in the database, each with the Chinese ``label`` people read.

The labels are defined here once, next to the values, so the dashboard, the emails, the digest
and the command line cannot drift apart in what they call a state or a role.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

from domain.event_actions import EventAction
from domain.vocabulary import Severity

__all__ = [
    "AssignmentRole",
    "AssignmentState",
    "CrawlStatus",
    "DeadlineState",
    "EventState",
    "OutboxKind",
    "OutboxState",
    "ReviewStatus",
    "Role",
    "Severity",
    "Verification",
]


class EventState(StrEnum):
    OPEN = "open"
    RESPONDED = "responded"  # every response window met
    CLOSED = "closed"  # 办结
    NOT_RELEVANT = "not_relevant"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return _EVENT_STATE_LABELS[self]


class Verification(StrEnum):
    """待核实: whether a duty officer is asked if the event is a major emergency, and the
    answer. PENDING events lead the queue; CONFIRMED took the candidate's grade; DISMISSED kept
    the grade in force, with a reason in the event log."""

    NONE = "none"
    PENDING = "pending"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"

    @property
    def label(self) -> str:
        return _VERIFICATION_LABELS[self]


class AssignmentRole(StrEnum):
    LEAD = "lead"  # 牵头
    CO = "co"  # 配合
    COORDINATE = "coordinate"  # 政府办 / 宣传部 on 特别重大 / 重大

    @property
    def label(self) -> str:
        """牵头 / 配合 / 统筹: the role as a table shows it."""
        return _ROLE_LABELS[self]

    @property
    def task(self) -> str:
        """牵头办理 / 配合办理 / 统筹协调: the role as a sentence asks it of a unit
        (以下舆情已交由你单位配合办理)."""
        return _ROLE_TASKS[self]


class AssignmentState(StrEnum):
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"  # 签收
    RESPONDED = "responded"
    RETURNED = "returned"  # 退单, awaiting the duty officer
    REASSIGNED = "reassigned"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return _ASSIGNMENT_STATE_LABELS[self]


class DeadlineState(StrEnum):
    OPEN = "open"
    MET = "met"
    BREACHED = "breached"  # still open, past due: reminders continue
    CLOSED_LATE = "closed_late"  # met after the deadline
    CANCELLED = "cancelled"  # superseded (severity changed, reopened, event dropped)

    @property
    def label(self) -> str:
        return _DEADLINE_STATE_LABELS[self]


class ReviewStatus(StrEnum):
    MACHINE = "machine"
    CONFIRMED = "confirmed"
    CORRECTED = "corrected"

    @property
    def label(self) -> str:
        return _REVIEW_STATUS_LABELS[self]


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # permanent failure; shown to the duty officer

    @property
    def label(self) -> str:
        return _OUTBOX_STATE_LABELS[self]


class Role(StrEnum):
    ADMIN = "admin"
    DUTY = "duty"
    UNIT = "unit"
    LEADER = "leader"

    @property
    def label(self) -> str:
        return _USER_ROLE_LABELS[self]


class CrawlStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    EMPTY = "empty"
    FAILED = "failed"
    BLOCKED = "blocked"  # 403 / 429 from the site
    # a process of a crawl shared through Redis found the queue already emptied by the others:
    # it says nothing about the board
    IDLE = "idle"

    @property
    def label(self) -> str:
        return _CRAWL_STATUS_LABELS[self]


class OutboxKind(StrEnum):
    """What a notification is about. The SLA engine writes outbox rows; the sender renders them
    from the database at send time, so a row carries ids plus the few facts of the moment:

    - ASSIGNMENT (交办): event_id, unit_id; payload {"role": lead|co|coordinate}
    - WARNING (临期提醒): event_id, unit_id, deadline_id; payload {"fraction": 0.5, "deadline_at": ISO}
    - BREACH (超期督办): event_id, unit_id, deadline_id; payload {"level": 1.., "deadline_at": ISO};
      cc carries the 分管领导 and the 宣传部 by escalation level
    - REMINDER (repeat while overdue): as BREACH, payload {"count": n}
    - RETURN_DECISION / EXTENSION_DECISION: event_id, unit_id; payload {"decision":
      "approved"|"refused", "reason": str, "new_deadline_at": ISO|None}
    - REASSIGNMENT: event_id, unit_id (the unit losing or gaining it); payload {"from": id, "to": id}
    - NEW_MAJOR_EVENT (新 特别重大/重大): event_id; payload {"severity": level} and, for a
      待核实 candidate, {"verification": "pending", "candidate": level}; to the duty contacts and
      chat robots. One per event (dedupe key ``new_major_event:{event id}``)
    - SOURCE_UNHEALTHY: payload {"source_id": id, "reason": str}; to the duty contacts
    - DIGEST: payload {"week": "2026-W47"}; to leadership and the 宣传部
    - ACCOUNT_LOCKED: payload {"username", "display_name", "ip", "failures", "minutes"}; a
      dashboard account refused after repeated wrong passwords; to the duty contacts
    - DIGEST_INCOMPLETE: payload {"week", "attachment", "error"}; the digest went out without an
      attachment that could not be built; to the duty contacts
    """

    ASSIGNMENT = "assignment"
    WARNING = "warning"
    BREACH = "breach"
    REMINDER = "reminder"
    RETURN_DECISION = "return_decision"
    EXTENSION_DECISION = "extension_decision"
    REASSIGNMENT = "reassignment"
    NEW_MAJOR_EVENT = "new_major_event"
    SOURCE_UNHEALTHY = "source_unhealthy"
    DIGEST = "digest"
    ACCOUNT_LOCKED = "account_locked"
    DIGEST_INCOMPLETE = "digest_incomplete"
    MORNING_BRIEF = "morning_brief"  # 值班早报: payload {"date": ISO}; to the duty contacts


_EVENT_STATE_LABELS: Final[dict[EventState, str]] = {
    EventState.OPEN: "待处置",
    EventState.RESPONDED: "已回应",
    EventState.CLOSED: "已办结",
    EventState.NOT_RELEVANT: "不相关",
    EventState.MERGED: "已合并",
}
_VERIFICATION_LABELS: Final[dict[Verification, str]] = {
    Verification.NONE: "",
    Verification.PENDING: "待核实",
    Verification.CONFIRMED: "已核实确认",
    Verification.DISMISSED: "已核实排除",
}
_ROLE_LABELS: Final[dict[AssignmentRole, str]] = {
    AssignmentRole.LEAD: "牵头",
    AssignmentRole.CO: "配合",
    AssignmentRole.COORDINATE: "统筹",
}
_ROLE_TASKS: Final[dict[AssignmentRole, str]] = {
    AssignmentRole.LEAD: "牵头办理",
    AssignmentRole.CO: "配合办理",
    AssignmentRole.COORDINATE: "统筹协调",
}
_ASSIGNMENT_STATE_LABELS: Final[dict[AssignmentState, str]] = {
    AssignmentState.ASSIGNED: "待签收",
    AssignmentState.ACKNOWLEDGED: "已签收",
    AssignmentState.RESPONDED: "已回应",
    AssignmentState.RETURNED: "退单待裁定",
    AssignmentState.REASSIGNED: "已改派",
    AssignmentState.CLOSED: "已办结",
}
_DEADLINE_STATE_LABELS: Final[dict[DeadlineState, str]] = {
    DeadlineState.OPEN: "计时中",
    # a window's closing reads the same in its state and in the timeline row that closed it
    DeadlineState.MET: EventAction.MET.label,
    DeadlineState.BREACHED: "已超期",
    DeadlineState.CLOSED_LATE: EventAction.CLOSED_LATE.label,
    DeadlineState.CANCELLED: "已取消",
}
_REVIEW_STATUS_LABELS: Final[dict[ReviewStatus, str]] = {
    ReviewStatus.MACHINE: "机器",
    ReviewStatus.CONFIRMED: "人工确认",
    ReviewStatus.CORRECTED: "人工更正",
}
_OUTBOX_STATE_LABELS: Final[dict[OutboxState, str]] = {
    OutboxState.PENDING: "待发送",
    OutboxState.SENDING: "发送中",
    OutboxState.SENT: "已发送",
    OutboxState.FAILED: "发送失败",
}
_USER_ROLE_LABELS: Final[dict[Role, str]] = {
    Role.ADMIN: "管理员",
    Role.DUTY: "值班员",
    Role.UNIT: "单位",
    Role.LEADER: "领导",
}
_CRAWL_STATUS_LABELS: Final[dict[CrawlStatus, str]] = {
    CrawlStatus.RUNNING: "运行中",
    CrawlStatus.OK: "正常",
    CrawlStatus.EMPTY: "无内容",
    CrawlStatus.FAILED: "失败",
    CrawlStatus.BLOCKED: "被拦截",
    CrawlStatus.IDLE: "无待抓取",
}
