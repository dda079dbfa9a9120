"""The analysis stage: posts the crawlers stored or changed → labels, events, routing,
deadlines and the notifications they call for.

One call handles one batch in one transaction, so a crash leaves a post either untouched
(``analyzed_at`` still NULL: the next run takes it up once its claim's lease has run out) or
fully analysed. A post whose text or official reply changed is re-analysed (the crawler
clears ``analyzed_at``): it keeps its event, may raise the event's severity, and its reply
counts as evidence of a response.

This module orchestrates: it selects the posts, runs the pipeline (``yuqing.pipeline``),
matches each post to an event with the in-memory event index, and asks the case service
(``yuqing.cases``) for every change to the events.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from classifier.events import EventIndex
from classifier.incidents import IncidentFacts
from classifier.labelling import PostInput
from classifier.model import active_model_dir
from domain.event_actions import EventAction, LogEntity
from domain.settings import Settings
from response_sla.configured import SlaSetup, from_settings
from storage import claims, models
from storage.db import transaction
from yuqing.cases import intake
from yuqing.cases.events import current_event
from yuqing.cases.intake import post_time
from yuqing.cases.labels import store_labels
from yuqing.cases.log import SYSTEM, record
from yuqing.pipeline import Models, PostAnalysis, analyze_posts
from yuqing.search_index import index_post

log = logging.getLogger(__name__)

# how far back the event index reaches when the service starts: follow-ups days later still
# join their event
INDEX_DAYS = 7
# another process's batch is stamped with the time its step began and may commit well after
# a later stamp was seen: catching up looks back this far, and skips what it already holds
CATCH_UP_OVERLAP = timedelta(minutes=10)
# who claims posts for analysis when the caller names no one: this process
OWNER = claims.process_owner()


@dataclass
class Analyzer:
    """What the stage keeps between runs: the models, the SLA engine and the event index."""

    settings: Settings
    models: Models
    sla: SlaSetup
    index: EventIndex
    model_dir: Path | None = None  # the active model's directory when built (None: shipped)
    # the latest analysis time the index has seen from the database (``catch_up``)
    index_until: datetime | None = None

    @classmethod
    def build(cls, settings: Settings, sessions: sessionmaker[Session], now: datetime) -> Analyzer:
        model_dir = active_model_dir(settings.var_dir)
        models_ = Models.from_settings(settings, model_dir)
        analyzer = cls(
            settings, models_, from_settings(settings), models_.event_index(), model_dir
        )
        with sessions() as session:
            analyzer.reload_index(session, now)
        return analyzer

    def model_changed(self) -> bool:
        """Whether another model version was activated since this was built (by the
        retraining job, or by hand with ``yuqing classify activate``)."""
        return active_model_dir(self.settings.var_dir) != self.model_dir

    def reload_index(self, session: Session, now: datetime) -> int:
        """Rebuild the event index from the posts of the last days (after a restart)."""
        since = now - timedelta(days=INDEX_DAYS)
        self.index_until = max(self.index_until or now, now)
        return self._index(session, models.Post.first_seen_at >= since)

    def catch_up(self, session: Session) -> int:
        """Index the posts other processes analysed since this one last looked, and posts
        whose event changed under it (merged, split); returns how many. Every process
        matches against its own index: without this, a follow-up analysed here would not
        find an event opened by another process sharing the database."""
        if self.index_until is None:
            return 0
        since = self.index_until - CATCH_UP_OVERLAP
        changed = [
            post_id
            for post_id, event_id in session.execute(
                select(models.Post.id, models.Post.event_id).where(
                    models.Post.analyzed_at >= since, models.Post.event_id.is_not(None)
                )
            )
            if self.index.event_of(post_id) != event_id
        ]
        latest = session.scalar(select(func.max(models.Post.analyzed_at)))
        if latest is not None:
            self.index_until = max(self.index_until, latest)
        return self._index(session, models.Post.id.in_(changed)) if changed else 0

    def _index(self, session: Session, which: ColumnElement[bool]) -> int:
        rows = session.execute(
            select(models.Post, models.Event.topic)
            .join(models.Event, models.Post.event_id == models.Event.id)
            .where(which)
            .order_by(models.Post.id)
        ).all()
        facts = incident_facts(session, [post.id for post, _ in rows])
        for post, topic in rows:
            assert post.event_id is not None
            self.index.add(
                post.id,
                post.event_id,
                _text(post),
                published_at=post_time(post),
                places=self.models.places(_text(post)),
                topic=topic,
                incident=facts.get(post.id),
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


def incident_facts(session: Session, post_ids: list[int]) -> dict[int, IncidentFacts]:
    """What each post's stored severity label says of its incident (the latest label)."""
    C = models.Classification
    out: dict[int, IncidentFacts] = {}
    for chunk in (post_ids[i : i + 500] for i in range(0, len(post_ids), 500)):
        rows = session.execute(
            select(C.post_id, C.label, C.evidence)
            .where(C.post_id.in_(chunk), C.kind == "severity")
            .order_by(C.created_at, C.id)
        )
        for post_id, level, evidence in rows:
            if post_id is not None:
                out[post_id] = IncidentFacts.from_evidence(level, None, evidence or {})
    return out


def _text(post: models.Post) -> str:
    return f"{post.title}\n{post.content}"


def _input(post: models.Post) -> PostInput:
    return PostInput(post.title, post.content, replies=post.replies, likes=post.likes,
                     board_type=post.board_type, board_unit=post.board_unit)


def analyze_pending(
    analyzer: Analyzer, sessions: sessionmaker[Session], now: datetime, *, limit: int = 200,
    owner: str = OWNER, lease: timedelta = claims.LEASE,
) -> AnalyzeReport:
    """One step: claim up to ``limit`` posts that wait for it, oldest first, for ``owner``
    and analyse them. Several processes may run it at once: each post is analysed by the one
    holding its claim (see ``storage.claims``).

    A batch that fails is retried post by post, so one post that breaks the analysis cannot
    hold the others back; that post is set aside (logged, with the error, in the event log)
    and stays in storage for a person to look at."""
    ids = claims.claim_posts(sessions, now, lease=lease, owner=owner, limit=limit)
    if not ids:
        return AnalyzeReport()
    try:
        return _analyze_batch(analyzer, sessions, now, ids, owner)
    except OperationalError:
        raise  # the database is away: nothing to set aside, the next run retries
    except Exception:
        log.exception("analysis of a batch failed; retrying its posts one by one")
    report = AnalyzeReport()
    for post_id in ids:
        try:
            one = _analyze_batch(analyzer, sessions, now, [post_id], owner)
        except OperationalError:
            raise
        except Exception as exc:
            log.exception("post %s could not be analysed; it is set aside", post_id,
                          extra={"post_id": post_id})
            with transaction(sessions) as session:
                post = session.get(models.Post, post_id)
                # set aside only while it is ours: a process that took it over analyses it
                if post is not None and claims.finish(session, [post_id], owner, now):
                    record(session, now, SYSTEM, EventAction.ANALYSIS_FAILED, LogEntity.POST,
                           post_id, event_id=None,
                           detail={"source_id": post.source_id, "external_id": post.external_id},
                           reason=f"{type(exc).__name__}: {exc}"[:1000])
            continue
        report.posts += one.posts
        report.new_events += one.new_events
        report.joined += one.joined
        report.raised += one.raised
        report.replies += one.replies
        report.events += one.events
    return report


def _analyze_batch(analyzer: Analyzer, sessions: sessionmaker[Session], now: datetime,
                   ids: list[int], owner: str) -> AnalyzeReport:
    report = AnalyzeReport()
    # FOR UPDATE: a claimer on PostgreSQL skips these rows until this transaction ends
    query = select(models.Post).where(claims.held(owner, ids)).with_for_update()
    with transaction(sessions) as session:
        posts = list(session.scalars(query.order_by(models.Post.id)))
        if not posts:
            return report
        analyses = analyze_posts([_input(p) for p in posts], analyzer.models)
        claims.lock_matching(session)
        analyzer.catch_up(session)
        for post, analysis in zip(posts, analyses, strict=True):
            _analyze(analyzer, session, post, analysis, now, report)
            report.posts += 1
        if claims.finish(session, [p.id for p in posts], owner, now) != len(posts):
            raise claims.ClaimLost(owner, [p.id for p in posts])
    return report


def _analyze(
    analyzer: Analyzer,
    session: Session,
    post: models.Post,
    analysis: PostAnalysis,
    now: datetime,
    report: AnalyzeReport,
) -> None:
    labels = analysis.labels
    store_labels(session, labels.labels(), now, post_id=post.id)
    event = current_event(session, post.event_id) if post.event_id is not None else None
    if event is None:
        incident = IncidentFacts.of(labels.severity)
        match = analyzer.index.match(_text(post), published_at=post_time(post),
                                     places=labels.places, topic=labels.topic.label,
                                     incident=incident)
        event = current_event(session, match.event_key) if match is not None else None
        if event is not None and match is not None:
            intake.join(session, event, post, match, now, incident=incident)
            report.joined += 1
        else:
            event = intake.open_event(session, post, analysis, now, analyzer.sla)
            report.new_events += 1
        analyzer.index.add(post.id, event.id, _text(post), published_at=post_time(post),
                           places=labels.places, topic=event.topic, incident=incident)
    else:
        session.flush()
    if intake.refresh(session, event, labels.severity, now, analyzer.sla,
                      analyzer.models.directory, candidate=labels.candidate, post=post):
        report.raised += 1
    if intake.record_board_reply(session, post, now, analyzer.sla):
        report.replies += 1
    index_post(session, post)
    report.events.append(event.id)
