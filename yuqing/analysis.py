"""The analysis stage: posts the crawlers stored or changed → labels, events, routing,
deadlines and the notifications they call for.

One call handles one batch in one transaction, so a crash leaves a post either untouched
(``analyzed_at`` still NULL, picked up by the next run) or fully analysed. A post whose text
or official reply changed is re-analysed (the crawler clears ``analyzed_at``): it keeps its
event, may raise the event's severity, and its reply counts as evidence of a response.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from classifier.events import EventIndex, EventMatch
from classifier.heat import heat_score
from classifier.labelling import PostInput, severity_label
from classifier.masking import mask_pii
from classifier.severity import SeverityAssessment, combine
from classifier.types import Label
from domain.settings import Settings
from response_sla import service
from response_sla.configured import SlaSetup, from_settings
from response_sla.routing import Routing
from storage import models
from storage.db import transaction
from storage.enums import AssignmentRole, AssignmentState, EventState, OutboxKind, Severity
from storage.outbox import notify
from yuqing.pipeline import Models, PostAnalysis, analyze_posts
from yuqing.search_index import index_post

log = logging.getLogger(__name__)

ACTOR = "system"
MAJOR = (Severity.EXTRAORDINARY, Severity.MAJOR)
RANK = {s: i for i, s in enumerate(reversed(list(Severity)))}  # 常规 0 … 特别重大 4
# how far back the event index reaches when the service starts: follow-ups days later still
# join their event
INDEX_DAYS = 7


@dataclass
class Analyzer:
    """What the stage keeps between runs: the models, the directory and the event index."""

    settings: Settings
    models: Models
    sla: SlaSetup
    index: EventIndex

    @classmethod
    def build(cls, settings: Settings, sessions: sessionmaker[Session], now: datetime) -> Analyzer:
        models = Models.from_settings(settings)
        analyzer = cls(
            settings, models, from_settings(settings), EventIndex(broad_places=models.broad_places)
        )
        with sessions() as session:
            analyzer.reload_index(session, now)
        return analyzer

    def reload_index(self, session: Session, now: datetime) -> int:
        """Rebuild the event index from the posts of the last days (after a restart)."""
        since = now - timedelta(days=INDEX_DAYS)
        rows = session.execute(
            select(models.Post, models.Event.topic)
            .join(models.Event, models.Post.event_id == models.Event.id)
            .where(models.Post.first_seen_at >= since)
            .order_by(models.Post.id)
        ).all()
        for post, topic in rows:
            assert post.event_id is not None
            self.index.add(
                post.id,
                post.event_id,
                _text(post),
                published_at=_when(post),
                places=self.models.places(_text(post)),
                topic=topic,
            )
        return len(rows)


@dataclass
class AnalyzeReport:
    posts: int = 0
    new_events: int = 0
    joined: int = 0
    raised: int = 0
    replies: int = 0
    events: list[int] = field(default_factory=list)


def _text(post: models.Post) -> str:
    return f"{post.title}\n{post.content}"


def _when(post: models.Post) -> datetime:
    return post.published_at or post.first_seen_at


def analyze_pending(
    analyzer: Analyzer, sessions: sessionmaker[Session], now: datetime, *, limit: int = 200
) -> AnalyzeReport:
    """One step: analyse up to ``limit`` posts that wait for it, oldest first.

    A batch that fails is retried post by post, so one post that breaks the analysis cannot
    hold the others back; that post is set aside (logged, with the error, in the event log)
    and stays in storage for a person to look at."""
    try:
        return _analyze_batch(analyzer, sessions, now, limit=limit)
    except OperationalError:
        raise  # the database is away: nothing to set aside, the next run retries
    except Exception:
        log.exception("analysis of a batch failed; retrying its posts one by one")
    report = AnalyzeReport()
    with sessions() as session:
        ids = list(session.scalars(select(models.Post.id).where(
            models.Post.analyzed_at.is_(None)).order_by(models.Post.id).limit(limit)))
    for post_id in ids:
        try:
            one = _analyze_batch(analyzer, sessions, now, only=post_id)
        except OperationalError:
            raise
        except Exception as exc:
            log.exception("post %s could not be analysed; it is set aside", post_id)
            with transaction(sessions) as session:
                post = session.get(models.Post, post_id)
                if post is not None:
                    post.analyzed_at = now
                    session.add(models.EventLog(
                        at=now, actor=ACTOR, event_id=None, entity="post", entity_id=post_id,
                        action="analysis_failed", unit_id=None,
                        detail={"source_id": post.source_id, "external_id": post.external_id},
                        reason=f"{type(exc).__name__}: {exc}"[:1000]))
            continue
        report.posts += one.posts
        report.new_events += one.new_events
        report.joined += one.joined
        report.raised += one.raised
        report.replies += one.replies
        report.events += one.events
    return report


def _analyze_batch(analyzer: Analyzer, sessions: sessionmaker[Session], now: datetime, *,
                   limit: int = 200, only: int | None = None) -> AnalyzeReport:
    report = AnalyzeReport()
    query = select(models.Post).where(models.Post.analyzed_at.is_(None))
    if only is not None:
        query = query.where(models.Post.id == only)
    with transaction(sessions) as session:
        posts = list(session.scalars(query.order_by(models.Post.id).limit(limit)))
        if not posts:
            return report
        analyses = analyze_posts([_input(p) for p in posts], analyzer.models)
        for post, analysis in zip(posts, analyses, strict=True):
            _analyze(analyzer, session, post, analysis, now, report)
            post.analyzed_at = now
            report.posts += 1
    return report


def _label_row(label: Label, now: datetime, **where: Any) -> models.Classification:
    return models.Classification(
        kind=label.kind,
        label=label.label,
        score=label.score,
        model_version=label.model_version,
        evidence=label.evidence,
        needs_review=label.needs_review,
        created_at=now,
        **where,
    )


def _input(post: models.Post) -> PostInput:
    return PostInput(post.title, post.content, replies=post.replies, likes=post.likes,
                     board_type=post.board_type, board_unit=post.board_unit)


def _analyze(
    analyzer: Analyzer,
    session: Session,
    post: models.Post,
    analysis: PostAnalysis,
    now: datetime,
    report: AnalyzeReport,
) -> None:
    labels = analysis.labels
    topic, severity, places = labels.topic, labels.severity, list(labels.places)
    for label in labels.labels():
        session.add(_label_row(label, now, post_id=post.id))

    event = _current_event(session, post.event_id) if post.event_id is not None else None
    if event is None:
        match = analyzer.index.match(
            _text(post), published_at=_when(post), places=places, topic=topic.label
        )
        event = _current_event(session, match.event_key) if match is not None else None
        if event is not None and match is not None:
            _join(session, event, post, match, now)
            report.joined += 1
        else:
            event = _new_event(analyzer, session, post, analysis, now)
            report.new_events += 1
        analyzer.index.add(post.id, event.id, _text(post), published_at=_when(post),
                           places=places, topic=event.topic)
    else:
        session.flush()
    _refresh(analyzer, session, event, severity, now, report)
    # record_board_reply ignores posts without a reply
    if service.record_board_reply(session, post, now, analyzer.sla):
        report.replies += 1
    index_post(session, post)
    report.events.append(event.id)


def _current_event(session: Session, event_id: Any) -> models.Event | None:
    """The event a post belongs to, following merges."""
    event = session.get(models.Event, event_id)
    seen = set()
    while event is not None and event.merged_into_id is not None and event.id not in seen:
        seen.add(event.id)
        event = session.get(models.Event, event.merged_into_id)
    return event


def _log(session: Session, event_id: int, entity: str, entity_id: int | None, action: str,
         now: datetime, *, unit_id: str | None = None, detail: dict[str, Any] | None = None,
         reason: str | None = None) -> None:
    session.add(models.EventLog(at=now, actor=ACTOR, event_id=event_id, entity=entity,
                                entity_id=entity_id, action=action, unit_id=unit_id,
                                detail=detail or {}, reason=reason))


def _join(session: Session, event: models.Event, post: models.Post, match: EventMatch,
          now: datetime) -> None:
    post.event_id = event.id
    session.flush()
    _log(session, event.id, "post", post.id, "post_joined", now,
         detail={"similarity": round(match.similarity, 3)}, reason="; ".join(match.reasons))


def _new_event(
    analyzer: Analyzer,
    session: Session,
    post: models.Post,
    analysis: PostAnalysis,
    now: datetime,
) -> models.Event:
    labels = analysis.labels
    topic, severity, handling_label = labels.topic, labels.severity, labels.handling_type
    event = models.Event(
        title=post.title[:500] or post.content[:60],
        summary=mask_pii(post.content)[:300],
        started_at=_when(post),
        first_seen_at=post.first_seen_at,
        updated_at=now,
        state=EventState.OPEN,
        topic=topic.label,
        severity=Severity(severity.level),
        emergency_type=severity.emergency_type,
        handling=handling_label,
        post_count=0,
    )
    session.add(event)
    session.flush()
    post.event_id = event.id
    for label in labels.labels():
        session.add(_label_row(label, now, event_id=event.id))
    _log(session, event.id, "event", event.id, "created", now,
         detail={"post_id": post.id, "source_id": post.source_id, "severity": severity.level,
                 "topic": topic.label})
    _assign(session, event, analysis.routing, now)
    service.open_clocks(session, event, now, analyzer.sla, actor=ACTOR)
    if event.severity in MAJOR:
        _announce_major(analyzer, session, event, now)
    return event


def _assign(session: Session, event: models.Event, decision: Routing, now: datetime) -> None:
    event.lead_unit_id = decision.lead
    event.routing_confidence = decision.confidence
    reasons: list[Any] = list(decision.reasons)  # already in the words a clerk reads
    roles = [(decision.lead, AssignmentRole.LEAD)]
    roles += [(u, AssignmentRole.CO) for u in decision.co_units]
    roles += [(u, AssignmentRole.COORDINATE) for u in decision.coordinate]
    seen: set[str] = set()
    for unit_id, role in roles:
        if unit_id in seen:
            continue
        seen.add(unit_id)
        _add_assignment(session, event, unit_id, role, reasons, decision.confidence, now)
    _log(session, event.id, "event", event.id, "routed", now, unit_id=decision.lead,
         detail=decision.as_json())


def _add_assignment(session: Session, event: models.Event, unit_id: str, role: AssignmentRole,
                    reasons: list[Any], confidence: float | None,
                    now: datetime) -> None:
    a = models.Assignment(event_id=event.id, unit_id=unit_id, role=role,
                          state=AssignmentState.ASSIGNED, active=True, cycle=1,
                          reasons=reasons, confidence=confidence, assigned_at=now)
    session.add(a)
    session.flush()
    notify(session, OutboxKind.ASSIGNMENT, f"assignment:{a.id}", now, event_id=event.id,
            unit_id=unit_id, payload={"role": role.value})
    _log(session, event.id, "assignment", a.id, "assigned", now, unit_id=unit_id,
         detail={"role": role.value})


def _announce_major(analyzer: Analyzer, session: Session, event: models.Event,
                    now: datetime) -> None:
    duty = [c.email for c in analyzer.settings.jurisdiction.duty_contacts]
    notify(session, OutboxKind.NEW_MAJOR_EVENT, f"new_major_event:{event.id}", now,
            event_id=event.id, payload={"severity": event.severity.value}, recipients=duty)


def _coordinators(analyzer: Analyzer, session: Session, event: models.Event,
                  now: datetime) -> None:
    """A raise to 重大 brings the government office and the 宣传部 in, as routing would have."""
    held = set(session.scalars(select(models.Assignment.unit_id).where(
        models.Assignment.event_id == event.id, models.Assignment.active.is_(True))))
    reasons: list[Any] = [f"升级为{event.severity.value} → 区政府办公室、区委宣传部 协调"]
    directory = analyzer.models.directory
    for unit_id in (directory.government_office, directory.propaganda_unit):
        if unit_id not in held:
            _add_assignment(session, event, unit_id, AssignmentRole.COORDINATE, reasons, None,
                            now)


def _refresh(analyzer: Analyzer, session: Session, event: models.Event,
             severity: SeverityAssessment, now: datetime, report: AnalyzeReport) -> None:
    """Counts, heat and severity of the event after a post joined or changed. Severity only
    goes up here; lowering it is a person's decision."""
    stats = session.execute(
        select(func.count(models.Post.id), func.count(func.distinct(models.Post.source_id)),
               func.coalesce(func.sum(models.Post.replies), 0),
               func.coalesce(func.sum(models.Post.likes), 0),
               func.min(func.coalesce(models.Post.published_at, models.Post.first_seen_at)),
               func.max(func.coalesce(models.Post.published_at, models.Post.first_seen_at)))
        .where(models.Post.event_id == event.id)
    ).one()
    count, boards, replies, likes, first, last = stats
    span = (_aware(last) - _aware(first)).total_seconds() / 3600 if first and last else 0.0
    event.post_count = int(count)
    event.heat = heat_score(posts=int(count), boards=int(boards), replies=int(replies),
                            likes=int(likes), span_hours=max(span, 0.0))
    event.updated_at = now
    current = SeverityAssessment(event.severity.value, event.emergency_type, 0.0, {}, "")
    combined = combine([current, severity], heat=event.heat)
    new = Severity(combined.level)
    if RANK[new] <= RANK[event.severity] or event.state is not EventState.OPEN:
        return
    old = event.severity
    event.severity = new
    event.emergency_type = combined.emergency_type or event.emergency_type
    session.add(_label_row(severity_label(combined), now, event_id=event.id))
    service.on_severity_change(session, event, old, now, analyzer.sla, actor=ACTOR)
    if new in MAJOR:
        _coordinators(analyzer, session, event, now)
        service.open_clocks(session, event, now, analyzer.sla, actor=ACTOR)
        _announce_major(analyzer, session, event, now)
    report.raised += 1


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
