"""What the database said at a past moment: clocks, events and posts *as of* a time ``t``.

Rows change after the fact (a deadline is extended, a late response is recorded, an event is
regraded or merged), so a report that read the rows as they are now would change every time it
was rendered. Everything here is reconstructed from timestamps that never change and from the
append-only event log:

- a clock (deadline row) exists at ``t`` once the log row that opened it is older than ``t``
  (rows opened without a log row: from their window start);
- its deadline at ``t`` is the original deadline moved by every 延期 approved before ``t``;
- it is closed at ``t`` when its closure was *recorded* before ``t`` (the log row ``met`` /
  ``closed_late``, or a ``responded`` / ``milestone`` row naming it; rows closed without a log
  row: from the evidence time). A response dated earlier but recorded after ``t`` does not
  change what was true at ``t``;
- it is cancelled at ``t`` when its cancellation (log row, else the time kept in its evidence)
  is older than ``t``;
- it belongs to the unit that held it at the moment that matters: who met it, who held it when
  the deadline passed, or who holds it at ``t``. Holders come from the clock's hold history,
  then its own unit, then the event's lead assignment at that moment;
- an event's topic and severity at ``t`` undo every change logged at or after ``t``; an event
  created by a split at or after ``t`` did not exist; one merged away or marked not relevant
  before ``t`` no longer counts; a post moved by a merge or split at or after ``t`` still
  belongs to its old event.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Row, and_, or_, select
from sqlalchemy.orm import Session

from domain.event_actions import EventAction, LogEntity
from storage import models
from storage.enums import AssignmentRole, DeadlineState, EventState, Severity

T = TypeVar("T")
CHUNK = 500  # ids per IN (...) list

CLOSURE_ACTIONS = (EventAction.MET, EventAction.CLOSED_LATE)
# dashboard rows that list the clocks they closed
NAMING_ACTIONS = (EventAction.RESPONDED, EventAction.MILESTONE)
OPEN_ACTIONS = (EventAction.OPENED, EventAction.REOPENED)
BREACH_ACTIONS = (EventAction.BREACHED, EventAction.ESCALATED)
CHANGE_ACTIONS = (EventAction.TOPIC_CHANGED, EventAction.SEVERITY_CHANGED)
DROP_ACTIONS = (EventAction.MARKED_NOT_RELEVANT, EventAction.MERGED)
MOVE_ACTIONS = (EventAction.MERGED, EventAction.SPLIT)
CLOCK_ACTIONS = (
    *CLOSURE_ACTIONS,
    *NAMING_ACTIONS,
    *OPEN_ACTIONS,
    *BREACH_ACTIONS,
    EventAction.CANCELLED,
    EventAction.EXTENSION_APPROVED,
)
EVENT_ACTIONS = (*CHANGE_ACTIONS, *DROP_ACTIONS, EventAction.SPLIT, EventAction.SPLIT_FROM)
# 退单 as the dashboard once logged it and as the SLA engine logs it; 延期 approvals
UNIT_ACTIONS = {
    EventAction.RETURNED: "return",
    EventAction.RETURN_REQUESTED: "return",
    EventAction.EXTENSION_APPROVED: "extension",
}


class Status(StrEnum):
    """A clock's state at ``t``."""

    MET = "met"  # closed by its deadline
    CLOSED_LATE = "closed_late"  # closed after its deadline
    OVERDUE = "overdue"  # still open, deadline passed
    RUNNING = "running"  # still open, deadline ahead
    CANCELLED_LATE = "cancelled_late"  # cancelled after its deadline had passed: a breach
    CANCELLED = "cancelled"  # cancelled before its deadline: not counted
    ABSENT = "absent"  # not opened yet at t


LATE = (Status.CLOSED_LATE, Status.OVERDUE, Status.CANCELLED_LATE)
DECIDED = (Status.MET, *LATE)


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None


@dataclass(frozen=True)
class Hold:
    unit_id: str | None
    since: datetime
    until: datetime | None


@dataclass(frozen=True)
class Outcome:
    status: Status
    deadline_at: datetime  # as it stood at t
    met_at: datetime | None  # closure evidence time, when closed by t
    decided_at: datetime | None  # met: when met; late: when the deadline passed
    late_by: timedelta | None
    level: int  # escalation level reached by t (0: none logged)
    unit_id: str | None  # who answers for it


@dataclass
class AssignmentRecord:
    id: int
    event_id: int
    unit_id: str
    role: AssignmentRole
    assigned_at: datetime
    acknowledged_at: datetime | None
    responded_at: datetime | None
    released_at: datetime | None

    def held_at(self, moment: datetime) -> bool:
        return self.assigned_at <= moment and (
            self.released_at is None or moment < self.released_at
        )


@dataclass
class ClockRecord:
    id: int
    event_id: int
    assignment_id: int | None
    kind: str
    cycle: int
    starts_at: datetime
    original_deadline_at: datetime
    deadline_now: datetime
    state_now: DeadlineState
    met_at: datetime | None
    unit_now: str | None
    holds: tuple[Hold, ...] = ()
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    extensions: list[tuple[datetime, datetime]] = field(default_factory=list)  # (when, to)
    levels: list[tuple[datetime, int]] = field(default_factory=list)  # (when, level)

    def exists(self, t: datetime) -> bool:
        return (self.opened_at or self.starts_at) < t

    def deadline_at(self, t: datetime) -> datetime:
        moved = [to for when, to in sorted(self.extensions) if when < t]
        return moved[-1] if moved else self.original_deadline_at

    @property
    def latest_deadline(self) -> datetime:
        """No deadline of this clock, at any moment, is later than this."""
        return max(
            [self.original_deadline_at, self.deadline_now, *(to for _, to in self.extensions)]
        )

    def may_matter(self, start: datetime, end: datetime) -> bool:
        """Whether anything of this clock can fall in [start, end): its deadline passing,
        its closure, or an escalation. A cheap filter before the exact ``outcome``."""
        if self.met_at is not None and start <= self.met_at < end:
            return True
        if any(start <= when < end for when, _ in self.levels):
            return True
        return self.original_deadline_at < end and self.latest_deadline >= start

    def level_at(self, t: datetime) -> int:
        return max((lvl for when, lvl in self.levels if when < t), default=0)

    def status(self, t: datetime) -> Status:
        if not self.exists(t):
            return Status.ABSENT
        deadline = self.deadline_at(t)
        if self.met_at is not None and (self.closed_at or self.met_at) < t:
            if self.state_now in (DeadlineState.MET, DeadlineState.CLOSED_LATE):
                on_time = self.state_now is DeadlineState.MET
            else:
                on_time = self.met_at <= deadline
            return Status.MET if on_time else Status.CLOSED_LATE
        if self.state_now is DeadlineState.CANCELLED:
            cancelled = self.cancelled_at
            if cancelled is None or cancelled < t:
                if cancelled is not None and cancelled > deadline:
                    return Status.CANCELLED_LATE
                return Status.CANCELLED
        return Status.OVERDUE if deadline < t else Status.RUNNING


@dataclass
class EventRecord:
    id: int
    title: str
    started_at: datetime
    first_seen_at: datetime
    topic_now: str | None
    severity_now: Severity
    state_now: EventState
    lead_now: str | None
    handling: str | None
    changes: list[tuple[datetime, str, Any]] = field(default_factory=list)  # (when, kind, from)
    dropped_at: datetime | None = None
    created_at: datetime | None = None  # only known for events made by a split

    def _label(self, kind: str, now_value: Any, t: datetime) -> Any:
        later = sorted((c for c in self.changes if c[1] == kind and c[0] >= t), key=lambda c: c[0])
        return later[0][2] if later else now_value

    def topic(self, t: datetime) -> str | None:
        value = self._label("topic", self.topic_now, t)
        return str(value) if value else None

    def severity(self, t: datetime) -> Severity:
        value = self._label("severity", self.severity_now.value, t)
        try:
            return Severity(value)
        except ValueError:
            return self.severity_now

    def exists(self, t: datetime) -> bool:
        return (self.created_at or self.first_seen_at) < t

    def dropped(self, t: datetime) -> bool:
        return self.dropped_at is not None and self.dropped_at < t

    def counts(self, t: datetime) -> bool:
        """Existed at t and had not been merged away or marked not relevant."""
        return self.exists(t) and not self.dropped(t)


@dataclass
class History:
    """Everything a report over [lo, hi) needs, loaded once."""

    lo: datetime
    hi: datetime
    clocks: list[ClockRecord]
    events: dict[int, EventRecord]
    assignments: list[AssignmentRecord]
    # 退单 and 延期: (when, "return" | "extension", unit); one per change even when both the
    # dashboard and the SLA engine logged it
    unit_log: list[tuple[datetime, str, str | None, int | None]]  # (when, what, unit, event)
    posts: list[tuple[int, datetime, int | None]]  # (post id, first seen, event at hi)
    post_moves: list[tuple[datetime, int, int]]  # (when, post id, event it left)
    _leads: dict[int, list[AssignmentRecord]] = field(default_factory=dict)
    _by_event: dict[int, list[AssignmentRecord]] = field(default_factory=dict)
    _outcomes: dict[tuple[int, datetime], Outcome] = field(default_factory=dict)
    _moved: dict[datetime, dict[int, int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        by_event: dict[int, list[AssignmentRecord]] = defaultdict(list)
        for a in sorted(self.assignments, key=lambda a: (a.assigned_at, a.id)):
            by_event[a.event_id].append(a)
        self._by_event = dict(by_event)
        self._leads = {
            event_id: [a for a in rows if a.role is AssignmentRole.LEAD]
            for event_id, rows in self._by_event.items()
        }

    def assignments_of(self, event_id: int) -> list[AssignmentRecord]:
        """The event's assignments, oldest first."""
        return self._by_event.get(event_id, [])

    def lead_at(self, event_id: int, moment: datetime, t: datetime) -> str | None:
        """The event's lead unit at ``moment``; failing that the first lead given it before
        ``t``; failing that (no assignment recorded) the event's lead unit now."""
        leads = [a for a in self._leads.get(event_id, []) if a.assigned_at < t]
        for a in reversed(leads):
            if a.held_at(moment):
                return a.unit_id
        if leads:
            return leads[0].unit_id
        event = self.events.get(event_id)
        return event.lead_now if event and not self._leads.get(event_id) else None

    def responsible(self, clock: ClockRecord, moment: datetime, t: datetime) -> str | None:
        if clock.holds:
            covering = [
                h
                for h in clock.holds
                if h.since <= moment and (h.until is None or moment < h.until) and h.since < t
            ]
            if covering:
                return covering[-1].unit_id
            before = [h for h in clock.holds if h.since <= moment]
            return (before[-1] if before else clock.holds[0]).unit_id
        if clock.unit_now is not None:
            return clock.unit_now
        return self.lead_at(clock.event_id, moment, t)

    def outcome(self, clock: ClockRecord, t: datetime) -> Outcome:
        key = (clock.id, t)
        if key not in self._outcomes:
            self._outcomes[key] = self._outcome(clock, t)
        return self._outcomes[key]

    def _outcome(self, clock: ClockRecord, t: datetime) -> Outcome:
        status = clock.status(t)
        deadline = clock.deadline_at(t)
        met_at = clock.met_at if status in (Status.MET, Status.CLOSED_LATE) else None
        late_by: timedelta | None = None
        decided: datetime | None = None
        if status is Status.MET:
            decided = met_at
        elif status in LATE:
            decided = deadline
            end = {
                Status.CLOSED_LATE: met_at,
                Status.OVERDUE: t,
                Status.CANCELLED_LATE: clock.cancelled_at,
            }[status]
            late_by = (end or t) - deadline
        if status is Status.MET and met_at is not None:
            moment = met_at
        elif status in LATE:
            moment = deadline
        else:
            moment = min(deadline, t) - timedelta(microseconds=1)
        unit = self.responsible(clock, moment, t)
        return Outcome(status, deadline, met_at, decided, late_by, clock.level_at(t), unit)

    def event_at(self, post_id: int, event_id: int | None, t: datetime) -> int | None:
        """The event a post belonged to at t (moves at or after t undone)."""
        if t not in self._moved:
            left: dict[int, int] = {}
            for _when, pid, source in sorted(m for m in self.post_moves if m[0] >= t):
                left.setdefault(pid, source)  # the first move after t says where it was
            self._moved[t] = left
        return self._moved[t].get(post_id, event_id)


# ---------------------------------------------------------------- loading


def _holds(evidence: dict[str, Any]) -> tuple[Hold, ...]:
    out: list[Hold] = []
    for h in evidence.get("holds") or []:
        since = _time(h.get("since"))
        if since is not None:
            out.append(Hold(h.get("unit_id"), since, _time(h.get("until"))))
    return tuple(sorted(out, key=lambda h: h.since))


def _evidence_cancelled(evidence: dict[str, Any]) -> datetime | None:
    cancelled = evidence.get("cancelled")
    if isinstance(cancelled, dict) and (at := _time(cancelled.get("at"))) is not None:
        return at
    return _time(evidence.get("cancelled_at"))


def _clock_rows(session: Session, lo: datetime, hi: datetime) -> list[Row[Any]]:
    d = models.Deadline
    in_range = or_(
        and_(
            d.starts_at < hi,  # running at some moment up to hi, or ended inside the range
            or_(d.met_at.is_(None), d.met_at >= lo, d.deadline_at >= lo),
            # a window cancelled long before the range has nothing to say about it
            or_(d.state != DeadlineState.CANCELLED, d.deadline_at >= lo),
        ),
        and_(d.met_at >= lo, d.met_at < hi),
    )
    # plain rows, not ORM objects: a quarter holds many thousands of clocks
    cols = (
        d.id,
        d.event_id,
        d.assignment_id,
        d.kind,
        d.cycle,
        d.starts_at,
        d.original_deadline_at,
        d.deadline_at,
        d.state,
        d.met_at,
        d.unit_id,
        d.evidence,
    )
    return list(session.connection().execute(select(*cols).where(in_range).order_by(d.id)))


def _values(actions: Iterable[EventAction]) -> list[str]:
    return [a.value for a in actions]


def _log_rows(
    session: Session, event_ids: Sequence[int], actions: Iterable[EventAction]
) -> list[Row[Any]]:
    out: list[Row[Any]] = []
    wanted = _values(actions)
    log = models.EventLog
    cols = (log.id, log.at, log.event_id, log.entity, log.entity_id, log.action, log.detail)
    for part in chunks(sorted(event_ids)):
        out += session.connection().execute(
            select(*cols).where(log.event_id.in_(part), log.action.in_(wanted))
        )
    return out


def _apply_clock_log(clocks: dict[int, ClockRecord], rows: Iterable[Row[Any]]) -> None:
    for row in sorted(rows, key=lambda r: (r.at, r.id)):
        detail = row.detail or {}
        action = EventAction(row.action)
        if action in NAMING_ACTIONS:
            for cid in detail.get("deadlines") or []:
                c = clocks.get(int(cid)) if isinstance(cid, int | str) else None
                if c is not None and c.closed_at is None:
                    c.closed_at = row.at
            continue
        if row.entity != LogEntity.DEADLINE or row.entity_id not in clocks:
            continue
        c = clocks[row.entity_id]
        if action in CLOSURE_ACTIONS:
            c.closed_at = row.at if c.closed_at is None else min(c.closed_at, row.at)
        elif action in OPEN_ACTIONS:
            c.opened_at = row.at if c.opened_at is None else min(c.opened_at, row.at)
        elif action is EventAction.CANCELLED:
            c.cancelled_at = row.at if c.cancelled_at is None else min(c.cancelled_at, row.at)
        elif action is EventAction.EXTENSION_APPROVED:
            to = _time(detail.get("to"))
            if to is not None:
                c.extensions.append((row.at, to))
        elif action in BREACH_ACTIONS:
            level = detail.get("level")
            c.levels.append((row.at, int(level) if isinstance(level, int) else 1))


def load(session: Session, lo: datetime, hi: datetime) -> History:
    """Clocks, events, assignments and posts that can matter to any period inside [lo, hi)
    as of any moment up to ``hi``."""
    clocks = {
        r.id: ClockRecord(
            id=r.id,
            event_id=r.event_id,
            assignment_id=r.assignment_id,
            kind=r.kind,
            cycle=r.cycle,
            starts_at=r.starts_at,
            original_deadline_at=r.original_deadline_at,
            deadline_now=r.deadline_at,
            state_now=r.state,
            met_at=r.met_at,
            unit_now=r.unit_id,
            holds=_holds(r.evidence or {}),
            cancelled_at=_evidence_cancelled(r.evidence or {}),
        )
        for r in _clock_rows(session, lo, hi)
    }
    for c in clocks.values():
        c.cancelled_at = None if c.state_now is not DeadlineState.CANCELLED else c.cancelled_at

    a = models.Assignment
    a_cols = (
        a.id,
        a.event_id,
        a.unit_id,
        a.role,
        a.assigned_at,
        a.acknowledged_at,
        a.responded_at,
        a.released_at,
    )
    assignment_rows = list(
        session.connection().execute(select(*a_cols).where(a.assigned_at >= lo, a.assigned_at < hi))
    )
    post_rows = session.execute(
        select(models.Post.id, models.Post.first_seen_at, models.Post.event_id).where(
            models.Post.first_seen_at >= lo, models.Post.first_seen_at < hi
        )
    ).all()
    e = models.Event
    event_ids = (
        {c.event_id for c in clocks.values()}
        | {r.event_id for r in assignment_rows}
        | {int(p.event_id) for p in post_rows if p.event_id is not None}
        | set(session.scalars(select(e.id).where(e.first_seen_at >= lo, e.first_seen_at < hi)))
    )
    # posts moved by a merge or split since lo: the event each left must be known too
    moves: list[tuple[datetime, int, int]] = []
    log_t = models.EventLog
    for at, source, detail in session.connection().execute(
        select(log_t.at, log_t.event_id, log_t.detail).where(
            log_t.action.in_(_values(MOVE_ACTIONS)), log_t.at >= lo
        )
    ):
        for pid in (detail or {}).get("posts") or []:
            if isinstance(pid, int) and source is not None:
                moves.append((at, pid, int(source)))
                event_ids.add(int(source))
    # every lead assignment of these events, to say who held a clock at a given moment
    seen = {r.id for r in assignment_rows}
    for part in chunks(sorted(event_ids)):
        for extra in session.connection().execute(select(*a_cols).where(a.event_id.in_(part))):
            if extra.id not in seen:
                assignment_rows.append(extra)
                seen.add(extra.id)

    events: dict[int, EventRecord] = {}
    for part in chunks(sorted(event_ids)):
        e_cols = (
            e.id,
            e.title,
            e.started_at,
            e.first_seen_at,
            e.topic,
            e.severity,
            e.state,
            e.lead_unit_id,
            e.handling,
        )
        for ev in session.connection().execute(select(*e_cols).where(e.id.in_(part))):
            events[ev.id] = EventRecord(
                id=ev.id,
                title=ev.title,
                started_at=ev.started_at,
                first_seen_at=ev.first_seen_at,
                topic_now=ev.topic,
                severity_now=ev.severity,
                state_now=ev.state,
                lead_now=ev.lead_unit_id,
                handling=ev.handling,
            )

    log = _log_rows(session, sorted(event_ids), (*CLOCK_ACTIONS, *EVENT_ACTIONS))
    _apply_clock_log(clocks, log)
    for row in log:
        ev_rec = events.get(row.event_id or -1)
        detail = row.detail or {}
        if ev_rec is None:
            continue
        action = EventAction(row.action)
        if (label := action.changed_label) is not None and action in CHANGE_ACTIONS:
            ev_rec.changes.append((row.at, label, detail.get("from")))
        if action in DROP_ACTIONS and ev_rec.state_now in (
            EventState.MERGED,
            EventState.NOT_RELEVANT,
        ):
            ev_rec.dropped_at = (
                row.at if ev_rec.dropped_at is None else min(ev_rec.dropped_at, row.at)
            )
        if action is EventAction.SPLIT_FROM:
            ev_rec.created_at = row.at
    for ev_rec in events.values():
        if (
            ev_rec.state_now in (EventState.MERGED, EventState.NOT_RELEVANT)
            and not ev_rec.dropped_at
        ):
            # dropped without a log row: treat it as dropped from the start
            ev_rec.dropped_at = ev_rec.first_seen_at

    unit_log: dict[
        tuple[str, int | None, datetime], tuple[datetime, str, str | None, int | None]
    ] = {}
    log_cols = select(
        models.EventLog.at,
        models.EventLog.action,
        models.EventLog.unit_id,
        models.EventLog.entity_id,
        models.EventLog.event_id,
    ).where(
        models.EventLog.action.in_(_values(UNIT_ACTIONS)),
        models.EventLog.at >= lo,
        models.EventLog.at < hi,
    )
    for at, action, unit, entity_id, event_id in session.execute(log_cols):
        what = UNIT_ACTIONS[EventAction(action)]
        unit_log.setdefault((what, entity_id, at), (at, what, unit, event_id))
    return History(
        lo=lo,
        hi=hi,
        clocks=sorted(clocks.values(), key=lambda c: c.id),
        events=events,
        assignments=[
            AssignmentRecord(
                id=r.id,
                event_id=r.event_id,
                unit_id=r.unit_id,
                role=r.role,
                assigned_at=r.assigned_at,
                acknowledged_at=r.acknowledged_at,
                responded_at=r.responded_at,
                released_at=r.released_at,
            )
            for r in sorted(assignment_rows, key=lambda r: r.id)
        ],
        unit_log=sorted(unit_log.values(), key=lambda x: x[0]),
        posts=[(int(p.id), p.first_seen_at, p.event_id) for p in post_rows],
        post_moves=moves,
    )
