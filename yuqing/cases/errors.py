"""What the case service raises when a change does not apply."""

from __future__ import annotations


class CaseError(ValueError):
    """The change does not apply to the event or assignment as it stands; the message is
    written for the person who asked for it."""
