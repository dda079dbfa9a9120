"""待核实: an event that may be a major emergency, until a duty officer says whether it is.

A post whose figure would make it 重大 or worse, but that a cue lowered (past, elsewhere, a
drill, a debunk, a doubted claim, an ambiguous figure: ``classifier.candidates``), puts its
event in this state instead of leaving it silently lower: the event leads the duty officers'
queue and they get the major-event alert marked 待核实 at once. One action answers:

- **confirm**: the grade becomes the candidate's; the statutory 5 h / 24 h windows open counted
  from the first post's time (as any regrade opens them); routing follows the grade — the lead
  the emergency plan names, the government office and the 宣传部 — and nobody is told twice
  (the alert has gone out already);
- **dismiss**, with a reason: the grade in force stands.

Each answer is logged with the candidate, its cues and the post that raised it, and kept as a
human severity label: ``yuqing classify export-reviews`` turns them into labelled examples for
the severity rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.candidates import Candidate
from domain.event_actions import EventAction, LogEntity
from response_sla.configured import SlaSetup
from response_sla.directory import Directory
from storage import models
from storage.enums import OutboxKind, ReviewStatus, Severity, Verification
from storage.outbox import notify
from yuqing.cases.assignments import follow_routing, route_event
from yuqing.cases.errors import CaseError
from yuqing.cases.events import DROPPED
from yuqing.cases.labels import HUMAN_MODEL, regrade
from yuqing.cases.log import SYSTEM, record

MAJOR_ALERT_KEY = "new_major_event:{event_id}"  # one major alert per event, 待核实 or not
_DECISIONS = (EventAction.VERIFICATION_CONFIRMED, EventAction.VERIFICATION_DISMISSED)


def alert_key(event_id: int) -> str:
    return MAJOR_ALERT_KEY.format(event_id=event_id)


def request(
    session: Session,
    event: models.Event,
    candidate: Candidate,
    post: models.Post | None,
    now: datetime,
    *,
    actor: str = SYSTEM,
) -> bool:
    """Put the event to the duty officers as 待核实 ``candidate``; True when it became so. An
    event already at that grade, already waiting at it or higher, or already answered at it or
    higher, is not asked again."""
    wanted = candidate.severity
    if event.state in DROPPED or event.severity.rank >= wanted.rank:
        return False
    asked = event.candidate_severity
    if event.verification is not Verification.NONE and asked is not None and (
        asked.rank >= wanted.rank
    ):
        return False
    event.verification = Verification.PENDING
    event.candidate_severity = wanted
    event.candidate_type = candidate.emergency_type
    event.updated_at = now
    record(session, now, actor, EventAction.VERIFICATION_REQUESTED, LogEntity.EVENT, event.id,
           event_id=event.id, detail=_facts(event, candidate, post))
    notify(session, OutboxKind.NEW_MAJOR_EVENT, alert_key(event.id), now, event_id=event.id,
           payload={"severity": event.severity.value, "verification": "pending",
                    "candidate": wanted.value},
           recipients=["duty"])
    return True


def _facts(event: models.Event, candidate: Candidate, post: models.Post | None) -> dict[str, Any]:
    return {
        "candidate": candidate.level,
        "severity": event.severity.value,
        "emergency_type": candidate.emergency_type,
        "cues": list(candidate.cues),
        "post_id": post.id if post is not None else None,
    }


def pending_request(session: Session, event: models.Event) -> models.EventLog | None:
    """The log row that put the event to the duty officers, while it waits."""
    if event.verification is not Verification.PENDING:
        return None
    return last_request(session, event.id)


def last_request(session: Session, event_id: int) -> models.EventLog | None:
    """The latest log row that put the event to the duty officers, answered or not."""
    row: models.EventLog | None = session.scalars(
        select(models.EventLog)
        .where(models.EventLog.event_id == event_id,
               models.EventLog.action == EventAction.VERIFICATION_REQUESTED.value)
        .order_by(models.EventLog.at.desc(), models.EventLog.id.desc())
        .limit(1)
    ).first()
    return row


def _check(session: Session, event: models.Event) -> tuple[Severity, dict[str, Any]]:
    if event.verification is not Verification.PENDING or event.candidate_severity is None:
        raise CaseError("该事件没有待核实的级别")
    if event.state in DROPPED:
        raise CaseError("该事件已不在处置中")
    asked = pending_request(session, event)
    facts = dict(asked.detail) if asked is not None else {}
    facts["candidate"] = event.candidate_severity.value
    facts["severity"] = event.severity.value
    return event.candidate_severity, facts


def _human_label(
    session: Session,
    event: models.Event,
    label: Severity,
    previous: Severity,
    facts: dict[str, Any],
    note: str,
    now: datetime,
    reviewer: int | None,
) -> None:
    """The answer as a person's severity label, beside the machine's (which needs no review
    any more)."""
    status = ReviewStatus.CONFIRMED if label is previous else ReviewStatus.CORRECTED
    session.add(models.Classification(
        event_id=event.id, kind="severity", label=label.value, score=None,
        model_version=HUMAN_MODEL,
        evidence={"previous": previous.value, "note": note, "verification": facts},
        needs_review=False, status=status, reviewed_by=reviewer, reviewed_at=now, created_at=now,
    ))
    for machine in session.scalars(select(models.Classification).where(
        models.Classification.event_id == event.id,
        models.Classification.kind == "severity",
        models.Classification.needs_review.is_(True),
    )):
        machine.needs_review = False


def confirm(
    session: Session,
    event: models.Event,
    note: str,
    now: datetime,
    engine: SlaSetup,
    directory: Directory,
    *,
    actor: str,
    reviewer: int | None,
) -> Severity:
    """确认为重大: the event takes the candidate's grade (never lower than its own) and type,
    its windows and routing follow; returns the grade it had."""
    candidate, facts = _check(session, event)
    old = event.severity
    new = candidate if candidate.rank > old.rank else old
    event.verification = Verification.CONFIRMED
    event.emergency_type = event.candidate_type or event.emergency_type
    # an emergency has no handling type; one a person set stays
    if not _handling_set_by_a_person(session, event):
        event.handling = None
    event.updated_at = now
    _human_label(session, event, new, old, facts, note, now, reviewer)
    why = f"核实确认为{new.value}"
    if new is not old:
        regrade(session, event, new, now, engine, actor=actor, reason=note or why)
    if new.is_major:
        follow_routing(session, event, route_event(session, event, directory), now, engine,
                       actor=actor, reason=why)
    record(session, now, actor, EventAction.VERIFICATION_CONFIRMED, LogEntity.EVENT, event.id,
           event_id=event.id, detail={**facts, "to": new.value}, reason=note or None)
    return old


def dismiss(
    session: Session,
    event: models.Event,
    reason: str,
    now: datetime,
    *,
    actor: str,
    reviewer: int | None,
) -> None:
    """排除: the event stays at its grade; the reason is required and kept."""
    _, facts = _check(session, event)
    if not reason.strip():
        raise CaseError("请说明排除理由")
    event.verification = Verification.DISMISSED
    event.updated_at = now
    _human_label(session, event, event.severity, event.severity, facts, reason, now, reviewer)
    record(session, now, actor, EventAction.VERIFICATION_DISMISSED, LogEntity.EVENT, event.id,
           event_id=event.id, detail={**facts, "to": event.severity.value}, reason=reason)


def carry(
    session: Session, event: models.Event, target: models.Event, now: datetime, *, actor: str
) -> bool:
    """A merge keeps a pending question: the surviving event is asked it, unless it is already
    at that grade or was asked it; True when it was."""
    if event.verification is not Verification.PENDING or event.candidate_severity is None:
        return False
    asked = pending_request(session, event)
    facts = dict(asked.detail) if asked is not None else {}
    candidate = Candidate(event.candidate_severity.value, tuple(facts.get("cues") or ()),
                          event.candidate_type)
    post_id = facts.get("post_id")
    post = session.get(models.Post, post_id) if isinstance(post_id, int) else None
    event.verification = Verification.NONE
    return request(session, target, candidate, post, now, actor=actor)


def decisions(session: Session) -> list[models.EventLog]:
    """Every confirmation and dismissal, oldest first."""
    return list(session.scalars(
        select(models.EventLog)
        .where(models.EventLog.action.in_([a.value for a in _DECISIONS]))
        .order_by(models.EventLog.at, models.EventLog.id)
    ))


def _handling_set_by_a_person(session: Session, event: models.Event) -> bool:
    found = session.scalar(
        select(models.Classification.id).where(
            models.Classification.event_id == event.id,
            models.Classification.kind == "handling",
            models.Classification.model_version == HUMAN_MODEL,
        ).limit(1)
    )
    return found is not None
