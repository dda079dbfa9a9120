"""What the event page shows of 待核实 — the candidate grade, why the machine did not grade it so,
the post that raised it, the answer once given — and the figures each post tells."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.candidates import cue_label
from classifier.incidents import IncidentFacts, figure_text
from domain.event_actions import EventAction
from storage import models
from storage.enums import Verification

_ACTIONS = (
    EventAction.VERIFICATION_REQUESTED,
    EventAction.VERIFICATION_CONFIRMED,
    EventAction.VERIFICATION_DISMISSED,
)


@dataclass(frozen=True)
class VerificationView:
    state: Verification
    candidate: str  # 特别重大 / 重大
    severity: str  # the grade in force
    reasons: list[str]  # the cues, in words
    post_id: int | None  # the post whose figure raised the question
    asked_at: datetime | None
    decided_by: str  # the log row's actor, for the page to name
    decided_at: datetime | None
    decision_note: str

    @property
    def pending(self) -> bool:
        return self.state is Verification.PENDING


def verification_view(session: Session, event: models.Event) -> VerificationView | None:
    """None for an event that was never 待核实."""
    if event.verification is Verification.NONE or event.candidate_severity is None:
        return None
    rows = list(session.scalars(
        select(models.EventLog)
        .where(models.EventLog.event_id == event.id,
               models.EventLog.action.in_([a.value for a in _ACTIONS]))
        .order_by(models.EventLog.at, models.EventLog.id)
    ))
    asked = next((r for r in reversed(rows)
                  if r.action == EventAction.VERIFICATION_REQUESTED.value), None)
    decided = None
    if event.verification is not Verification.PENDING:
        decided = next((r for r in reversed(rows)
                        if r.action != EventAction.VERIFICATION_REQUESTED.value), None)
    cues = (asked.detail.get("cues") if asked is not None else None) or []
    post_id = asked.detail.get("post_id") if asked is not None else None
    return VerificationView(
        state=event.verification,
        candidate=event.candidate_severity.label,
        severity=event.severity.label,
        reasons=[cue_label(str(c)) for c in cues],
        post_id=post_id if isinstance(post_id, int) else None,
        asked_at=asked.at if asked is not None else None,
        decided_by=decided.actor if decided is not None else "",
        decided_at=decided.at if decided is not None else None,
        decision_note=(decided.reason or "") if decided is not None else "",
    )


def post_figures(labels: Iterable[models.Classification]) -> dict[int, str]:
    """Each post's casualty figures as its latest severity label read them ("死亡 13 人")."""
    latest: dict[int, models.Classification] = {}
    for c in labels:
        if c.post_id is not None and c.kind == "severity":
            latest[c.post_id] = c  # labels come oldest first
    out: dict[int, str] = {}
    for post_id, c in latest.items():
        facts = IncidentFacts.from_evidence(c.label, None, c.evidence or {})
        if facts.figures:
            out[post_id] = figure_text(facts.figures)
    return out
