"""An event's labels: the machine's label rows, a person's confirmation or correction of one,
and the regrade a corrected severity brings to the clocks."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifier.types import Label
from domain.event_actions import EventAction, LogEntity
from domain.vocabulary import HANDLING_TYPES, RUMOUR_LABELS, SEVERITY_ORDER, TOPICS
from response_sla import service
from response_sla.configured import SlaSetup
from storage import models
from storage.enums import ReviewStatus, Severity
from yuqing.cases.assignments import restore_lead
from yuqing.cases.errors import CaseError
from yuqing.cases.log import record

REVIEW_KINDS = ("topic", "severity", "handling", "rumour")
EVENT_COLUMNS = ("topic", "severity", "handling")  # labels stored on the event row itself
HUMAN_MODEL = "human"


def label_row(
    label: Label, now: datetime, *, post_id: int | None = None, event_id: int | None = None
) -> models.Classification:
    return models.Classification(
        post_id=post_id,
        event_id=event_id,
        kind=label.kind,
        label=label.label,
        score=label.score,
        model_version=label.model_version,
        evidence=label.evidence,
        needs_review=label.needs_review,
        created_at=now,
    )


def store_labels(
    session: Session,
    labels: Iterable[Label],
    now: datetime,
    *,
    post_id: int | None = None,
    event_id: int | None = None,
) -> None:
    for label in labels:
        session.add(label_row(label, now, post_id=post_id, event_id=event_id))


def valid_labels(kind: str) -> tuple[str, ...]:
    if kind == "topic":
        return TOPICS
    if kind == "severity":
        return tuple(s.value for s in SEVERITY_ORDER)
    if kind == "handling":
        return HANDLING_TYPES
    if kind == "rumour":
        return RUMOUR_LABELS
    raise CaseError(f"未知的标签类型: {kind}")


def current_label(session: Session, event: models.Event, kind: str) -> str | None:
    """The event's label of ``kind``: its column, or for the rumour flag the latest label on
    the event or one of its posts."""
    if kind in EVENT_COLUMNS:
        value = getattr(event, kind)
        return value.value if isinstance(value, Severity) else value
    C = models.Classification
    post_ids = select(models.Post.id).where(models.Post.event_id == event.id)
    label: str | None = session.scalar(
        select(C.label)
        .where(C.kind == kind, (C.event_id == event.id) | C.post_id.in_(post_ids))
        .order_by(C.created_at.desc(), C.id.desc())
        .limit(1)
    )
    return label


def regrade(
    session: Session,
    event: models.Event,
    new: Severity,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reason: str | None = None,
) -> Severity:
    """Set the event's severity and move its clocks to the new grade (the engine logs
    severity_changed); returns the old grade."""
    old = event.severity
    event.severity = new
    session.flush()
    service.on_severity_change(session, event, old, now, engine, actor=actor, reason=reason)
    if old.is_major and not new.is_major:
        restore_lead(session, event, now, engine, actor=actor, reason=reason or f"降级为{new.value}")
    return old


def review_label(
    session: Session,
    event: models.Event,
    kind: str,
    label: str,
    note: str,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reviewer: int | None,
) -> models.Classification:
    """Confirm (same label) or correct (new label) the event's topic, severity, handling type
    or rumour flag. The row is kept as a human label (status confirmed / corrected) for
    retraining; a corrected severity moves the deadlines through the SLA engine. A person's
    regrade to 重大 brings in no coordinators and sends no announcement: the duty officer
    who made it is the one who would be told."""
    if label not in valid_labels(kind):
        raise CaseError(f"无效的{kind}标签: {label}")
    old_value = current_label(session, event, kind)
    status = ReviewStatus.CONFIRMED if old_value == label else ReviewStatus.CORRECTED
    reason = note or None
    row = models.Classification(
        event_id=event.id,
        kind=kind,
        label=label,
        score=None,
        model_version=HUMAN_MODEL,
        evidence={"previous": old_value, "note": note},
        needs_review=False,
        status=status,
        reviewed_by=reviewer,
        reviewed_at=now,
        created_at=now,
    )
    session.add(row)
    for machine in session.scalars(
        select(models.Classification).where(
            models.Classification.event_id == event.id,
            models.Classification.kind == kind,
            models.Classification.needs_review.is_(True),
        )
    ):
        machine.needs_review = False
    if status is ReviewStatus.CONFIRMED:
        record(session, now, actor, EventAction.label_confirmed(kind), LogEntity.EVENT, event.id,
               event_id=event.id, detail={"label": label}, reason=reason)
        return row
    event.updated_at = now
    if kind == "severity":
        regrade(session, event, Severity(label), now, engine, actor=actor, reason=reason)
        return row
    if kind in EVENT_COLUMNS:
        setattr(event, kind, label)
    record(session, now, actor, EventAction.label_changed(kind), LogEntity.EVENT, event.id,
           event_id=event.id, detail={"from": old_value, "to": label}, reason=reason)
    return row
