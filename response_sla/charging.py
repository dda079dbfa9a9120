"""Who answers for a late window: two clocks, each charged to whom it belongs.

The statutory window of an event (5 h / 24 h from the first post) is the duty office's: it may
have run out before any unit was told, or before the event was known to be major. Each unit
has its own window of the same length from its assignment and answers only for that. A
statutory window that was already past when it opened was breached by late detection, not by
a unit.
"""

from __future__ import annotations

from datetime import datetime

from response_sla.policy import KindPolicy


def charged_to_unit(kind: KindPolicy | None) -> bool:
    """Whether a breach of this window always counts against the unit that held it; a
    statutory window (``charged = "office"``) does not once the lead has its own beside it."""
    return kind is None or kind.charged == "unit"


def caused_by_late_detection(opened_at: datetime | None, deadline_at: datetime) -> bool:
    """A window opened at or after its own deadline: the event was found (or found to be
    major) too late for anyone to meet it."""
    return opened_at is not None and opened_at >= deadline_at
