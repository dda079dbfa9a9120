"""What the append-only event log records: the entity a row is about and what happened to it.

Every writer uses these members and every reader (the timeline, the digest's history) matches
on them, so an action is named once and a reader cannot drift from its writer. Values are the
strings stored in ``event_log.action``; adding a member needs no migration.
"""

from __future__ import annotations

from enum import StrEnum


class LogEntity(StrEnum):
    EVENT = "event"
    POST = "post"
    ASSIGNMENT = "assignment"
    DEADLINE = "deadline"
    SOURCE = "source"


class EventAction(StrEnum):
    # an event's life (the case service)
    CREATED = "created"
    POST_JOINED = "post_joined"
    ROUTED = "routed"
    MERGED = "merged"  # this event was merged into another
    MERGED_FROM = "merged_from"  # the surviving event took another one in
    SPLIT = "split"  # posts left this event for a new one
    SPLIT_FROM = "split_from"  # the new event a split made
    MARKED_NOT_RELEVANT = "marked_not_relevant"
    RESOLVED = "resolved"
    NOTE = "note"
    ANALYSIS_FAILED = "analysis_failed"

    # labels: a person changed or confirmed the machine's label
    TOPIC_CHANGED = "topic_changed"
    SEVERITY_CHANGED = "severity_changed"
    HANDLING_CHANGED = "handling_changed"
    RUMOUR_CHANGED = "rumour_changed"
    TOPIC_CONFIRMED = "topic_confirmed"
    SEVERITY_CONFIRMED = "severity_confirmed"
    HANDLING_CONFIRMED = "handling_confirmed"
    RUMOUR_CONFIRMED = "rumour_confirmed"

    # assignments
    ASSIGNED = "assigned"
    ACKNOWLEDGED = "acknowledged"
    RESPONDED = "responded"
    MILESTONE = "milestone"
    REASSIGNED = "reassigned"
    ASSIGNMENT_REOPENED = "assignment_reopened"
    RETURN_REQUESTED = "return_requested"
    RETURN_APPROVED = "return_approved"
    RETURN_REFUSED = "return_refused"

    # clocks (the SLA engine)
    OPENED = "opened"
    REOPENED = "reopened"
    RESTARTED = "restarted"
    MET = "met"
    CLOSED_LATE = "closed_late"
    CANCELLED = "cancelled"
    TRANSFERRED = "transferred"
    WARNING = "warning"
    WARNING_SKIPPED = "warning_skipped"
    BREACHED = "breached"
    ESCALATED = "escalated"
    REMINDER = "reminder"
    REMINDER_SKIPPED = "reminder_skipped"
    UNSCHEDULED = "unscheduled"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_APPROVED = "extension_approved"
    EXTENSION_REFUSED = "extension_refused"

    # sources
    SOURCE_UNHEALTHY = "source_unhealthy"
    SOURCE_RECOVERED = "source_recovered"

    @classmethod
    def label_changed(cls, kind: str) -> EventAction:
        """The action for a person's change of the ``kind`` label (topic, severity, …)."""
        return cls(f"{kind}_changed")

    @classmethod
    def label_confirmed(cls, kind: str) -> EventAction:
        return cls(f"{kind}_confirmed")

    @property
    def changed_label(self) -> str | None:
        """``topic`` for TOPIC_CHANGED, …; None for every other action."""
        return self.value.removesuffix("_changed") if self.value.endswith("_changed") else None
