"""What people do through the dashboard. Each function checks the form's values, asks the
case service (``yuqing.cases``) to make the change in the caller's transaction, and writes the
audit row. Callers (the HTTP routes) have already checked the person may act on the object;
the case service checks that the change applies to the object as it stands, and its refusals
and the SLA engine's are shown to the person as ``ActionError``.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from response_sla.configured import SlaSetup
from response_sla.directory import Directory
from response_sla.errors import TransitionRefused
from response_sla.evidence import Evidence
from response_sla.policy import Policy
from response_sla.store import ConcurrentChange
from storage import models
from storage.enums import AssignmentRole, Role
from yuqing.cases import assignments, clocks, events, labels, merge, units, verification
from yuqing.cases.clocks import MILESTONES
from yuqing.cases.errors import CaseError
from yuqing.cases.units import UNIT_MILESTONES
from yuqing.display import http_url
from yuqing.web.deadlines import DeadlineView


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


def _clean(text: str | None, limit: int = 4000) -> str:
    return (text or "").strip()[:limit]


@contextmanager
def refusals() -> Iterator[None]:
    """The case service's and the SLA engine's refusals, shown like any refused action."""
    try:
        yield
    except (CaseError, TransitionRefused) as exc:
        raise ActionError(str(exc)) from exc
    except ConcurrentChange as exc:
        raise ActionError("时限刚被其他操作更新，请刷新页面后重试") from exc


def _unit_exists(session: Session, unit_id: str) -> bool:
    found = session.scalar(
        select(func.count())
        .select_from(models.Unit)
        .where(models.Unit.id == unit_id, models.Unit.active.is_(True))
    )
    return found == 1


def _link(url: str, what: str) -> str | None:
    """The URL given as evidence, or None when none was given; refused unless http(s)."""
    link = http_url(url.strip()) if url.strip() else None
    if url.strip() and link is None:
        raise ActionError(f"{what}必须是 http(s) 地址")
    return link


# ---------------------------------------------------------------- duty officer: events


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
    """Confirm or correct one of the event's labels (see ``cases.labels.review_label``)."""
    with refusals():
        row = labels.review_label(
            session, event, kind, label, _clean(note), now, sla,
            actor=actor.label, reviewer=actor.user_id,
        )
    detail = {"from": row.evidence["previous"], "to": label}
    audit(session, actor, f"{kind}_{row.status.value}", f"event:{event.id}", detail, now)
    return row


def confirm_verification(
    session: Session,
    actor: Actor,
    event: models.Event,
    note: str,
    now: datetime,
    sla: SlaSetup,
    directory: Directory,
) -> str:
    """待核实 → 确认: the event takes the candidate's grade; returns the grade it has now."""
    body = _clean(note)
    with refusals():
        old = verification.confirm(session, event, body, now, sla, directory,
                                   actor=actor.label, reviewer=actor.user_id)
    detail = {"from": old.value, "to": event.severity.value, "note": body}
    audit(session, actor, "verification_confirmed", f"event:{event.id}", detail, now)
    return event.severity.label


def dismiss_verification(
    session: Session, actor: Actor, event: models.Event, reason: str, now: datetime
) -> None:
    """待核实 → 排除, with a reason: the grade in force stands."""
    body = _clean(reason)
    candidate = event.candidate_severity.value if event.candidate_severity else None
    with refusals():
        verification.dismiss(session, event, body, now, actor=actor.label,
                             reviewer=actor.user_id)
    detail = {"candidate": candidate, "reason": body}
    audit(session, actor, "verification_dismissed", f"event:{event.id}", detail, now)


def mark_not_relevant(
    session: Session, actor: Actor, event: models.Event, reason: str, now: datetime, sla: SlaSetup
) -> None:
    note = _clean(reason)
    with refusals():
        events.mark_not_relevant(
            session, event, note, now, sla, actor=actor.label, reviewer=actor.user_id
        )
    audit(session, actor, "mark_not_relevant", f"event:{event.id}", {"reason": note}, now)


def merge_events(
    session: Session,
    actor: Actor,
    event: models.Event,
    target: models.Event,
    reason: str,
    now: datetime,
    sla: SlaSetup,
) -> None:
    with refusals():
        merged = merge.merge_events(
            session, event, target, _clean(reason), now, sla, actor=actor.label
        )
    detail = {"into": target.id, "posts": merged.posts, "assignments": merged.moved}
    audit(session, actor, "merge", f"event:{event.id}", detail, now)


def split_event(
    session: Session,
    actor: Actor,
    event: models.Event,
    post_ids: list[int],
    title: str,
    now: datetime,
    sla: SlaSetup,
) -> models.Event:
    with refusals():
        new = merge.split_event(
            session, event, post_ids, _clean(title, 500), now, sla, actor=actor.label
        )
    moved = list(session.scalars(
        select(models.Post.id).where(models.Post.event_id == new.id).order_by(models.Post.id)
    ))
    audit(session, actor, "split", f"event:{event.id}", {"new_event": new.id, "posts": moved}, now)
    return new


def add_note(session: Session, actor: Actor, event: models.Event, text: str, now: datetime) -> None:
    body = _clean(text)
    with refusals():
        events.add_note(session, event, body, now, actor=actor.label)
    audit(session, actor, "note", f"event:{event.id}", {"length": len(body)}, now)


# ---------------------------------------------------------------- duty officer: routing


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
    for unit_id in [lead_unit, *(u for u in co_units if u and u != lead_unit)]:
        if not _unit_exists(session, unit_id):
            raise ActionError(f"未知单位: {unit_id}")
    with refusals():
        changed = assignments.reassign(
            session, event, lead_unit, co_units, reason, now, sla, actor=actor.label
        )
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
    """退单裁定: approve (optionally naming who takes it instead) or refuse."""
    reason = _clean(reason)
    if approve and new_unit and not _unit_exists(session, new_unit):
        raise ActionError("请选择另一个有效单位")
    with refusals():
        assignments.rule_on_return(
            session, assignment, approve, new_unit, reason, now, sla, actor=actor.label
        )
    decision = "approved" if approve else "refused"
    detail = {"new_unit": new_unit, "reason": reason}
    audit(session, actor, f"return_{decision}", f"assignment:{assignment.id}", detail, now)


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
    response text — closes the windows it satisfies. Returns the ids of the windows closed."""
    if kind not in MILESTONES:
        raise ActionError(f"未知的节点: {kind}")
    link = _link(url, "证据链接")
    if at > now:
        raise ActionError("完成时间不能晚于现在")
    body = _clean(note)
    if link:
        evidence = Evidence.from_url(kind, link, at, actor.label, note=body)
    elif body:
        evidence = Evidence.from_text(kind, body, at, actor.label)
    else:
        raise ActionError("请提供证据：链接或回应内容")
    with refusals():
        closed = clocks.record_milestone(session, event, evidence, now, sla, actor=actor.label)
    audit(session, actor, "milestone", f"event:{event.id}", {"kind": kind, "url": link}, now)
    return closed


def reopen(
    session: Session, actor: Actor, event: models.Event, reason: str, now: datetime, sla: SlaSetup
) -> list[int]:
    body = _clean(reason)
    with refusals():
        opened = clocks.reopen(session, event, body, now, sla, actor=actor.label)
    audit(session, actor, "reopen", f"event:{event.id}", {"reason": body, "opened": opened}, now)
    return opened


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
    reason = _clean(reason)
    with refusals():
        after = clocks.rule_on_extension(
            session, event, request_id, approve, reason, now, sla, actor=actor.label
        )
    detail = {
        "request_id": request_id,
        "to": after.clock.deadline_at.isoformat() if approve else None,
        "reason": reason,
    }
    decision = "approved" if approve else "refused"
    audit(session, actor, f"extension_{decision}", f"deadline:{after.id}", detail, now)


# ---------------------------------------------------------------- units


def acknowledge(
    session: Session, actor: Actor, a: models.Assignment, now: datetime, sla: SlaSetup
) -> None:
    with refusals():
        units.acknowledge(session, a, now, sla, actor=actor.label)
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
    """The unit's response; ``resolved`` reports the case 办结 as well."""
    link = _link(url, "回应链接")
    with refusals():
        closed = units.respond(
            session, a, _clean(text), link, now, sla,
            actor=actor.label, milestone=milestone, resolved=resolved,
        )
    action = "resolve" if resolved else "respond"
    audit(session, actor, action, f"assignment:{a.id}", {"url": link}, now)
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
    """延期申请; returns the request's id (its event_log row, written by the engine)."""
    with refusals():
        deadline, request_id = units.request_extension(
            session, a, deadline_id, until, _clean(reason), now, sla, actor=actor.label
        )
    detail = {"until": until.isoformat(), "request_id": request_id}
    audit(session, actor, "request_extension", f"deadline:{deadline.id}", detail, now)
    return request_id


def return_case(
    session: Session, actor: Actor, a: models.Assignment, reason: str, now: datetime, sla: SlaSetup
) -> None:
    body = _clean(reason)
    with refusals():
        units.return_case(session, a, body, now, sla, actor=actor.label)
    audit(session, actor, "return", f"assignment:{a.id}", {"reason": body}, now)
