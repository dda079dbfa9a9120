"""What an analysed post does to the events: it starts one (labels, routing, clocks, the 重大
announcement) or joins one; the event's counts, heat and severity follow; a figure that may make
it a major emergency puts it to the duty officers (待核实, ``yuqing.cases.verification``); an
official reply on the board is evidence of a response."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classifier.candidates import Candidate
from classifier.events import EventMatch
from classifier.heat import heat_score
from classifier.incidents import IncidentFacts, figure_text
from classifier.labelling import severity_label
from classifier.masking import mask_pii
from classifier.severity import SeverityAssessment, combine
from domain.event_actions import EventAction, LogEntity
from response_sla import service
from response_sla.configured import SlaSetup
from response_sla.directory import Directory
from response_sla.website import is_website_error_report
from storage import models
from storage.enums import AssignmentState, EventState, OutboxKind, Severity, Verification
from storage.outbox import notify
from yuqing.cases import verification
from yuqing.cases.assignments import apply_routing, follow_routing, route_event
from yuqing.cases.events import aware
from yuqing.cases.labels import label_row, regrade, store_labels
from yuqing.cases.log import SYSTEM, record
from yuqing.pipeline import PostAnalysis


def post_time(post: models.Post) -> datetime:
    """When the post appeared: its own time, else when the crawler first saw it."""
    return post.published_at or post.first_seen_at


def open_event(
    session: Session,
    post: models.Post,
    analysis: PostAnalysis,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str = SYSTEM,
) -> models.Event:
    """A new event from its first post: the event row with the post's labels, the units the
    routing decision names, the windows of its grade, and for 重大 the duty office told."""
    labels = analysis.labels
    event = models.Event(
        title=post.title[:500] or post.content[:60],
        summary=mask_pii(post.content)[:300],
        started_at=post_time(post),
        first_seen_at=post.first_seen_at,
        updated_at=now,
        state=EventState.OPEN,
        topic=labels.topic.label,
        severity=Severity(labels.severity.level),
        emergency_type=labels.severity.emergency_type,
        handling=labels.handling_type,
        post_count=0,
    )
    session.add(event)
    session.flush()
    post.event_id = event.id
    store_labels(session, labels.labels(), now, event_id=event.id)
    record(session, now, actor, EventAction.CREATED, LogEntity.EVENT, event.id, event_id=event.id,
           detail={"post_id": post.id, "source_id": post.source_id,
                   "severity": labels.severity.level, "topic": labels.topic.label})
    apply_routing(session, event, analysis.routing, now, actor=actor)
    # a 网站找错 report is owed its 2-working-day reply (seed 000)
    website_error = is_website_error_report(post.title, post.content)
    service.open_clocks(session, event, now, engine, website_error=website_error, actor=actor)
    if event.severity.is_major:
        announce_major(session, event, now)
    elif labels.candidate is not None:
        verification.request(session, event, labels.candidate, post, now, actor=actor)
    return event


def join(
    session: Session,
    event: models.Event,
    post: models.Post,
    match: EventMatch,
    now: datetime,
    *,
    incident: IncidentFacts | None = None,
    actor: str = SYSTEM,
) -> None:
    """The post joins the event; the log row keeps why, and the figures the post tells."""
    post.event_id = event.id
    session.flush()
    detail: dict[str, object] = {"similarity": round(match.similarity, 3)}
    if incident is not None and incident.figures:
        # what the joined post tells now ("死亡 13 人"), shown on the event's timeline
        detail["figures"] = figure_text(incident.figures)
    record(session, now, actor, EventAction.POST_JOINED, LogEntity.POST, post.id,
           event_id=event.id, detail=detail, reason="; ".join(match.reasons))


def announce_major(session: Session, event: models.Event, now: datetime) -> None:
    """新 特别重大 / 重大: to the duty contacts, named by role so the directory in force when
    it is sent decides who they are. Once per event: a 待核实 alert was it, unless a duty
    officer dismissed that question and the facts have made the event a major since."""
    key = verification.alert_key(event.id)
    if event.verification is Verification.DISMISSED:
        # the one alert went out as 待核实 and was dismissed: the facts now make it a major
        key += ":after-dismissal"
    notify(session, OutboxKind.NEW_MAJOR_EVENT, key, now,
           event_id=event.id, payload={"severity": event.severity.value}, recipients=["duty"])


def refresh(
    session: Session,
    event: models.Event,
    severity: SeverityAssessment,
    now: datetime,
    engine: SlaSetup,
    directory: Directory,
    *,
    candidate: Candidate | None = None,
    post: models.Post | None = None,
    actor: str = SYSTEM,
) -> bool:
    """Counts, heat and severity of the event after a post joined or changed; True when the
    severity went up. It only goes up here: lowering it is a person's decision. A raise to
    重大 routes the event as that grade would (the emergency's lead unit, the coordinators),
    opens the windows the grade adds and tells the duty office, once per event. The post's
    ``candidate`` (a major figure a cue lowered) puts the event to the duty officers unless its
    grade is that high already."""
    stats = session.execute(
        select(func.count(models.Post.id), func.count(func.distinct(models.Post.source_id)),
               func.coalesce(func.sum(models.Post.replies), 0),
               func.coalesce(func.sum(models.Post.likes), 0),
               func.min(func.coalesce(models.Post.published_at, models.Post.first_seen_at)),
               func.max(func.coalesce(models.Post.published_at, models.Post.first_seen_at)))
        .where(models.Post.event_id == event.id)
    ).one()
    count, boards, replies, likes, first, last = stats
    span = (aware(last) - aware(first)).total_seconds() / 3600 if first and last else 0.0
    event.post_count = int(count)
    event.heat = heat_score(posts=int(count), boards=int(boards), replies=int(replies),
                            likes=int(likes), span_hours=max(span, 0.0))
    event.updated_at = now
    current = SeverityAssessment(event.severity.value, event.emergency_type, 0.0, {}, "")
    combined = combine([current, severity], heat=event.heat)
    new = Severity(combined.level)
    if new.rank <= event.severity.rank or event.state is not EventState.OPEN:
        if candidate is not None and event.state is EventState.OPEN:
            verification.request(session, event, candidate, post, now, actor=actor)
        return False
    was_emergency = event.severity is not Severity.ROUTINE
    event.emergency_type = combined.emergency_type or event.emergency_type
    if not was_emergency:
        event.handling = None  # an emergency has no handling type (建言 / 咨询 / 投诉)
    session.add(label_row(severity_label(combined), now, event_id=event.id))
    regrade(session, event, new, now, engine, actor=actor)
    if new.is_major:
        follow_routing(session, event, route_event(session, event, directory), now, engine,
                       actor=actor, reason=f"升级为{new.value}")
        announce_major(session, event, now)
    if candidate is not None:
        verification.request(session, event, candidate, post, now, actor=actor)
    return True


def record_board_reply(
    session: Session, post: models.Post, now: datetime, engine: SlaSetup
) -> bool:
    """The board's official reply, once the crawler finds it, closes the windows it answers;
    True when it closed one. A reply signed by a unit the event is assigned to is that unit's
    签收 as well: it has plainly received the case."""
    closed = service.record_board_reply(session, post, now, engine)
    if post.event_id is None or post.reply_at is None or not (post.reply_content or "").strip():
        return bool(closed)
    a = _replying_assignment(session, post.event_id, post.reply_org or "")
    if a is not None and a.acknowledged_at is None:
        reply_at = aware(post.reply_at)
        a.acknowledged_at = reply_at
        if a.state is AssignmentState.ASSIGNED:
            a.state = AssignmentState.ACKNOWLEDGED
        session.flush()
        closed += service.acknowledge(session, a, now, engine, SYSTEM, at=reply_at)
        record(session, now, SYSTEM, EventAction.ACKNOWLEDGED, LogEntity.ASSIGNMENT, a.id,
               event_id=a.event_id, unit_id=a.unit_id, detail={"evidence": "board_reply"},
               reason=f"以留言板公开答复签收（{post.reply_org}）")
    return bool(closed)


def _replying_assignment(
    session: Session, event_id: int, org: str
) -> models.Assignment | None:
    """The active assignment of the unit that signed a board reply (回复单位), by the unit's
    full name, short names or aliases."""
    org = org.strip()
    if not org:
        return None
    best: tuple[int, models.Assignment] | None = None
    for a in service.active_assignments(session, event_id):
        unit = session.get(models.Unit, a.unit_id)
        if unit is None:
            continue
        names = [str(n) for n in (unit.name, *(unit.names or [])) if n]
        hits = [len(n) for n in names if n == org or (len(n) >= 3 and n in org)]
        if hits and (best is None or max(hits) > best[0]):
            best = (max(hits), a)
    return best[1] if best else None
