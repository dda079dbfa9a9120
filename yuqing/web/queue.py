"""The priority queue: 待核实 events first, then open events by severity rank, then nearest
deadline, then heat.

The order is not one SQL ORDER BY: severity is stored by name, and a CASE over it would sort
every open event on each page load. Instead the queue is read as segments: the events waiting
for a duty officer to say whether they are a major emergency (待核实, oldest first, on
``ix_events_verification``) when no grade is filtered, then one segment per severity in rank
order (events with a deadline first, nearest first, then those without by heat), each an index
range scan on ``ix_events_queue`` (state, severity, next_deadline_at) that stops at the page
size.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, NamedTuple
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment
from markupsafe import Markup
from sqlalchemy import ColumnElement, Engine, Select, bindparam, func, or_, select
from sqlalchemy.orm import Session

from classifier.masking import mask_pii
from domain.vocabulary import SEVERITY_ORDER
from response_sla.clock import OPEN_STATES
from storage import models
from storage.enums import DeadlineState, EventState, Severity, Verification
from yuqing.display import SEVERITY_CSS, remaining
from yuqing.web.deadlines import Nearest
from yuqing.web.search import (
    SEARCH_PARAM,
    ensure_search_index,
    matching_events,
    search_parameter,
)

PAGE_SIZE = 50


@dataclass(frozen=True)
class QueueFilters:
    state: EventState = EventState.OPEN
    severity: Severity | None = None
    unit: str | None = None
    topic: str | None = None
    source: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    q: str = ""
    page: int = 1
    masked: bool = False  # the reader sees personal data masked, and searches masked text

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> QueueFilters:
        """Unknown or malformed values are ignored rather than failing the page."""

        def pick(name: str) -> str | None:
            value = params.get(name, "").strip()
            return value[:200] or None

        def day(name: str) -> date | None:
            value = pick(name)
            try:
                return date.fromisoformat(value) if value else None
            except ValueError:
                return None

        state = EventState.OPEN
        if (s := pick("state")) in {e.value for e in EventState}:
            state = EventState(s)
        severity = None
        if (v := pick("severity")) in {e.value for e in Severity}:
            severity = Severity(v)
        try:
            page = max(1, min(int(params.get("page", "1")), 10_000))
        except ValueError:
            page = 1
        return cls(
            state=state,
            severity=severity,
            unit=pick("unit"),
            topic=pick("topic"),
            source=pick("source"),
            date_from=day("from"),
            date_to=day("to"),
            q=(pick("q") or "")[:100],
            page=page,
        )

    def params(self, **override: Any) -> dict[str, str]:
        f = replace(self, **override)
        out = {
            "state": f.state.value,
            "severity": f.severity.value if f.severity else "",
            "unit": f.unit or "",
            "topic": f.topic or "",
            "source": f.source or "",
            "from": f.date_from.isoformat() if f.date_from else "",
            "to": f.date_to.isoformat() if f.date_to else "",
            "q": f.q,
            "page": str(f.page) if f.page > 1 else "",
        }
        return {k: v for k, v in out.items() if v}

    def query_string(self, **override: Any) -> str:
        return urlencode(self.params(**override))


@dataclass(frozen=True)
class QueueRow:
    id: int
    title: str
    severity: Severity
    state: EventState
    topic: str | None
    heat: float
    post_count: int
    started_at: datetime
    next_deadline_at: datetime | None
    lead_unit_id: str | None
    lead_unit_name: str | None
    nearest: Nearest | None = None  # the open deadline that sets its place (its kind is shown)
    verification: Verification = Verification.NONE
    candidate: Severity | None = None  # the grade a 待核实 event may have
    nearest_unit: str | None = None  # who holds that deadline
    statutory: tuple[Statutory, ...] = ()  # a major's 5 h / 24 h windows


@dataclass(frozen=True)
class Statutory:
    """One of a major event's statutory windows (发布权威信息 5 h, 新闻发布会 24 h)."""

    kind: str
    deadline_at: datetime
    state: DeadlineState
    met_at: datetime | None


@dataclass
class QueuePage:
    rows: list[QueueRow] = field(default_factory=list)
    has_more: bool = False


class QueueLine(NamedTuple):
    """A row ready to print: formatted once in Python rather than through template filters,
    since every open queue re-renders its rows every few seconds."""

    id: int
    title: str
    severity: str
    css: str
    state: str
    topic: str
    heat: str
    post_count: int
    started: str
    deadline_iso: str
    late: bool
    remaining: str
    deadline_label: str  # the kind of the nearest open deadline, e.g. "发布权威信息 5 小时"
    extended: bool  # that deadline was extended (延期)
    provisional: bool  # counted over a year without a published holiday arrangement
    lead: str
    pending: bool = False  # 待核实: a duty officer must say whether it is a major emergency
    candidate: str = ""  # the grade it may have
    holder: str = ""  # whose window the nearest deadline is
    # a major's statutory windows: (label, deadline ISO, static countdown, late, done text)
    statutory: tuple[tuple[str, str, str, bool, str], ...] = ()


def _stamp(dt: datetime) -> str:
    return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d} {dt.hour:02d}:{dt.minute:02d}"


def _iso(dt: datetime | None) -> str:
    if dt is None:
        return ""
    u = dt.astimezone(UTC)
    return f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:{u.second:02d}Z"


def present(
    rows: list[QueueRow],
    now: datetime,
    tz: ZoneInfo,
    masked: bool = False,
    labels: Mapping[str, str] | None = None,
) -> list[QueueLine]:
    """``masked``: titles de-identified, for readers who need not see personal data;
    ``labels``: how each deadline kind is shown."""
    labels = labels or {}
    return [_line(r, now, tz, masked, labels) for r in rows]


def _short_label(label: str) -> str:
    """"召开新闻发布会 24 小时" → "新闻发布会 24 小时": the row has little room."""
    return label.removeprefix("召开")


def _statutory(
    r: QueueRow, now: datetime, tz: ZoneInfo, labels: Mapping[str, str]
) -> tuple[tuple[str, str, str, bool, str], ...]:
    out = []
    for w in r.statutory:
        label = _short_label(labels.get(w.kind, w.kind))
        if w.state in OPEN_STATES:
            out.append((label, _iso(w.deadline_at), remaining(w.deadline_at, now),
                        w.deadline_at < now, ""))
        else:
            done = w.met_at.astimezone(tz) if w.met_at else None
            text = w.state.label + (f" {done:%H:%M}" if done else "")
            out.append((label, "", "", False, text))
    return tuple(out)


def _line(
    r: QueueRow,
    now: datetime,
    tz: ZoneInfo,
    masked: bool,
    labels: Mapping[str, str],
) -> QueueLine:
    n = r.nearest
    return QueueLine(
        id=r.id,
        title=mask_pii(r.title) if masked else r.title,
        severity=r.severity.label,
        css=SEVERITY_CSS[r.severity],
        state=r.state.label,
        topic=r.topic or "未分类",
        heat=f"{r.heat:.1f}",
        post_count=r.post_count,
        started=_stamp(r.started_at.astimezone(tz)),
        deadline_iso=_iso(r.next_deadline_at),
        late=r.next_deadline_at is not None and r.next_deadline_at < now,
        remaining=remaining(r.next_deadline_at, now),
        deadline_label=labels.get(n.kind, n.kind) if n else "",
        extended=n is not None and n.deadline_at != n.original_deadline_at,
        provisional=n is not None and n.provisional,
        lead=r.lead_unit_name or "未分派",
        pending=r.verification is Verification.PENDING,
        candidate=r.candidate.label if r.candidate is not None else "",
        holder=r.nearest_unit or ("值班室" if n else ""),
        statutory=_statutory(r, now, tz, labels),
    )


class RowCache:
    """The rendered ``<tr>`` of each queue line.

    A line holds everything its row shows, the countdown's static text included, so a cached
    row can never be stale: when anything on it changes, the line is a new key. Every open
    queue polls its rows every few seconds and most rows read the same from one poll to the
    next (the static countdown changes once a minute), so rendering a row once serves every
    viewer and poll until then. Escaping the fields of fifty rows was the largest single cost
    of a queue page."""

    def __init__(self, env: Environment, size: int = 8192) -> None:
        template = env.get_template("web/_queue_row.html")

        def render_row(line: QueueLine) -> Markup:
            return Markup(template.render(r=line))

        self._row = lru_cache(maxsize=size)(render_row)

    def html(self, lines: list[QueueLine]) -> Markup:
        return Markup("").join(self._row(line) for line in lines)


_EC = models.Event.__table__.c
_UNITS = models.Unit.__table__
_NEAREST = models.Deadline.__table__.alias("nearest")
_HOLDER = models.Unit.__table__.alias("holder")
_OPEN_DEADLINE = [s.value for s in OPEN_STATES]
_COLUMNS = (
    _EC.id,
    _EC.title,
    _EC.severity,
    _EC.state,
    _EC.topic,
    _EC.heat,
    _EC.post_count,
    _EC.started_at,
    _EC.next_deadline_at,
    _EC.lead_unit_id,
    _UNITS.c.name,
    _NEAREST.c.kind,
    _NEAREST.c.deadline_at,
    _NEAREST.c.original_deadline_at,
    _NEAREST.c.provisional,
    _NEAREST.c.state,
    _EC.verification,
    _EC.candidate_severity,
    _HOLDER.c.name,
)
_PENDING = Verification.PENDING.value


@dataclass(frozen=True)
class _Shape:
    """Which filters are set: statements are built once per shape and dialect, with every
    value a bound parameter, since building and keying a statement costs more than running
    it. Plain table columns, not ORM attributes, for the same reason."""

    topic: bool
    unit: bool
    source: bool
    date_from: bool
    date_to: bool
    search: bool
    masked: bool = False


def _conditions(shape: _Shape, dialect: str) -> list[ColumnElement[bool]]:
    E = _EC
    A = models.Assignment.__table__.c
    P = models.Post.__table__.c
    conds: list[ColumnElement[bool]] = [E.state == bindparam("state")]
    if shape.topic:
        conds.append(E.topic == bindparam("topic"))
    if shape.unit:
        conds.append(
            or_(
                E.lead_unit_id == bindparam("unit"),
                E.id.in_(
                    select(A.event_id).where(A.unit_id == bindparam("unit"), A.active.is_(True))
                ),
            )
        )
    if shape.source:
        conds.append(
            E.id.in_(
                select(P.event_id).where(
                    P.source_id == bindparam("source"), P.event_id.is_not(None)
                )
            )
        )
    if shape.date_from:
        conds.append(E.started_at >= bindparam("date_from", type_=E.started_at.type))
    if shape.date_to:
        conds.append(E.started_at < bindparam("date_to", type_=E.started_at.type))
    if shape.search:
        conds.append(matching_events(dialect, shape.masked))
    return conds


def _nearest_id() -> Any:
    """The event's nearest open deadline, read with the row rather than in a second query: it
    is evaluated only for the rows the page returns, one index probe each."""
    D = models.Deadline.__table__.c
    return (
        select(D.id)
        .where(D.event_id == _EC.id, D.state.in_(_OPEN_DEADLINE))
        .order_by(D.deadline_at, D.id)
        .limit(1)
        .correlate(models.Event.__table__)
        .scalar_subquery()
    )


# a segment: the 待核实 events, or one severity with or without a deadline
PENDING_SEGMENT = "pending"
WITH_DEADLINE = "deadline"
WITHOUT_DEADLINE = "none"


@lru_cache(maxsize=256)
def _segment(shape: _Shape, dialect: str, which: str, pending_first: bool) -> Select[Any]:
    E = _EC
    stmt = (
        select(*_COLUMNS)
        .outerjoin(_UNITS, _UNITS.c.id == E.lead_unit_id)
        .outerjoin(_NEAREST, _NEAREST.c.id == _nearest_id())
        .outerjoin(_HOLDER, _HOLDER.c.id == _NEAREST.c.unit_id)
        .where(*_conditions(shape, dialect))
    )
    if which == PENDING_SEGMENT:
        stmt = stmt.where(E.verification == _PENDING).order_by(E.started_at, E.id)
        return stmt.offset(bindparam("skip")).limit(bindparam("take"))
    stmt = stmt.where(E.severity == bindparam("severity"))
    if pending_first:
        stmt = stmt.where(E.verification != _PENDING)  # already listed above
    if which == WITH_DEADLINE:
        stmt = stmt.where(E.next_deadline_at.is_not(None)).order_by(
            E.next_deadline_at, E.heat.desc(), E.id
        )
    else:
        stmt = stmt.where(E.next_deadline_at.is_(None)).order_by(E.heat.desc(), E.id)
    return stmt.offset(bindparam("skip")).limit(bindparam("take"))


@lru_cache(maxsize=256)
def _segment_count(shape: _Shape, dialect: str, which: str, pending_first: bool) -> Select[Any]:
    inner = _segment(shape, dialect, which, pending_first).order_by(None).offset(None).limit(None)
    return select(func.count()).select_from(inner.subquery())


def _params(f: QueueFilters, dialect: str, tz: ZoneInfo) -> tuple[_Shape, dict[str, Any]]:
    params: dict[str, Any] = {"state": f.state.value}
    search = search_parameter(dialect, f.q, f.masked) if f.q else None
    if f.topic:
        params["topic"] = f.topic
    if f.unit:
        params["unit"] = f.unit
    if f.source:
        params["source"] = f.source
    if f.date_from:
        params["date_from"] = datetime.combine(f.date_from, time(), tz)
    if f.date_to:
        params["date_to"] = datetime.combine(f.date_to + timedelta(days=1), time(), tz)
    if search is not None:
        params[SEARCH_PARAM] = search
    shape = _Shape(
        topic=bool(f.topic),
        unit=bool(f.unit),
        source=bool(f.source),
        date_from=f.date_from is not None,
        date_to=f.date_to is not None,
        search=search is not None,
        masked=f.masked and search is not None,
    )
    return shape, params


def _row(r: Any) -> QueueRow:
    kind, at, original, provisional, deadline_state = r[11:16]
    nearest = (
        None
        if kind is None
        else Nearest(kind, at, original, bool(provisional), DeadlineState(deadline_state))
    )
    ev_id, title, severity, state, topic, heat, posts, started, next_at, lead_id, lead = r[:11]
    verification, candidate, holder = r[16:19]
    return QueueRow(
        ev_id, title, severity, state, topic, heat, posts, started, next_at, lead_id, lead,
        nearest, verification or Verification.NONE, candidate, holder,
    )


MAJORS = (Severity.EXTRAORDINARY, Severity.MAJOR)


def with_statutory(
    session: Session, page: QueuePage, kinds: frozenset[str]
) -> QueuePage:
    """The page with each major's statutory windows (``kinds``: the policy's 5 h / 24 h
    windows), read in one query for the majors on the page: the latest cycle of each kind,
    open or closed, so the row shows the countdown or that it was done."""
    majors = [r.id for r in page.rows if r.severity in MAJORS]
    if not majors or not kinds:
        return page
    D = models.Deadline.__table__.c
    found: dict[tuple[int, str], tuple[int, Statutory]] = {}
    for event_id, kind, cycle, at, st, met in session.connection().execute(
        select(D.event_id, D.kind, D.cycle, D.deadline_at, D.state, D.met_at).where(
            D.event_id.in_(majors),
            D.kind.in_(sorted(kinds)),
            D.assignment_id.is_(None),
            D.state != DeadlineState.CANCELLED.value,
        )
    ):
        key = (event_id, kind)
        if key not in found or cycle > found[key][0]:
            found[key] = (cycle, Statutory(kind, at, DeadlineState(st), met))
    order = sorted(kinds)
    rows = [
        replace(
            r,
            statutory=tuple(
                sorted(
                    (v for (e, _k), (_c, v) in found.items() if e == r.id),
                    key=lambda w: (w.deadline_at, order.index(w.kind)),
                )
            ),
        )
        if r.severity in MAJORS
        else r
        for r in page.rows
    ]
    return QueuePage(rows, page.has_more)


def fetch_queue(
    session: Session, f: QueueFilters, tz: ZoneInfo, page_size: int = PAGE_SIZE
) -> QueuePage:
    bind = session.get_bind()
    dialect = bind.dialect.name
    if f.q and isinstance(bind, Engine):
        ensure_search_index(bind)  # normally done at start-up; cheap once done
    shape, params = _params(f, dialect, tz)
    skip = (f.page - 1) * page_size
    want = page_size + 1  # one more than shown tells whether a next page exists
    rows: list[QueueRow] = []
    conn = session.connection()
    # with a grade filtered, a 待核实 event is listed at its grade in force
    pending_first = f.severity is None
    segments: list[tuple[str, dict[str, Any]]] = [(PENDING_SEGMENT, params)] if pending_first else []
    for sev in [f.severity] if f.severity else SEVERITY_ORDER:
        for which in (WITH_DEADLINE, WITHOUT_DEADLINE):
            segments.append((which, {**params, "severity": sev.value}))
    for which, seg_params in segments:
        if skip:
            count = conn.scalar(_segment_count(shape, dialect, which, pending_first), seg_params)
            if count is not None and count <= skip:
                skip -= count
                continue
        seg_params = {**seg_params, "skip": skip, "take": want - len(rows)}
        for r in conn.execute(_segment(shape, dialect, which, pending_first), seg_params):
            rows.append(_row(r))
        skip = 0
        if len(rows) >= want:
            return QueuePage(rows[:page_size], has_more=True)
    return QueuePage(rows, has_more=False)
