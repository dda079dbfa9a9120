"""Enumerations stored by value in the database."""

from __future__ import annotations

from enum import StrEnum

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
]


class EventState(StrEnum):
    OPEN = "open"
    RESPONDED = "responded"  # every response window met
    CLOSED = "closed"  # 办结
    NOT_RELEVANT = "not_relevant"
    MERGED = "merged"


class AssignmentRole(StrEnum):
    LEAD = "lead"  # 牵头
    CO = "co"  # 配合
    COORDINATE = "coordinate"  # 政府办 / 宣传部 on 特别重大 / 重大


class AssignmentState(StrEnum):
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"  # 签收
    RESPONDED = "responded"
    RETURNED = "returned"  # 退单, awaiting the duty officer
    REASSIGNED = "reassigned"
    CLOSED = "closed"


class DeadlineState(StrEnum):
    OPEN = "open"
    MET = "met"
    BREACHED = "breached"  # still open, past due: reminders continue
    CLOSED_LATE = "closed_late"  # met after the deadline
    CANCELLED = "cancelled"  # superseded (severity changed, reopened, event dropped)


class ReviewStatus(StrEnum):
    MACHINE = "machine"
    CONFIRMED = "confirmed"
    CORRECTED = "corrected"


class OutboxState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"  # permanent failure; shown to the duty officer


class Role(StrEnum):
    ADMIN = "admin"
    DUTY = "duty"
    UNIT = "unit"
    LEADER = "leader"


class CrawlStatus(StrEnum):
    RUNNING = "running"
    OK = "ok"
    EMPTY = "empty"
    FAILED = "failed"
    BLOCKED = "blocked"  # 403 / 429 from the site


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
    - NEW_MAJOR_EVENT (新 特别重大/重大): event_id; to the duty contacts and chat robots
    - SOURCE_UNHEALTHY: payload {"source_id": id, "reason": str}; to the duty contacts
    - DIGEST: payload {"week": "2026-W47"}; to leadership and the 宣传部
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
