"""待核实 in a period: how many possible majors were put to the duty officers, how many they
confirmed or dismissed, how many still waited at its end.

Read from the append-only event log only, so a past week renders with the same figures: a
question counts when it was asked, an answer when it was given, and an event still waits at
the end of the period when its last question before then has no answer before then (unless it
was merged away or judged not relevant before then).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.event_actions import EventAction
from storage import models

_ASKED = EventAction.VERIFICATION_REQUESTED.value
_CONFIRMED = EventAction.VERIFICATION_CONFIRMED.value
_DISMISSED = EventAction.VERIFICATION_DISMISSED.value
_GONE = (EventAction.MERGED.value, EventAction.MARKED_NOT_RELEVANT.value)


@dataclass(frozen=True)
class VerificationCounts:
    asked: int = 0  # put to the duty officers in the period
    confirmed: int = 0  # confirmed as 特别重大 / 重大 in the period
    dismissed: int = 0  # dismissed, with a reason, in the period
    waiting: int = 0  # still waiting for an answer at the end of the period


def verification_counts(session: Session, start: datetime, end: datetime) -> VerificationCounts:
    L = models.EventLog
    rows = session.execute(
        select(L.event_id, L.action, L.at)
        .where(L.action.in_([_ASKED, _CONFIRMED, _DISMISSED, *_GONE]), L.at < end)
        .order_by(L.at, L.id)
    ).all()
    asked = confirmed = dismissed = 0
    state: dict[int, str] = {}  # event → its last question or answer before the end
    asked_events = set()
    for event_id, action, at in rows:
        if event_id is None:
            continue
        in_period = at >= start
        if action == _ASKED:
            asked += in_period
            asked_events.add(event_id)
        elif action == _CONFIRMED:
            confirmed += in_period
        elif action == _DISMISSED:
            dismissed += in_period
        elif event_id not in asked_events:
            continue
        state[event_id] = action
    waiting = sum(1 for action in state.values() if action == _ASKED)
    return VerificationCounts(asked, confirmed, dismissed, waiting)
