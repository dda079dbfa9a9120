"""What people do through the dashboard. Each function changes the database in the caller's
transaction and writes the audit log. Deadlines move only through the SLA engine
(``response_sla.service``), which writes its own ``event_log`` and outbox rows for every clock
it touches; the functions here add the rows for what the engine does not see (assignments,
labels, notes, merges). Callers (the HTTP routes) have already checked the person may act on
the object; these functions check that the action makes sense for the object's current state.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.vocabulary import TOPICS
from response_sla import service
from response_sla.configured import SlaSetup
from response_sla.errors import TransitionRefused
from response_sla.evidence import Evidence
from response_sla.policy import Policy
from response_sla.store import ConcurrentChange
from storage import models
from storage.enums import (
    AssignmentRole,
    AssignmentState,
    EventState,
    OutboxKind,
    ReviewStatus,
    Role,
    Severity,
)
from storage.outbox import notify
from yuqing.web.deadlines import DeadlineView
from yuqing.web.formatting import http_url

# The 人民网 board's own handling types (typeName), which the classifier predicts.
HANDLING_LABELS: tuple[str, ...] = ("建言", "咨询", "投诉/求助")
# The classifier's flag for suspected false information (不实信息), confirmed or cleared here.
RUMOUR_FLAG = "不实信息"
RUMOUR_CLEAR = "非不实信息"
RUMOUR_LABELS: tuple[str, ...] = (RUMOUR_FLAG, RUMOUR_CLEAR)
REVIEW_KINDS = ("topic", "severity", "handling", "rumour")
EVENT_COLUMNS = ("topic", "severity", "handling")  # labels stored on the event row itself
HUMAN_MODEL = "human"
# Milestones a duty officer records with evidence (seed 001 (七)4); names as the SLA policy's.
MILESTONES = {
    "publish": "发布权威信息",
    "press": "召开新闻发布会",
    "respond": "予以回应",
    "resolve": "办结",
}
# What a unit's response form may report (办结 is its own checkbox).
UNIT_MILESTONES = ("respond", "publish", "press")


class ActionError(ValueError):
    """The action does not apply to the object in its current state; shown to the person."""


@dataclass(frozen=True)
class Actor:
    label: str  # "user:3", or "unit:jyj" for a signed link
    role: Role
    user_id: int | None = None
    unit_id: str | None = None
    ip: str | None = None


def audit(
    session: Session, actor: Actor, action: str, target: str, detail: dict[str, Any], now: datetime
) -> None:
    session.add(
        models.AuditLog(
            at=now,
            user_id=actor.user_id,
            actor=actor.label,
            action=action,
            target=target,
            detail=detail,
            ip=actor.ip,
        )
    )


def log_event(
    session: Session,
    actor: Actor,
    now: datetime,
    event_id: int | None,
    entity: str,
    entity_id: int | None,
    action: str,
    *,
    unit_id: str | None = None,
    detail: dict[str, Any] | None = None,
    reason: str | None = None,
) -> models.EventLog:
    row = models.EventLog(
        at=now,
        actor=actor.label,
        event_id=event_id,
        entity=entity,
        entity_id=entity_id,
        action=action,
        unit_id=unit_id,
        detail=detail or {},
        reason=reason,
    )
    session.add(row)
    return row


def _clean(text: str | None, limit: int = 4000) -> str:
    return (text or "").strip()[:limit]


@contextmanager
def engine_refusals() -> Iterator[None]:
    """The SLA engine's refusals, shown to the person like any other refused action."""
    try:
        yield
    except TransitionRefused as exc:
        raise ActionError(str(exc)) from exc
    except ConcurrentChange as exc:
        raise ActionError("时限刚被其他操作更新，请刷新页面后重试") from exc


def open_clocks(
    session: Session, actor: Actor, event: models.Event, sla: SlaSetup, now: datetime
) -> list[int]:
    """The windows the event is owed and lacks (after a split or a new assignment)."""
    with engine_refusals():
        return service.open_clocks(session, event, now, sla, actor=actor.label)


# ---------------------------------------------------------------- duty officer: labels


def valid_labels(kind: str) -> tuple[str, ...]:
    if kind == "topic":
        return TOPICS
    if kind == "severity":
        return tuple(s.value for s in Severity)
    if kind == "handling":
        return HANDLING_LABELS
    if kind == "rumour":
        return RUMOUR_LABELS
    raise ActionError(f"未知的标签类型: {kind}")


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


def review_label(
    session: Session,
    actor: Actor,
    event: models.Event,
    kind: str,
    label: str,
    note: str,
    now: datetime,
    sla: SlaSetup,
) -> models.Classification:
    """Confirm (same label) or correct (new label) the event's topic, severity, handling type
    or rumour flag. The row is kept as a human label (status confirmed / corrected) for
    retraining; a corrected severity moves the deadlines through the SLA engine."""
    if label not in valid_labels(kind):
        raise ActionError(f"无效的{kind}标签: {label}")
    old_value = current_label(session, event, kind)
    status = ReviewStatus.CONFIRMED if old_value == label else ReviewStatus.CORRECTED
    reason = _clean(note) or None
    row = models.Classification(
        event_id=event.id,
        kind=kind,
        label=label,
        score=None,
        model_version=HUMAN_MODEL,
        evidence={"previous": old_value, "note": _clean(note)},
        needs_review=False,
        status=status,
        reviewed_by=actor.user_id,
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
    if status is ReviewStatus.CORRECTED:
        event.updated_at = now
        if kind == "severity":
            old = event.severity
            event.severity = Severity(label)
            session.flush()
            with engine_refusals():  # logs severity_changed with the note
                service.on_severity_change(
                    session, event, old, now, sla, actor=actor.label, reason=reason
                )
        else:
            if kind in EVENT_COLUMNS:
                setattr(event, kind, label)
            log_event(
                session,
                actor,
                now,
                event.id,
                "event",
                event.id,
                f"{kind}_changed",
                detail={"from": old_value, "to": label},
                reason=reason,
            )
    else:
        log_event(
            session,
            actor,
            now,
            event.id,
            "event",
            event.id,
            f"{kind}_confirmed",
            detail={"label": label},
            reason=reason,
        )
    action = f"{kind}_{status.value}"
    audit(session, actor, action, f"event:{event.id}", {"from": old_value, "to": label}, now)
    return row


def mark_not_relevant(
    session: Session, actor: Actor, event: models.Event, reason: str, now: datetime, sla: SlaSetup
) -> None:
    if event.state in (EventState.NOT_RELEVANT, EventState.MERGED):
        raise ActionError("该事件已不在处置中")
    old = event.state
    event.state = EventState.NOT_RELEVANT
    event.updated_at = now
    session.add(
        models.Classification(
            event_id=event.id,
            kind="relevance",
            label="not_relevant",
            model_version=HUMAN_MODEL,
            evidence={"note": _clean(reason)},
            status=ReviewStatus.CORRECTED,
            reviewed_by=actor.user_id,
            reviewed_at=now,
            created_at=now,
        )
    )
    _drop(session, actor, event, "not_relevant", now, sla)
    log_event(
        session,
        actor,
        now,
        event.id,
        "event",
        event.id,
        "marked_not_relevant",
        detail={"from": old.value},
        reason=_clean(reason) or None,
    )
    audit(session, actor, "mark_not_relevant", f"event:{event.id}", {"reason": _clean(reason)}, now)


def _drop(
    session: Session, actor: Actor, event: models.Event, why: str, now: datetime, sla: SlaSetup
) -> None:
    """The event leaves the process (not relevant, merged away): every clock stops and no unit
    holds it any more."""
    session.flush()
    with engine_refusals():
        service.cancel_event_clocks(session, event.id, now, sla, actor=actor.label, reason=why)
    for a in active_assignments(session, event.id):
        a.active = False
        a.released_at = now


# ---------------------------------------------------------------- duty officer: routing


active_assignments = service.active_assignments


def _unit_exists(session: Session, unit_id: str) -> bool:
    return (
        session.scalar(
            select(func.count())
            .select_from(models.Unit)
            .where(models.Unit.id == unit_id, models.Unit.active.is_(True))
        )
        == 1
    )


def _new_assignment(
    session: Session,
    actor: Actor,
    event: models.Event,
    unit_id: str,
    role: AssignmentRole,
    reason: str,
    now: datetime,
    cycle: int = 1,
) -> models.Assignment:
    """A new assignment and its 交办 notice; the caller opens its clocks (``open_clocks``)
    once the lead unit is settled."""
    a = models.Assignment(
        event_id=event.id,
        unit_id=unit_id,
        role=role,
        state=AssignmentState.ASSIGNED,
        active=True,
        cycle=cycle,
        reasons=[{"rule": "manual", "by": actor.label, "reason": reason}],
        confidence=None,
        assigned_at=now,
    )
    session.add(a)
    session.flush()
    notify(
        session,
        OutboxKind.ASSIGNMENT,
        f"assignment:{a.id}",
        now,
        event_id=event.id,
        unit_id=unit_id,
        payload={"role": role.value},
    )
    log_event(
        session,
        actor,
        now,
        event.id,
        "assignment",
        a.id,
        "assigned",
        unit_id=unit_id,
        detail={"role": role.value},
        reason=reason or None,
    )
    return a


def _withdraw(
    session: Session,
    actor: Actor,
    a: models.Assignment,
    to_unit: str | None,
    reason: str,
    now: datetime,
    sla: SlaSetup,
) -> None:
    """The unit stops holding the case: its own clocks stop; the event's clocks it held pass
    to ``to_unit`` with their deadlines unchanged (the engine records who held them when)."""
    with engine_refusals():
        service.release_assignment(
            session, a, now, sla, actor=actor.label, reason=reason or "改派", to_unit=to_unit
        )
    a.active = False
    a.state = AssignmentState.REASSIGNED
    a.released_at = now
    notify(
        session,
        OutboxKind.REASSIGNMENT,
        f"reassignment:{a.id}",
        now,
        event_id=a.event_id,
        unit_id=a.unit_id,
        payload={"from": a.unit_id, "to": to_unit},
    )
    log_event(
        session,
        actor,
        now,
        a.event_id,
        "assignment",
        a.id,
        "reassigned",
        unit_id=a.unit_id,
        detail={"to": to_unit},
        reason=reason or None,
    )


def reassign(
    session: Session,
    actor: Actor,
    event: models.Event,
    lead_unit: str,
    co_units: list[str],
    reason: str,
    now: datetime,
    sla: SlaSetup,
) -> None:
    """Set the lead (牵头) unit and the co-units (配合); the dispatcher's ruling is final."""
    reason = _clean(reason)
    co = [u for u in dict.fromkeys(co_units) if u and u != lead_unit]
    for unit_id in [lead_unit, *co]:
        if not _unit_exists(session, unit_id):
            raise ActionError(f"未知单位: {unit_id}")
    current = active_assignments(session, event.id)
    lead_now = [a for a in current if a.role is AssignmentRole.LEAD]
    co_now = {a.unit_id: a for a in current if a.role is AssignmentRole.CO}
    changed: dict[str, Any] = {}
    if not lead_now or lead_now[0].unit_id != lead_unit:
        for a in lead_now:
            _withdraw(session, actor, a, lead_unit, reason, now, sla)
        cycle = max((a.cycle for a in lead_now), default=1)
        if lead_unit in co_now:  # promoted from co-unit
            _withdraw(session, actor, co_now.pop(lead_unit), lead_unit, reason, now, sla)
        _new_assignment(session, actor, event, lead_unit, AssignmentRole.LEAD, reason, now, cycle)
        changed["lead"] = {"from": lead_now[0].unit_id if lead_now else None, "to": lead_unit}
    removed = [u for u in co_now if u not in co]
    added = [u for u in co if u not in co_now]
    for u in removed:
        _withdraw(session, actor, co_now[u], None, reason, now, sla)
    for u in added:
        _new_assignment(session, actor, event, u, AssignmentRole.CO, reason, now)
    if removed or added:
        changed["co"] = {"added": added, "removed": removed}
    if not changed:
        raise ActionError("分派没有变化")
    event.lead_unit_id = lead_unit
    event.updated_at = now
    open_clocks(session, actor, event, sla, now)
    audit(session, actor, "reassign", f"event:{event.id}", {**changed, "reason": reason}, now)


def rule_on_return(
    session: Session,
    actor: Actor,
    assignment: models.Assignment,
    approve: bool,
    new_unit: str | None,
    reason: str,
    now: datetime,
    sla: SlaSetup,
) -> None:
    """退单裁定: approve (optionally naming who takes it instead) or refuse (the unit keeps it).
    The clocks keep running either way; on approval they pass to the new unit."""
    if assignment.state is not AssignmentState.RETURNED or not assignment.active:
        raise ActionError("该分派没有待裁定的退单")
    reason = _clean(reason)
    event = session.get(models.Event, assignment.event_id)
    assert event is not None
    if approve:
        if new_unit and (new_unit == assignment.unit_id or not _unit_exists(session, new_unit)):
            raise ActionError("请选择另一个有效单位")
        lead = assignment.role is AssignmentRole.LEAD
        _withdraw(session, actor, assignment, new_unit if lead else None, reason, now, sla)
        if new_unit:
            _new_assignment(
                session, actor, event, new_unit, assignment.role, reason, now, assignment.cycle
            )
        if lead:
            event.lead_unit_id = new_unit or None
        open_clocks(session, actor, event, sla, now)
    else:
        assignment.state = (
            AssignmentState.ACKNOWLEDGED if assignment.acknowledged_at else AssignmentState.ASSIGNED
        )
    decision = "approved" if approve else "refused"
    notify(
        session,
        OutboxKind.RETURN_DECISION,
        f"return_decision:{assignment.id}:{now.isoformat()}",
        now,
        event_id=assignment.event_id,
        unit_id=assignment.unit_id,
        payload={"decision": decision, "reason": reason, "new_deadline_at": None},
    )
    log_event(
        session,
        actor,
        now,
        assignment.event_id,
        "assignment",
        assignment.id,
        f"return_{decision}",
        unit_id=assignment.unit_id,
        detail={"new_unit": new_unit} if approve else {},
        reason=reason or None,
    )
    event.updated_at = now
    audit(
        session,
        actor,
        f"return_{decision}",
        f"assignment:{assignment.id}",
        {"new_unit": new_unit, "reason": reason},
        now,
    )


# ---------------------------------------------------------------- duty officer: clocks


def record_milestone(
    session: Session,
    actor: Actor,
    event: models.Event,
    kind: str,
    url: str,
    at: datetime,
    note: str,
    now: datetime,
    sla: SlaSetup,
) -> list[int]:
    """A milestone with its evidence — the URL of the 权威信息 or of the 发布会 notice, or the
    response text — closes the windows it satisfies (on time if ``at`` is by the deadline).
    Returns the ids of the windows closed."""
    if kind not in MILESTONES:
        raise ActionError(f"未知的节点: {kind}")
    link = http_url(url.strip()) if url.strip() else None
    if url.strip() and link is None:
        raise ActionError("证据链接必须是 http(s) 地址")
    if at > now:
        raise ActionError("完成时间不能晚于现在")
    body = _clean(note)
    if link:
        evidence = Evidence.from_url(kind, link, at, actor.label, note=body)
    elif body:
        evidence = Evidence.from_text(kind, body, at, actor.label)
    else:
        raise ActionError("请提供证据：链接或回应内容")
    session.flush()
    with engine_refusals():
        closed = service.record_milestone(session, event.id, evidence, now, sla)
    # the evidence itself, whether or not a window was still open for it (e.g. a follow-up
    # publication); the engine logs each window it closed
    log_event(
        session,
        actor,
        now,
        event.id,
        "event",
        event.id,
        "milestone",
        detail={"kind": kind, "at": at.isoformat(), "url": link, "deadlines": closed},
        reason=body or None,
    )
    event.updated_at = now
    audit(session, actor, "milestone", f"event:{event.id}", {"kind": kind, "url": link}, now)
    return closed


def reopen(
    session: Session,
    actor: Actor,
    event: models.Event,
    reason: str,
    now: datetime,
    sla: SlaSetup,
) -> list[int]:
    """重办 when the response is rejected: a new cycle of every reopenable window, counted
    from now; the units sign for it again. The old cycle stays as history."""
    if event.state in (EventState.NOT_RELEVANT, EventState.MERGED):
        raise ActionError("该事件已不在处置中")
    body = _clean(reason)
    if not body:
        raise ActionError("请说明重办理由")
    session.flush()
    with engine_refusals():
        opened = service.reopen_event(session, event, now, sla, actor=actor.label, reason=body)
    for a in active_assignments(session, event.id):
        if a.state is AssignmentState.RETURNED:
            continue  # the 退单 still awaits a ruling
        a.cycle += 1
        a.state = AssignmentState.ASSIGNED
        notify(
            session,
            OutboxKind.ASSIGNMENT,
            f"assignment:{a.id}:cycle:{a.cycle}",
            now,
            event_id=event.id,
            unit_id=a.unit_id,
            payload={"role": a.role.value, "reopened": True, "cycle": a.cycle},
        )
        log_event(
            session,
            actor,
            now,
            event.id,
            "assignment",
            a.id,
            "assignment_reopened",
            unit_id=a.unit_id,
            detail={"cycle": a.cycle},
            reason=body,
        )
    event.updated_at = now
    audit(session, actor, "reopen", f"event:{event.id}", {"reason": body, "opened": opened}, now)
    return opened


def pending_extensions(session: Session, event_id: int) -> list[models.EventLog]:
    """Extension requests not yet ruled on (the engine logs requests and rulings)."""
    rows = session.scalars(
        select(models.EventLog)
        .where(
            models.EventLog.event_id == event_id,
            models.EventLog.action.in_(
                ("extension_requested", "extension_approved", "extension_refused")
            ),
        )
        .order_by(models.EventLog.at, models.EventLog.id)
    ).all()
    open_: dict[int, models.EventLog] = {}
    for r in rows:
        if r.action == "extension_requested":
            open_[r.id] = r
        else:
            open_.pop(int(r.detail.get("request_id", -1)), None)
    return list(open_.values())


def rule_on_extension(
    session: Session,
    actor: Actor,
    event: models.Event,
    request_id: int,
    approve: bool,
    reason: str,
    now: datetime,
    sla: SlaSetup,
) -> None:
    """延期裁定. Approval moves the deadline; the original stays visible. The engine logs the
    ruling and writes the notice to the unit."""
    request = next((r for r in pending_extensions(session, event.id) if r.id == request_id), None)
    if request is None:
        raise ActionError("没有这条待裁定的延期申请")
    reason = _clean(reason)
    session.flush()
    with engine_refusals():
        after = service.decide_extension(
            session, request.id, approve, now, sla, actor=actor.label, reason=reason
        )
    decision = "approved" if approve else "refused"
    event.updated_at = now
    audit(
        session,
        actor,
        f"extension_{decision}",
        f"deadline:{after.id}",
        {
            "request_id": request.id,
            "to": after.clock.deadline_at.isoformat() if approve else None,
            "reason": reason,
        },
        now,
    )


# ---------------------------------------------------------------- duty officer: events


def _recount(session: Session, event: models.Event) -> None:
    count, first = session.execute(
        select(
            func.count(models.Post.id),
            func.min(func.coalesce(models.Post.published_at, models.Post.first_seen_at)),
        ).where(models.Post.event_id == event.id)
    ).one()
    event.post_count = int(count or 0)
    if first is not None:
        # UTCDateTime is not applied to an aggregate over coalesce: normalise here
        event.started_at = _aware(first)


def _aware(value: Any) -> datetime:
    from datetime import UTC

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    assert isinstance(value, datetime)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def _restart(
    session: Session, actor: Actor, event: models.Event, why: str, now: datetime, sla: SlaSetup
) -> None:
    """The earliest post moved: windows counted from the first public appearance follow."""
    session.flush()
    with engine_refusals():
        service.restart_windows(session, event, now, sla, actor=actor.label, reason=why)


def merge_events(
    session: Session,
    actor: Actor,
    event: models.Event,
    target: models.Event,
    reason: str,
    now: datetime,
    sla: SlaSetup,
) -> None:
    """Fold ``event`` into ``target``: posts move, ``event`` is closed as merged and its clocks
    stop. The target's windows count from the earliest post of both."""
    if event.id == target.id:
        raise ActionError("不能合并到自身")
    if target.state is EventState.MERGED or event.state is EventState.MERGED:
        raise ActionError("已合并的事件不能再合并")
    moved = [
        p.id for p in session.scalars(select(models.Post).where(models.Post.event_id == event.id))
    ]
    for p in session.scalars(select(models.Post).where(models.Post.id.in_(moved))):
        p.event_id = target.id
    session.flush()
    old_start = target.started_at
    _recount(session, target)
    target.heat = max(target.heat, event.heat)
    target.updated_at = now
    event.state = EventState.MERGED
    event.merged_into_id = target.id
    event.post_count = 0
    event.updated_at = now
    _drop(session, actor, event, f"merged into event {target.id}", now, sla)
    if target.started_at != old_start:
        _restart(session, actor, target, f"merged from event {event.id}", now, sla)
    log_event(
        session,
        actor,
        now,
        event.id,
        "event",
        event.id,
        "merged",
        detail={"into": target.id, "posts": moved},
        reason=_clean(reason) or None,
    )
    log_event(
        session,
        actor,
        now,
        target.id,
        "event",
        target.id,
        "merged_from",
        detail={"from": event.id, "posts": moved},
        reason=_clean(reason) or None,
    )
    audit(session, actor, "merge", f"event:{event.id}", {"into": target.id, "posts": moved}, now)


def split_event(
    session: Session,
    actor: Actor,
    event: models.Event,
    post_ids: list[int],
    title: str,
    now: datetime,
    sla: SlaSetup,
) -> models.Event:
    """Move some posts into a new event with the same labels; its windows count from its own
    earliest post and it is routed to the same lead unit until someone says otherwise."""
    posts = list(
        session.scalars(
            select(models.Post).where(
                models.Post.event_id == event.id, models.Post.id.in_(post_ids)
            )
        )
    )
    remaining = session.scalar(
        select(func.count()).select_from(models.Post).where(models.Post.event_id == event.id)
    )
    if not posts:
        raise ActionError("请选择要拆分出去的帖子")
    if len(posts) >= (remaining or 0):
        raise ActionError("至少要留一条帖子在原事件中")
    first = min((p.published_at or p.first_seen_at) for p in posts)
    website_error = service.is_website_error(session, event.id, sla)
    new = models.Event(
        title=_clean(title, 500) or posts[0].title or event.title,
        summary="",
        started_at=first,
        first_seen_at=min(p.first_seen_at for p in posts),
        updated_at=now,
        state=EventState.OPEN,
        topic=event.topic,
        severity=event.severity,
        emergency_type=event.emergency_type,
        handling=event.handling,
        heat=0.0,
        post_count=len(posts),
        lead_unit_id=event.lead_unit_id,
    )
    session.add(new)
    session.flush()
    for p in posts:
        p.event_id = new.id
    session.flush()
    old_start = event.started_at
    _recount(session, event)
    event.updated_at = now
    if event.lead_unit_id:
        _new_assignment(
            session,
            actor,
            new,
            event.lead_unit_id,
            AssignmentRole.LEAD,
            f"拆分自事件 {event.id}",
            now,
        )
    session.flush()
    with engine_refusals():
        service.open_clocks(
            session, new, now, sla, website_error=website_error, actor=actor.label
        )
    if event.started_at != old_start:
        _restart(session, actor, event, f"split into event {new.id}", now, sla)
    moved = [p.id for p in posts]
    log_event(
        session,
        actor,
        now,
        event.id,
        "event",
        event.id,
        "split",
        detail={"new_event": new.id, "posts": moved},
    )
    log_event(
        session,
        actor,
        now,
        new.id,
        "event",
        new.id,
        "split_from",
        detail={"from": event.id, "posts": moved},
    )
    audit(session, actor, "split", f"event:{event.id}", {"new_event": new.id, "posts": moved}, now)
    return new


def add_note(session: Session, actor: Actor, event: models.Event, text: str, now: datetime) -> None:
    body = _clean(text)
    if not body:
        raise ActionError("备注不能为空")
    log_event(session, actor, now, event.id, "event", event.id, "note", reason=body)
    audit(session, actor, "note", f"event:{event.id}", {"length": len(body)}, now)


# ---------------------------------------------------------------- units


def acknowledge(
    session: Session, actor: Actor, a: models.Assignment, now: datetime, sla: SlaSetup
) -> None:
    if a.state is not AssignmentState.ASSIGNED:
        raise ActionError("该案件已签收")
    a.state = AssignmentState.ACKNOWLEDGED
    a.acknowledged_at = now
    session.flush()
    with engine_refusals():
        service.acknowledge(session, a, now, sla, actor.label)
    log_event(
        session, actor, now, a.event_id, "assignment", a.id, "acknowledged", unit_id=a.unit_id
    )
    audit(session, actor, "acknowledge", f"assignment:{a.id}", {}, now)


def respond(
    session: Session,
    actor: Actor,
    a: models.Assignment,
    text: str,
    url: str,
    now: datetime,
    sla: SlaSetup,
    *,
    milestone: str = "respond",
    resolved: bool = False,
) -> list[int]:
    """The unit's response (text and/or the URL of what it published) as the milestone it
    is — a response, the 权威信息 published, the 发布会 held; ``resolved`` reports the case
    办结 as well. Returns the ids of the windows it closed."""
    if milestone not in UNIT_MILESTONES:
        raise ActionError(f"未知的节点: {milestone}")
    if a.state not in (
        AssignmentState.ASSIGNED,
        AssignmentState.ACKNOWLEDGED,
        AssignmentState.RESPONDED,
    ):
        raise ActionError("该案件当前不能提交回应")
    body = _clean(text)
    link = http_url(url.strip()) if url.strip() else None
    if url.strip() and link is None:
        raise ActionError("回应链接必须是 http(s) 地址")
    if not body and not link:
        raise ActionError("请填写回应内容或链接")
    session.flush()
    closed: list[int] = []
    with engine_refusals():
        for m in (milestone, "resolve") if resolved else (milestone,):
            closed += service.record_response(
                session, a, now, sla, actor.label, text=body, url=link or "", milestone=m
            )
    if a.acknowledged_at is None:  # responding implies having received it
        a.acknowledged_at = now
    a.state = AssignmentState.CLOSED if resolved else AssignmentState.RESPONDED
    a.responded_at = now
    a.response_text = body or None
    a.response_url = link
    log_event(
        session,
        actor,
        now,
        a.event_id,
        "assignment",
        a.id,
        "resolved" if resolved else "responded",
        unit_id=a.unit_id,
        detail={"milestone": milestone, "url": link, "deadlines": closed},
        reason=body[:500] or None,
    )
    audit(
        session,
        actor,
        "resolve" if resolved else "respond",
        f"assignment:{a.id}",
        {"url": link},
        now,
    )
    return closed


def unit_milestones(
    a: models.Assignment, shown: Sequence[DeadlineView], policy: Policy
) -> dict[str, str]:
    """The milestones a unit's response can be: always 予以回应; for the lead unit also
    发布权威信息 / 召开新闻发布会 while such a window of the event is open."""
    out = {"respond": MILESTONES["respond"]}
    if a.role is not AssignmentRole.LEAD:
        return out
    for d in shown:
        kind = policy.kinds.get(d.kind)
        if d.is_open and d.assignment_id is None and kind is not None:
            for m in UNIT_MILESTONES:
                if m in kind.met_by:
                    out[m] = MILESTONES[m]
    return {m: out[m] for m in UNIT_MILESTONES if m in out}


def held_deadline(
    session: Session, a: models.Assignment, deadline_id: int
) -> models.Deadline | None:
    """A deadline the assignment's unit holds: its own, or one of the event's it leads."""
    d = session.get(models.Deadline, deadline_id)
    if d is None or d.event_id != a.event_id:
        return None
    if d.assignment_id == a.id or (d.assignment_id is None and d.unit_id == a.unit_id):
        return d
    return None


def request_extension(
    session: Session,
    actor: Actor,
    a: models.Assignment,
    deadline_id: int,
    until: datetime,
    reason: str,
    now: datetime,
    sla: SlaSetup,
) -> int:
    """延期申请: before the deadline, with a reason, within the policy's cap; the duty officer
    rules on it. Returns the request's id (its event_log row, written by the engine)."""
    deadline = held_deadline(session, a, deadline_id)
    if deadline is None:
        raise ActionError("时限不存在")
    body = _clean(reason)
    if not body:
        raise ActionError("请说明延期理由")
    if any(r.entity_id == deadline.id for r in pending_extensions(session, a.event_id)):
        raise ActionError("已有待裁定的延期申请")
    session.flush()
    with engine_refusals():
        request_id = service.request_extension(
            session, deadline.id, until, now, sla, actor=actor.label, reason=body
        )
    audit(
        session,
        actor,
        "request_extension",
        f"deadline:{deadline.id}",
        {"until": until.isoformat(), "request_id": request_id},
        now,
    )
    return request_id


def return_case(
    session: Session,
    actor: Actor,
    a: models.Assignment,
    reason: str,
    now: datetime,
    sla: SlaSetup,
) -> None:
    """退单 with a reason, within the policy's limit; the clock does not stop while it
    bounces. The engine logs the request; the duty officer rules on it."""
    if a.state not in (AssignmentState.ASSIGNED, AssignmentState.ACKNOWLEDGED):
        raise ActionError("该案件当前不能退单")
    body = _clean(reason)
    if not body:
        raise ActionError("请说明退单理由")
    session.flush()
    with engine_refusals():
        service.return_case(session, a, now, sla, actor=actor.label, reason=body)
    a.state = AssignmentState.RETURNED
    a.returned_at = now
    a.return_reason = body
    audit(session, actor, "return", f"assignment:{a.id}", {"reason": body}, now)
