"""Enumerations stored by value in the database."""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    EXTRAORDINARY = "特别重大"  # I
    MAJOR = "重大"  # II
    LARGE = "较大"  # III
    GENERAL = "一般"  # IV
    ROUTINE = "常规"  # not an emergency


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
