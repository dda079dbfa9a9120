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
    STATE_CHANGED = "state_changed"  # the clocks moved the event to responded / closed / open
    ANALYSIS_FAILED = "analysis_failed"  # a post set aside (entity POST, no event)

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
    ASSIGNMENT_MOVED = "assignment_moved"  # went with its event's merge to the surviving event
    ASSIGNMENT_MERGED = "assignment_merged"  # folded into the unit's case on the surviving event
    # 退单 as the dashboard once logged it beside the engine's return_requested; written by
    # nothing now, still read in the history of those weeks
    RETURNED = "returned"

    # clocks (the SLA engine)
    OPENED = "opened"
    REOPENED = "reopened"
    RESTARTED = "restarted"
    MET = "met"
    CLOSED_LATE = "closed_late"
    CANCELLED = "cancelled"
    TRANSFERRED = "transferred"
    MOVED = "moved"  # went with its assignment to the event its own was merged into
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
        """The action for a person's change of the ``kind`` label (topic, severity, …);
        ValueError for a kind that is no label."""
        for action, label in _LABEL_CHANGES.items():
            if label == kind:
                return action
        raise ValueError(f"no label kind {kind!r}")

    @classmethod
    def label_confirmed(cls, kind: str) -> EventAction:
        cls.label_changed(kind)  # the same four kinds
        return cls(f"{kind}_confirmed")

    @property
    def changed_label(self) -> str | None:
        """``topic`` for TOPIC_CHANGED, …; None for every other action (STATE_CHANGED too:
        the state is no label)."""
        return _LABEL_CHANGES.get(self)


_LABEL_CHANGES: dict[EventAction, str] = {
    EventAction.TOPIC_CHANGED: "topic",
    EventAction.SEVERITY_CHANGED: "severity",
    EventAction.HANDLING_CHANGED: "handling",
    EventAction.RUMOUR_CHANGED: "rumour",
}
