"""The SLA engine over the database: thin wrappers that load clocks, apply a pure transition,
and store the result with its log and outbox rows in the caller's transaction.

Every function takes the caller's ``Session``, ``now`` and the engine as configured
(``SlaSetup``: policy, calendar, office close); none commits. Writes are
compare-and-set on ``deadlines.version`` (``store.ConcurrentChange`` when another writer got
there first: the caller retries or reports it). After any change that opens or closes a window,
``events.next_deadline_at`` is recomputed for the priority queue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.event_actions import EventAction, LogEntity
from response_sla import transitions as tr
from response_sla.calendar import to_shanghai
from response_sla.charging import charged_to_unit
from response_sla.clock import (
    OPEN_STATES,
    Clock,
    Transition,
    elapsed,
    next_due,
    offset,
    start_clock,
    step,
)
from response_sla.configured import SlaSetup
from response_sla.deadlines import window_end
from response_sla.errors import TransitionRefused
from response_sla.evidence import Evidence
from response_sla.office import NATURAL, OFFICE, OfficeSchedule
from response_sla.policy import KindPolicy
from response_sla.store import D as DL
from response_sla.store import (
    StoredClock,
    create,
    entity_log_rows,
    load,
    log_rows,
    move,
    outbox_rows,
    refresh_next_deadline,
    save,
)
from storage import models
from storage.enums import AssignmentRole, DeadlineState, EventState, OutboxKind, Severity
from storage.event_log import LOG, write_log
from storage.outbox import write_outbox

_OPEN = [s.value for s in OPEN_STATES]


def _store(
    session: Session,
    stored: StoredClock,
    clock: Clock,
    transitions: Sequence[Transition],
    kind: KindPolicy | None,
    now: datetime,
    actor: str,
    office: OfficeSchedule | None = None,
) -> StoredClock:
    """Save a changed clock, then run the step at ``now`` so whatever is already owed (a
    window that is past when it opens or reopens) goes out in the same transaction."""
    effects: tuple[Any, ...] = ()
    log = list(transitions)
    if kind is not None and clock.is_open:
        r = step(clock, now, kind, actor, office)
        clock, effects, log = r.clock, r.effects, [*log, *r.log]
    save(session, stored, clock)
    after = replace(stored, version=stored.version + 1, clock=clock)
    write_log(session, log_rows(after, log))
    write_outbox(session, outbox_rows(after, clock, effects, now))
    return after


def _new(
    session: Session,
    event_id: int,
    clock: Clock,
    kind: KindPolicy,
    now: datetime,
    actor: str,
    assignment_id: int | None = None,
    why: Transition | None = None,
    office: OfficeSchedule | None = None,
) -> StoredClock:
    r = step(clock, now, kind, actor, office)
    stored = create(session, event_id, r.clock, assignment_id)
    opened = why or Transition(
        now,
        actor,
        EventAction.OPENED,
        {"deadline_at": clock.deadline_at.isoformat(), "provisional": clock.provisional},
    )
    write_log(session, log_rows(stored, [opened, *r.log]))
    write_outbox(session, outbox_rows(stored, r.clock, r.effects, now))
    return stored


def clock_type(kind: KindPolicy, severity: Severity, engine: SlaSetup) -> str:
    """``office`` for a window the policy runs on office hours for ``severity`` (and office
    hours are configured), else ``natural``: what the deadline row stores in ``clock``."""
    on_office = kind.hours is not None and engine.office is not None
    return OFFICE if on_office and kind.clock_for(severity) == OFFICE else NATURAL


def _reclock(
    session: Session,
    event: models.Event,
    old: Severity,
    now: datetime,
    engine: SlaSetup,
    actor: str,
) -> None:
    """After a regrade, an open hour window whose grade now runs on another clock (a routine
    签收 of an event raised to 重大 runs round the clock) keeps the time already used and runs
    the rest on the new clock from ``now``. A window already past its end stays as it is."""
    schedule = engine.schedule
    if schedule is None:
        return
    for s in load(session, DL.c.event_id == event.id, DL.c.state.in_(_OPEN), lock=True):
        kind = engine.policy.kinds.get(s.clock.kind)
        if kind is None or kind.hours is None or s.clock.deadline_at <= now:
            continue
        new_type = clock_type(kind, event.severity, engine)
        if new_type == s.clock.clock:
            continue
        left = elapsed(s.clock, now, s.clock.deadline_at, schedule)
        moved = replace(s.clock, clock=new_type)
        end = offset(moved, now, left, schedule)
        shift = end - s.clock.deadline_at
        moved = replace(
            moved, deadline_at=end, original_deadline_at=s.clock.original_deadline_at + shift
        )
        t = Transition(
            now,
            actor,
            EventAction.RESTARTED,
            {"clock": new_type, "deadline_at": end.isoformat()},
            f"severity {old.value} -> {event.severity.value}",
        )
        _store(session, s, moved, [t], kind, now, actor, schedule)
    refresh_next_deadline(session, [event.id])


def _handling(session: Session, event: models.Event) -> str | None:
    """The board's own type of the earliest post (咨询 / 投诉/求助 / 建言), else the event's."""
    board_type = session.scalar(
        select(models.Post.board_type)
        .where(models.Post.event_id == event.id, models.Post.board_type.is_not(None))
        .order_by(models.Post.published_at, models.Post.id)
        .limit(1)
    )
    return board_type or event.handling


def active_assignments(session: Session, event_id: int) -> list[models.Assignment]:
    """The assignments that currently hold the event, oldest first."""
    return list(
        session.scalars(
            select(models.Assignment)
            .where(models.Assignment.event_id == event_id, models.Assignment.active.is_(True))
            .order_by(models.Assignment.id)
        )
    )


def is_website_error(session: Session, event_id: int, engine: SlaSetup) -> bool:
    """Whether the event is a 网站找错 report: it carries a window only such reports get."""
    kinds = [k.kind for k in engine.policy.kinds.values() if k.condition == "website_error"]
    if not kinds:
        return False
    found = session.scalar(
        select(DL.c.id).where(DL.c.event_id == event_id, DL.c.kind.in_(kinds)).limit(1)
    )
    return found is not None


def open_clocks(
    session: Session,
    event: models.Event,
    now: datetime,
    engine: SlaSetup,
    *,
    website_error: bool | None = None,
    handling: str | None = None,
    actor: str = "system",
    own_windows: bool = False,
) -> list[int]:
    """Create the deadline rows the event is owed and does not have yet. Idempotent: call it
    when the event is created and whenever it is (re)assigned. Windows anchored on the
    assignment wait for one; open event-level windows follow the current lead unit.
    ``website_error`` None: as the event's windows say (see ``is_website_error``).
    ``own_windows``: the grade or the lead has just changed, so a lead that comes to a
    running statutory window gets its own of the same length from ``now``."""
    policy, calendar, close = engine.policy, engine.calendar, engine.close
    session.flush()
    if website_error is None:
        website_error = is_website_error(session, event.id, engine)
    existing = load(session, DL.c.event_id == event.id)
    live = [s for s in existing if s.clock.state is not DeadlineState.CANCELLED]
    assignments = active_assignments(session, event.id)
    lead = next((a for a in assignments if a.role is AssignmentRole.LEAD), None)
    if handling is None:
        handling = _handling(session, event)
    created: list[int] = []
    # the milestones whose statutory window ran before this call: a unit that comes to lead
    # such an event now (an upgrade, a new lead) gets its own window of the same length
    running = {
        m
        for s in live
        if s.assignment_id is None
        and (k := policy.kinds.get(s.clock.kind)) is not None
        and not charged_to_unit(k)
        for m in k.met_by
    }
    for kind in policy.kinds.values():
        if not kind.applies(event.severity, website_error=website_error):
            continue
        if kind.scope == "event":
            if any(s.assignment_id is None and s.clock.kind == kind.kind for s in live):
                continue
            if kind.anchor == "assignment" and lead is None:
                continue
            start = lead.assigned_at if kind.anchor == "assignment" and lead else event.started_at
            end, provisional = window_end(
                kind, start, calendar, handling=handling, close=close,
                severity=event.severity, office=engine.office,
            )
            clock = start_clock(
                kind,
                to_shanghai(start),
                end,
                provisional=provisional,
                unit_id=event.lead_unit_id,
                held_since=max(start, now),
                clock_type=clock_type(kind, event.severity, engine),
                office=engine.schedule,
            )
            created.append(
                _new(session, event.id, clock, kind, now, actor, office=engine.schedule).id
            )
            continue
        for a in assignments:
            if not kind.applies_to_role(a.role.value):
                continue
            if any(s.assignment_id == a.id and s.clock.kind == kind.kind for s in live):
                continue
            start = a.assigned_at if kind.anchor == "assignment" else event.started_at
            if kind.anchor == "assignment" and (
                kind.roles is not None or kind.severities is not None
            ):
                # a unit's own window for a role or a grade counts from when the unit came to
                # it: a lead given a major event at an upgrade has its own 5 h from then. It
                # exists only beside a statutory window that was already running; a lead told
                # with the event's first windows answers for those.
                if not own_windows or not kind.met_by & running:
                    continue
                start = max(start, now)
            end, provisional = window_end(
                kind, start, calendar, handling=handling, close=close,
                severity=event.severity, office=engine.office,
            )
            clock = start_clock(
                kind,
                to_shanghai(start),
                end,
                provisional=provisional,
                unit_id=a.unit_id,
                cycle=a.cycle,
                clock_type=clock_type(kind, event.severity, engine),
                office=engine.schedule,
            )
            created.append(
                _new(session, event.id, clock, kind, now, actor, a.id, office=engine.schedule).id
            )
    for s in live:
        if s.assignment_id is None and s.clock.is_open and s.clock.unit_id != event.lead_unit_id:
            moved, t = tr.transfer(s.clock, event.lead_unit_id, now, actor, "lead unit changed")
            _store(session, s, moved, [t], None, now, actor)
    _fit_unit_windows(session, event, assignments, live, now, engine, website_error, actor)
    refresh_next_deadline(session, [event.id])
    return created


def _fit_unit_windows(
    session: Session,
    event: models.Event,
    assignments: Sequence[models.Assignment],
    live: Sequence[StoredClock],
    now: datetime,
    engine: SlaSetup,
    website_error: bool,
    actor: str,
) -> None:
    """A unit's open window for a role it no longer has (a lead become co-unit) or a grade
    the event no longer has stops, unmet and uncharged."""
    held = {a.id: a for a in assignments}
    for s in live:
        a = held.get(s.assignment_id) if s.assignment_id is not None else None
        kind = engine.policy.kinds.get(s.clock.kind)
        if a is None or kind is None or not s.clock.is_open:
            continue
        if kind.applies(event.severity, website_error=website_error) and kind.applies_to_role(
            a.role.value
        ):
            continue
        why = f"本单位现为{a.role.label}，事件级别{event.severity.value}"
        done, t = tr.cancel(s.clock, now, actor, f"此时限不再适用（{why}）")
        _store(session, s, done, [t], None, now, actor)


def on_severity_change(
    session: Session,
    event: models.Event,
    old: Severity,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    website_error: bool | None = None,
    reason: str | None = None,
) -> list[int]:
    """Regrade: cancel windows the new grade lacks, open those it adds from the event's
    original start; one already past breaches and escalates in this transaction. Returns the
    ids of the windows opened."""
    policy = engine.policy
    if website_error is None:
        website_error = is_website_error(session, event.id, engine)
    stored = load(session, DL.c.event_id == event.id, DL.c.assignment_id.is_(None), lock=True)
    r = tr.regrade(
        [s.clock for s in stored],
        old,
        event.severity,
        event.started_at,
        now,
        actor,
        policy,
        engine.calendar,
        website_error=website_error,
        unit_id=event.lead_unit_id,
    )
    for i, clock, t in r.cancelled:
        _store(session, stored[i], clock, [t], None, now, actor)
    changed = Transition(
        now,
        actor,
        EventAction.SEVERITY_CHANGED,
        {"from": old.value, "to": event.severity.value},
        reason,
    )
    write_log(session, entity_log_rows(event.id, LogEntity.EVENT, event.id, [changed]))
    # a statutory window already past when the grade is raised was missed before anyone could
    # act: its breach is reported to the duty office, not to the unit that happens to hold
    # the event (the lead then gets its own window of the same length from now)
    late = [replace(c, unit_id=None) if c.deadline_at <= now else c for c in r.opened]
    opened = [
        _new(session, event.id, clock, policy.kind(clock.kind), now, actor, office=engine.schedule).id
        for clock in late
    ]
    # the units' own windows follow the grade: opened for the lead from now, or stopped
    open_clocks(
        session, event, now, engine, website_error=website_error, actor=actor, own_windows=True
    )
    _reclock(session, event, old, now, engine, actor)
    settle_event(session, event.id, now, engine, actor=actor)
    return opened


def record_milestone(
    session: Session,
    event_id: int,
    evidence: Evidence,
    now: datetime,
    engine: SlaSetup,
    *,
    assignment_id: int | None = None,
    lead: bool = True,
) -> list[int]:
    """Close every open window of the event that this milestone satisfies, on its evidence.
    A unit's own windows (签收) close only for that assignment; the event's windows close on
    the duty officer's record, the board's reply, or the lead unit's response — not on a
    co-unit's. Returns the ids of the windows closed."""
    evidence.check(now)
    policy = engine.policy
    kinds = policy.met_by(evidence.milestone)
    closed: list[int] = []
    for s in load(
        session, DL.c.event_id == event_id, DL.c.kind.in_(kinds), DL.c.state.in_(_OPEN), lock=True
    ):
        kind = policy.kind(s.clock.kind)
        # the event's own record (the duty officer's, the board's) also meets the lead's
        # windows of the same milestone: the information is out
        for_the_lead = assignment_id is None and kind.roles == frozenset({"lead"})
        if kind.scope == "assignment" and s.assignment_id != assignment_id and not for_the_lead:
            continue
        if kind.scope == "event" and assignment_id is not None and not lead:
            continue
        try:
            clock, t = tr.meet(s.clock, evidence, now, kind)
        except TransitionRefused:
            continue  # e.g. evidence older than this cycle of the window
        _store(session, s, clock, [t], None, now, evidence.by)
        closed.append(s.id)
    if closed:
        refresh_next_deadline(session, [event_id])
        settle_event(session, event_id, now, engine, actor=evidence.by)
    return closed


def record_board_reply(
    session: Session, post: models.Post, now: datetime, engine: SlaSetup
) -> list[int]:
    """The board's official reply found by the crawler is evidence of a response."""
    if post.event_id is None or post.reply_at is None or not (post.reply_content or "").strip():
        return []
    evidence = Evidence.from_board_reply(
        post.reply_content or "", post.reply_at, post.reply_org, post.url
    )
    return record_milestone(session, post.event_id, evidence, now, engine)


def acknowledge(
    session: Session,
    assignment: models.Assignment,
    now: datetime,
    engine: SlaSetup,
    actor: str,
    *,
    at: datetime | None = None,
) -> list[int]:
    """签收 at ``at`` (default ``now``): closes the unit's own 签收 window."""
    return record_milestone(
        session,
        assignment.event_id,
        Evidence.sign_off(at or now, actor),
        now,
        engine,
        assignment_id=assignment.id,
        lead=assignment.role is AssignmentRole.LEAD,
    )


def record_response(
    session: Session,
    assignment: models.Assignment,
    now: datetime,
    engine: SlaSetup,
    actor: str,
    *,
    text: str = "",
    url: str = "",
    milestone: str = "respond",
) -> list[int]:
    """A unit's response (text and/or URL) closes its own windows and, from the lead unit,
    the event's."""
    if url.strip():
        evidence = Evidence.from_url(milestone, url, now, actor, note=text)
    else:
        evidence = Evidence.from_text(milestone, text, now, actor)
    return record_milestone(
        session,
        assignment.event_id,
        evidence,
        now,
        engine,
        assignment_id=assignment.id,
        lead=assignment.role is AssignmentRole.LEAD,
    )


# ----------------------------------------------------------------- 延期


def request_extension(
    session: Session,
    deadline_id: int,
    until: datetime,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reason: str,
) -> int:
    """Validate and record a 延期 request; returns the log row id the ruling refers to."""
    (s,) = load(session, DL.c.id == deadline_id)
    kind = engine.policy.kind(s.clock.kind)
    _, t = tr.request_extension(
        s.clock, until, now, actor, reason, kind, engine.calendar, engine.close
    )
    (new_id,) = write_log(session, log_rows(s, [t]))
    return new_id


def decide_extension(
    session: Session,
    request_id: int,
    approve: bool,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reason: str = "",
) -> StoredClock:
    requested = EventAction.EXTENSION_REQUESTED.value
    request = session.execute(
        select(LOG).where(LOG.c.id == request_id, LOG.c.action == requested)
    ).one_or_none()
    if request is None or request.entity_id is None:
        raise TransitionRefused("no such extension request")
    ruled = session.scalar(
        select(LOG.c.id).where(
            LOG.c.entity == LogEntity.DEADLINE.value,
            LOG.c.entity_id == request.entity_id,
            LOG.c.action.in_(
                (EventAction.EXTENSION_APPROVED.value, EventAction.EXTENSION_REFUSED.value)
            ),
            LOG.c.detail["request_id"].as_integer() == request_id,
        )
    )
    if ruled is not None:
        raise TransitionRefused("this request has been ruled on already")
    (s,) = load(session, DL.c.id == request.entity_id, lock=True)
    ask = tr.ExtensionRequest(
        datetime.fromisoformat(request.detail["until"]),
        request.at,
        request.actor,
        request.reason or "",
    )
    kind = engine.policy.kind(s.clock.kind)
    clock, t = tr.decide_extension(
        s.clock, ask, approve, now, actor, reason, kind, engine.calendar, engine.close
    )
    t = replace(t, detail={**t.detail, "request_id": request_id})
    after = _store(session, s, clock, [t], kind, now, actor, engine.schedule)
    write_outbox(
        session,
        [
            {
                "created_at": now,
                "kind": OutboxKind.EXTENSION_DECISION.value,
                "channel": "email",
                "dedupe_key": f"extension_decision:{request_id}",
                "event_id": s.event_id,
                "unit_id": request.unit_id,
                "deadline_id": s.id,
                "recipients": [f"unit:{request.unit_id}"] if request.unit_id else ["duty"],
                "cc": [],
                "payload": {
                    "decision": "approved" if approve else "refused",
                    "reason": reason,
                    "new_deadline_at": ask.until.isoformat() if approve else None,
                },
                "state": "pending",
                "attempts": 0,
                "next_attempt_at": now,
            }
        ],
    )
    refresh_next_deadline(session, [s.event_id])
    return after


# ----------------------------------------------------------------- 退单, reassignment


def _held_by(session: Session, a: models.Assignment) -> list[StoredClock]:
    return [
        s
        for s in load(session, DL.c.event_id == a.event_id, DL.c.state.in_(_OPEN), lock=True)
        if s.assignment_id == a.id or (s.assignment_id is None and s.clock.unit_id == a.unit_id)
    ]


def return_case(
    session: Session,
    a: models.Assignment,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reason: str,
) -> None:
    """退单 within the policy's limit, with a reason. The clocks keep running: nothing moves
    until the duty officer rules and the case is released to another unit."""
    policy = engine.policy
    held = _held_by(session, a)
    limit = tr.return_limit(policy.kind(s.clock.kind) for s in held if s.clock.kind in policy.kinds)
    t = tr.check_return(a.assigned_at, now, actor, reason, limit)
    write_log(session, entity_log_rows(a.event_id, LogEntity.ASSIGNMENT, a.id, [t], a.unit_id))


def release_assignment(
    session: Session,
    a: models.Assignment,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reason: str,
    to_unit: str | None = None,
) -> None:
    """The unit stops holding the case (退单 approved, reassigned, withdrawn): its own
    windows (签收) are cancelled; the event's windows it held pass to ``to_unit`` with the
    deadline unchanged, and the time each unit held them is kept."""
    for s in _held_by(session, a):
        if s.assignment_id == a.id:
            clock, t = tr.cancel(s.clock, now, actor, reason)
        else:
            clock, t = tr.transfer(s.clock, to_unit, now, actor, reason)
        _store(session, s, clock, [t], None, now, actor)
    refresh_next_deadline(session, [a.event_id])


def move_assignment_clocks(
    session: Session,
    a: models.Assignment,
    from_event_id: int,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reason: str,
) -> list[int]:
    """The assignment moved to another event (its own was merged into it): its own windows
    (签收, each cycle, open or not) go with it, deadlines and history unchanged, so the unit
    answers for exactly what it answered for before. Returns the ids of the windows moved."""
    moved: list[int] = []
    for s in load(
        session, DL.c.event_id == from_event_id, DL.c.assignment_id == a.id, lock=True
    ):
        after = move(session, s, a.event_id)
        t = Transition(
            now, actor, EventAction.MOVED, {"from_event": from_event_id, "to_event": a.event_id},
            reason,
        )
        write_log(session, log_rows(after, [t]))
        moved.append(s.id)
    refresh_next_deadline(session, [from_event_id, a.event_id])
    return moved


# ----------------------------------------------------------------- 重办, cancelling


def reopen_event(
    session: Session,
    event: models.Event,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reason: str,
    handling: str | None = None,
) -> list[int]:
    """重办: a new cycle of every reopenable window, counted from now; the old rows stay."""
    policy = engine.policy
    latest: dict[tuple[str, int | None], StoredClock] = {}
    for s in load(session, DL.c.event_id == event.id, lock=True):
        key = (s.clock.kind, s.assignment_id)
        if key not in latest or s.clock.cycle >= latest[key].clock.cycle:
            latest[key] = s
    if handling is None:
        handling = _handling(session, event)
    opened: list[int] = []
    for (kind_name, assignment_id), s in sorted(latest.items(), key=lambda kv: kv[1].id):
        kind = policy.kinds.get(kind_name)
        if kind is None or not kind.reopenable or s.clock.state is DeadlineState.CANCELLED:
            continue
        old, new, log = tr.reopen(
            s.clock, now, actor, reason, kind, engine.calendar, handling=handling,
            close=engine.close, severity=event.severity, office=engine.office,
        )
        if old != s.clock:
            cancelled = [t for t in log if t.action is EventAction.CANCELLED]
            _store(session, s, old, cancelled, None, now, actor)
        reopened = [t for t in log if t.action is EventAction.REOPENED][0]
        new = replace(new, clock=clock_type(kind, event.severity, engine))
        opened.append(
            _new(
                session, event.id, new, kind, now, actor, assignment_id, reopened,
                office=engine.schedule,
            ).id
        )
    if not opened:
        raise TransitionRefused("nothing to reopen: no window of this event is reopenable")
    refresh_next_deadline(session, [event.id])
    settle_event(session, event.id, now, engine, actor=actor)
    return opened


def cancel_event_clocks(
    session: Session, event_id: int, now: datetime, engine: SlaSetup, *, actor: str, reason: str
) -> list[int]:
    """Not relevant, merged away: every open window stops."""
    ids: list[int] = []
    for s in load(session, DL.c.event_id == event_id, DL.c.state.in_(_OPEN), lock=True):
        clock, t = tr.cancel(s.clock, now, actor, reason)
        _store(session, s, clock, [t], None, now, actor)
        ids.append(s.id)
    refresh_next_deadline(session, [event_id])
    return ids


def event_clocks(session: Session, event_id: int) -> list[StoredClock]:
    return load(session, DL.c.event_id == event_id)


# ----------------------------------------------------------------- the event around its clocks

_RESPONSE_MILESTONES = frozenset({"publish", "press", "respond"})
_DONE = (DeadlineState.MET, DeadlineState.CLOSED_LATE)
_SETTLED = (EventState.OPEN, EventState.RESPONDED, EventState.CLOSED)


def _is_response(kind: KindPolicy | None) -> bool:
    """An event-level window closed by publishing or responding (5 h, 24 h, 48 h, 网站找错)."""
    return kind is not None and kind.scope == "event" and bool(kind.met_by & _RESPONSE_MILESTONES)


def _is_resolve(kind: KindPolicy | None) -> bool:
    return kind is not None and kind.scope == "event" and kind.met_by == {"resolve"}


def settle_event(
    session: Session, event_id: int, now: datetime, engine: SlaSetup, *, actor: str
) -> EventState | None:
    """Keep ``events.state`` in step with the clocks: OPEN while a response window is open;
    RESPONDED once every response window is closed and one was met (办结 may still run);
    CLOSED once nothing is open and the 办结 window was met. Events dropped (not relevant,
    merged) are left alone. Returns the new state when it changed."""
    event = session.get(models.Event, event_id)
    if event is None or event.state not in _SETTLED:
        return None
    clocks = [
        s.clock
        for s in load(session, DL.c.event_id == event_id)
        if s.clock.state is not DeadlineState.CANCELLED
    ]
    kinds = {c.kind: engine.policy.kinds.get(c.kind) for c in clocks}
    if any(c.is_open and _is_response(kinds[c.kind]) for c in clocks):
        new = EventState.OPEN
    elif not any(c.is_open for c in clocks) and any(
        c.state in _DONE and _is_resolve(kinds[c.kind]) for c in clocks
    ):
        new = EventState.CLOSED
    elif any(c.state in _DONE and _is_response(kinds[c.kind]) for c in clocks):
        new = EventState.RESPONDED
    else:
        return None
    if new is event.state:
        return None
    old = event.state
    event.state = new
    event.updated_at = now
    t = Transition(now, actor, EventAction.STATE_CHANGED, {"from": old.value, "to": new.value})
    write_log(session, entity_log_rows(event_id, LogEntity.EVENT, event_id, [t]))
    return new


def restart_windows(
    session: Session,
    event: models.Event,
    now: datetime,
    engine: SlaSetup,
    *,
    actor: str,
    reason: str,
    handling: str | None = None,
) -> list[int]:
    """The event's first public appearance moved (posts merged in or split off): its open
    windows counted from it are recounted from ``event.started_at``; an approved extension
    keeps its length. One already past breaches now; one breached whose new end is later opens
    again. Windows of a 重办 cycle count from the reopening and stay as they are."""
    start = to_shanghai(event.started_at)
    if handling is None:
        handling = _handling(session, event)
    moved: list[int] = []
    for s in load(session, DL.c.event_id == event.id, DL.c.state.in_(_OPEN), lock=True):
        kind = engine.policy.kinds.get(s.clock.kind)
        if kind is None or kind.anchor != "first_public" or s.clock.cycle != 1:
            continue
        if s.clock.starts_at == start:
            continue
        end, provisional = window_end(
            kind, start, engine.calendar, handling=handling, close=engine.close
        )
        c = s.clock
        clock = replace(
            c,
            starts_at=start,
            original_deadline_at=end,
            deadline_at=end + (c.deadline_at - c.original_deadline_at),
            provisional=provisional,
        )
        if clock.state is DeadlineState.BREACHED and clock.deadline_at > now:
            clock = replace(clock, state=DeadlineState.OPEN, escalation_level=0, reminders_sent=0)
        clock = replace(clock, due_at=next_due(clock, kind))
        t = Transition(
            now,
            actor,
            EventAction.RESTARTED,
            {
                "from": c.starts_at.isoformat(),
                "to": start.isoformat(),
                "deadline_at": clock.deadline_at.isoformat(),
            },
            reason or None,
        )
        _store(session, s, clock, [t], kind, now, actor, engine.schedule)
        moved.append(s.id)
    if moved:
        refresh_next_deadline(session, [event.id])
    return moved
