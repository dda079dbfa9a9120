"""The figures of the weekly digest, the quarterly report and the dashboard's scoreboard.

One implementation for all three. Every figure is taken *as of* a moment ``t`` through
``yuqing.digest.history``: for a week, ``t`` is the end of the week (the next Monday 00:00
Asia/Shanghai, exclusive), so rendering a past week again gives the same numbers however the
rows changed since. The live scoreboard passes ``t = now``.

Per unit, over a period [start, end):

- 交办: assignments given to the unit in the period (牵头 and 配合, not 统筹);
- 签收率: of those, the share acknowledged before ``t``;
- 按时回应率 / 按时办结率: the unit's response windows (发布权威信息, 新闻发布会, 予以回应, …) /
  办结 windows *decided* in the period — met on time (decided when met) or late (decided when
  the deadline passed) — met on time over all decided. Windows still running at ``t`` are
  neither; 签收 windows are counted by 签收率 instead. A window belongs to the unit that met
  it, or that held it when its deadline passed;
- 超期: windows of any kind whose deadline passed unmet in the period;
- 退单 / 延期: returns made and extensions approved in the period;
- 回应用时中位数: median time from a response window's start (the first public appearance)
  to its closure, over response windows closed in the period.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from domain.vocabulary import SEVERITY_ORDER
from response_sla.charging import caused_by_late_detection, charged_to_unit
from storage import models
from storage.enums import AssignmentRole, EventState, Severity
from yuqing.digest import history as hist
from yuqing.digest.history import LATE, ClockRecord, History, Status
from yuqing.digest.verification import VerificationCounts, verification_counts
from yuqing.digest.weeks import Period, weeks_before

TREND_WEEKS = 8
UNCLASSIFIED = "未分类"
UNCLUSTERED = "未归入事件"
DROPPED = "不相关/已合并"

# Window kinds the SLA engine and the dashboard write, when no policy names them.
DEFAULT_LABELS: dict[str, str] = {
    "publish_info": "发布权威信息",
    "publish_5h": "发布权威信息",
    "press_conference": "召开新闻发布会",
    "press_24h": "召开新闻发布会",
    "respond": "予以回应",
    "respond_48h": "予以回应",
    "acknowledge": "签收",
    "resolve": "办结",
    "website_error": "网站找错处理回复",
}
RATE_NAMES = {"ack": "签收率", "respond": "按时回应率", "close": "按时办结率"}


class Windows:
    """What each window kind is: 签收 (ack), a response (respond) or 办结 (close), and its
    label. Taken from the SLA policy when one is given, else from the kind's name."""

    def __init__(self, policy: Any | None = None) -> None:
        self._groups: dict[str, str] = {}
        self._labels: dict[str, str] = dict(DEFAULT_LABELS)
        # the statutory windows, the duty office's where a unit has its own beside them
        self._office: set[str] = set()
        self._own: set[str] = set()  # a unit's own window of a role (the lead's 5 h / 24 h)
        for name, kind in (getattr(policy, "kinds", None) or {}).items():
            if not charged_to_unit(kind):
                self._office.add(name)
            if getattr(kind, "roles", None) is not None:
                self._own.add(name)
            met_by = set(kind.met_by)
            if "acknowledge" in met_by:
                self._groups[name] = "ack"
            elif met_by <= {"resolve"}:
                self._groups[name] = "close"
            else:
                self._groups[name] = "respond"
            self._labels[name] = kind.label

    def group(self, kind: str) -> str:
        if kind in self._groups:
            return self._groups[kind]
        if kind.startswith("ack"):
            return "ack"
        if kind.startswith(("close", "banjie", "resolve")):
            return "close"
        return "respond"

    def label(self, kind: str) -> str:
        return self._labels.get(kind, kind)

    def charged_to_unit(self, kind: str, own: bool = False) -> bool:
        """Whether a breach of ``kind`` counts against its unit; ``own``: the event has a
        unit's own window beside its statutory one."""
        return not (own and kind in self._office)

    def is_own(self, kind: str) -> bool:
        return kind in self._own


@dataclass
class Rate:
    done: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return self.done / self.total if self.total else None

    def add(self, other: Rate) -> None:
        self.done += other.done
        self.total += other.total


@dataclass
class UnitFigures:
    unit_id: str
    name: str
    kind: str
    short: str = ""
    assignments: int = 0
    ack: Rate = field(default_factory=Rate)
    respond: Rate = field(default_factory=Rate)
    close: Rate = field(default_factory=Rate)
    breaches: int = 0
    returns: int = 0
    extensions: int = 0
    response_hours: list[float] = field(default_factory=list)
    trend: list[Rate] = field(default_factory=list)  # 按时回应率 per week, oldest first

    @property
    def active(self) -> bool:
        return bool(
            self.assignments
            or self.respond.total
            or self.close.total
            or self.returns
            or self.breaches
            or self.extensions
        )

    @property
    def display_name(self) -> str:
        return self.short or self.name

    @property
    def median_response_hours(self) -> float | None:
        return statistics.median(self.response_hours) if self.response_hours else None

    def below(self, bar: float) -> list[tuple[str, Rate]]:
        """The rates under the bar (rates with nothing to count are not judged)."""
        return [
            (RATE_NAMES[key], rate)
            for key, rate in (("ack", self.ack), ("respond", self.respond), ("close", self.close))
            if rate.value is not None and rate.value < bar
        ]

    def add(self, other: UnitFigures) -> None:
        self.assignments += other.assignments
        self.ack.add(other.ack)
        self.respond.add(other.respond)
        self.close.add(other.close)
        self.breaches += other.breaches
        self.returns += other.returns
        self.extensions += other.extensions
        self.response_hours += other.response_hours


UnitDirectory = Mapping[str, tuple[str, str, str]]  # id -> (name, kind, short name)


def unit_directory(session: Session) -> dict[str, tuple[str, str, str]]:
    out: dict[str, tuple[str, str, str]] = {}
    for uid, name, kind, names in session.execute(
        select(models.Unit.id, models.Unit.name, models.Unit.kind, models.Unit.names)
    ):
        short = next((n for n in (names or [])[1:] if isinstance(n, str) and n), "")
        out[uid] = (name, kind, short)
    return out


def _in(moment: datetime | None, start: datetime, end: datetime) -> bool:
    return moment is not None and start <= moment < end


def unit_figures(
    h: History,
    start: datetime,
    end: datetime,
    t: datetime,
    units: UnitDirectory,
    windows: Windows,
    *,
    only_active_units: bool = False,
) -> dict[str, UnitFigures]:
    """Per-unit figures for [start, end) as of ``t`` (``end <= t``)."""
    out: dict[str, UnitFigures] = {}
    for uid, (name, kind, short) in units.items():
        out[uid] = UnitFigures(uid, name, kind, short)

    def unit(uid: str | None) -> UnitFigures | None:
        if uid is None:
            return None
        if uid not in out:
            if only_active_units:
                return None
            out[uid] = UnitFigures(uid, uid, "")
        return out[uid]

    def dropped(event_id: int) -> bool:
        ev = h.events.get(event_id)
        return ev is not None and ev.dropped(t)

    # each assignment's 签收 window, as it stood at t
    ack_windows: dict[int, Status] = {
        c.assignment_id: h.outcome(c, t).status
        for c in h.clocks
        if c.assignment_id is not None and windows.group(c.kind) == "ack" and c.exists(t)
    }
    for a in h.assignments:
        if a.role is AssignmentRole.COORDINATE or not _in(a.assigned_at, start, min(end, t)):
            continue
        if dropped(a.event_id):
            continue  # merged away or not relevant: nobody is judged on it
        if (u := unit(a.unit_id)) is not None:
            u.assignments += 1
            acked = a.acknowledged_at is not None and a.acknowledged_at < t
            window = ack_windows.get(a.id)
            # a 签收 counts once it is done or its window has ended, not while it runs
            if acked or window not in (Status.RUNNING, Status.ABSENT):
                u.ack.total += 1
                u.ack.done += acked
    owned = {c.event_id for c in h.clocks if windows.is_own(c.kind)}
    for c in h.clocks:
        if not c.may_matter(start, end) or dropped(c.event_id):
            continue
        o = h.outcome(c, t)
        if o.status is Status.ABSENT:
            continue
        u = unit(o.unit_id)
        if u is None:
            continue
        charged = windows.charged_to_unit(c.kind, c.event_id in owned)
        if o.status in LATE and _in(o.deadline_at, start, end) and charged:
            u.breaches += 1
        group = windows.group(c.kind)
        if group == "ack":
            continue
        if o.status in hist.DECIDED and _in(o.decided_at, start, end):
            rate = u.close if group == "close" else u.respond
            rate.total += 1
            rate.done += o.status is Status.MET
        if group == "respond" and _in(o.met_at, start, end) and o.met_at is not None:
            u.response_hours.append((o.met_at - c.starts_at).total_seconds() / 3600)
    for at, what, unit_id, _event in h.unit_log:
        if _in(at, start, end) and at < t and (u := unit(unit_id)) is not None:
            if what == "return":
                u.returns += 1
            else:
                u.extensions += 1
    return out


def total(figures: Iterable[UnitFigures]) -> UnitFigures:
    out = UnitFigures("*", "合计", "")
    for f in figures:
        out.add(f)
    return out


def worst_first(figures: Iterable[UnitFigures]) -> list[UnitFigures]:
    def key(f: UnitFigures) -> tuple[bool, float, float, str]:
        respond = f.respond.value if f.respond.value is not None else 2.0
        ack = f.ack.value if f.ack.value is not None else 2.0
        return (not f.active, respond, ack, f.unit_id)

    return sorted(figures, key=key)


# ---------------------------------------------------------------- the dashboard's scoreboard


def week_starts(now: datetime, tz: ZoneInfo, weeks: int = TREND_WEEKS) -> list[datetime]:
    """Monday 00:00 local of each of the last ``weeks`` weeks (this week last)."""
    today = now.astimezone(tz).date()
    monday = today - timedelta(days=today.weekday())
    return [
        datetime.combine(monday - timedelta(weeks=weeks - 1 - i), time(), tz) for i in range(weeks)
    ]


def live_scores(
    session: Session,
    now: datetime,
    tz: ZoneInfo,
    period_weeks: int = 4,
    windows: Windows | None = None,
) -> tuple[list[UnitFigures], list[datetime]]:
    """Active units' figures for the last ``period_weeks`` weeks (this one included) as of
    ``now``, each with its 8-week 按时回应率 trend; worst first."""
    windows = windows or Windows()
    starts = week_starts(now, tz)
    period_from = starts[-min(max(period_weeks, 1), TREND_WEEKS)]
    active = set(session.scalars(select(models.Unit.id).where(models.Unit.active.is_(True))))
    units = {uid: v for uid, v in unit_directory(session).items() if uid in active}
    h = hist.load(session, starts[0], now)
    scores = unit_figures(h, period_from, now, now, units, windows, only_active_units=True)
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else now
        week = unit_figures(h, start, end, now, units, windows, only_active_units=True)
        for uid, s in scores.items():
            s.trend.append(week[uid].respond)
    return worst_first(scores.values()), starts


# ---------------------------------------------------------------- the week


@dataclass
class Count:
    posts: int = 0
    events: int = 0


@dataclass
class BreachRow:
    clock_id: int
    event_id: int
    title: str
    unit_id: str | None
    unit: str
    window: str
    deadline_at: datetime
    status: Status
    late_by: timedelta
    level: int
    new: bool  # the deadline passed this week (else: an older breach escalated this week)
    late_detection: bool = False  # the window was past when it opened: found too late


@dataclass
class DueRow:
    clock_id: int
    event_id: int
    title: str
    severity: Severity
    unit: str
    window: str
    deadline_at: datetime
    left: timedelta


@dataclass
class TrendPoint:
    label: str
    start: datetime
    ack: Rate
    respond: Rate
    close: Rate
    events: int
    breaches: int


@dataclass
class WindowCell:
    label: str
    deadline_at: datetime
    met_at: datetime | None
    status: Status
    late_by: timedelta | None
    level: int


@dataclass
class CaseRow:
    event_id: int
    title: str
    first_seen_at: datetime
    topic: str
    severity: Severity
    lead: str
    co_units: list[str]
    assigned_at: datetime | None
    acknowledged_at: datetime | None
    respond: WindowCell | None
    close: WindowCell | None
    others: list[WindowCell]
    late_by: timedelta | None  # the longest delay among its windows
    level: int
    returns: int
    extensions: int
    state: str


@dataclass
class WeekFigures:
    period: Period
    as_of: datetime
    bar: float
    posts: int
    events: int
    by_topic: list[tuple[str, Count]]
    by_severity: list[tuple[str, Count]]
    breaches: list[BreachRow]
    units: list[UnitFigures]  # units with something to count, worst first
    totals: UnitFigures
    below_bar: list[tuple[UnitFigures, list[tuple[str, Rate]]]]
    coming_due: list[DueRow]
    overdue_open: int  # windows still open past their deadline at the end of the week
    trend: list[TrendPoint]
    cases: list[CaseRow]
    verification: VerificationCounts = field(default_factory=VerificationCounts)

    @property
    def complete(self) -> bool:
        """The week had ended when its figures were taken (else: as of ``as_of``, and they
        will change until it ends)."""
        return self.as_of >= self.period.end

    @property
    def new_breaches(self) -> list[BreachRow]:
        return [b for b in self.breaches if b.new]

    @property
    def escalations(self) -> list[BreachRow]:
        return [b for b in self.breaches if b.level >= 2]


def _topic_order(topics: Iterable[str], known: Iterable[str]) -> list[str]:
    known = list(known)
    rest = sorted(t for t in set(topics) if t not in known)
    return [t for t in known if t in set(topics)] + rest


def new_counts(
    h: History, start: datetime, end: datetime, t: datetime, known_topics: Iterable[str]
) -> tuple[int, int, list[tuple[str, Count]], list[tuple[str, Count]]]:
    """Posts first seen and events that appeared in [start, end), by topic and severity."""
    topics: dict[str, Count] = {}
    severities: dict[str, Count] = {s.label: Count() for s in SEVERITY_ORDER}
    posts = events = 0
    for post_id, seen, event_now in h.posts:
        if not _in(seen, start, end):
            continue
        posts += 1
        event_id = h.event_at(post_id, event_now, t)
        ev = h.events.get(event_id) if event_id is not None else None
        if ev is None or not ev.exists(t):
            topics.setdefault(UNCLUSTERED, Count()).posts += 1
            continue
        if ev.dropped(t):
            topics.setdefault(DROPPED, Count()).posts += 1
            continue
        topics.setdefault(ev.topic(t) or UNCLASSIFIED, Count()).posts += 1
        severities[ev.severity(t).label].posts += 1
    for ev in h.events.values():
        if _in(ev.first_seen_at, start, end) and ev.counts(t):
            events += 1
            topics.setdefault(ev.topic(t) or UNCLASSIFIED, Count()).events += 1
            severities[ev.severity(t).label].events += 1
    order = _topic_order(topics, [*known_topics, UNCLASSIFIED, UNCLUSTERED, DROPPED])
    return (
        posts,
        events,
        [(k, topics[k]) for k in order],
        [(k, c) for k, c in severities.items()],
    )


def _title(h: History, event_id: int, mask: Callable[[str], str]) -> str:
    ev = h.events.get(event_id)
    return mask(ev.title) if ev else f"事件 {event_id}"


def breaches(
    h: History,
    period: Period,
    units: UnitDirectory,
    windows: Windows,
    mask: Callable[[str], str],
    t: datetime | None = None,
) -> list[BreachRow]:
    """Windows late as of ``t`` (the week's end, or now for a week not over): a deadline
    that has not passed by ``t`` is never listed."""
    t = min(t or period.end, period.end)
    rows: list[BreachRow] = []
    for c in h.clocks:
        o = h.outcome(c, t)
        if o.status not in LATE or o.deadline_at >= t:
            continue
        ev = h.events.get(c.event_id)
        if ev is not None and ev.dropped(t):
            continue
        new = _in(o.deadline_at, period.start, t)
        escalated = any(lvl >= 2 and _in(at, period.start, t) for at, lvl in c.levels)
        if not (new or escalated):
            continue
        rows.append(
            BreachRow(
                clock_id=c.id,
                event_id=c.event_id,
                title=_title(h, c.event_id, mask),
                unit_id=o.unit_id,
                unit=_unit_name(units, o.unit_id),
                window=windows.label(c.kind),
                deadline_at=o.deadline_at,
                status=o.status,
                late_by=o.late_by or timedelta(0),
                level=o.level,
                new=new,
                late_detection=caused_by_late_detection(c.opened_at, c.original_deadline_at),
            )
        )
    return sorted(rows, key=lambda r: (-r.level, -r.late_by, r.event_id, r.clock_id))


def _unit_name(units: UnitDirectory, uid: str | None) -> str:
    if uid is None:
        return "（未交办）"
    name, _kind, short = units.get(uid, (uid, "", ""))
    return short or name


def coming_due(
    h: History,
    t: datetime,
    horizon: timedelta,
    units: UnitDirectory,
    windows: Windows,
    mask: Callable[[str], str],
) -> list[DueRow]:
    rows: list[DueRow] = []
    for c in h.clocks:
        o = h.outcome(c, t)
        ev = h.events.get(c.event_id)
        if o.status is not Status.RUNNING or ev is None or not ev.counts(t):
            continue
        if not (t <= o.deadline_at < t + horizon):
            continue
        rows.append(
            DueRow(
                clock_id=c.id,
                event_id=c.event_id,
                title=mask(ev.title),
                severity=ev.severity(t),
                unit=_unit_name(units, o.unit_id),
                window=windows.label(c.kind),
                deadline_at=o.deadline_at,
                left=o.deadline_at - t,
            )
        )
    return sorted(rows, key=lambda r: (r.deadline_at, r.event_id, r.clock_id))


def _cell(h: History, c: ClockRecord, t: datetime, windows: Windows) -> WindowCell:
    o = h.outcome(c, t)
    return WindowCell(windows.label(c.kind), o.deadline_at, o.met_at, o.status, o.late_by, o.level)


def _primary(cells: list[tuple[ClockRecord, WindowCell]]) -> WindowCell | None:
    """The window that speaks for the case: the newest cycle, the earliest deadline."""
    live = [(c, w) for c, w in cells if w.status not in (Status.CANCELLED, Status.ABSENT)]
    if not live:
        return None
    cycle = max(c.cycle for c, _ in live)
    return min((w for c, w in live if c.cycle == cycle), key=lambda w: w.deadline_at)


def cases(
    h: History,
    period: Period,
    units: UnitDirectory,
    windows: Windows,
    mask: Callable[[str], str],
    t: datetime | None = None,
) -> list[CaseRow]:
    """Every case of the week: new this week, assigned or with a window decided or escalated
    this week, or still being handled at the end of it (or at ``t``, for a week not over)."""
    t = min(t or period.end, period.end)
    by_event: dict[int, list[ClockRecord]] = {}
    for c in h.clocks:
        by_event.setdefault(c.event_id, []).append(c)
    active: set[int] = {
        e.id for e in h.events.values() if _in(e.first_seen_at, period.start, t) and e.counts(t)
    }
    for a in h.assignments:
        if _in(a.assigned_at, period.start, t):
            active.add(a.event_id)
    for c in h.clocks:
        o = h.outcome(c, t)
        if (
            _in(o.decided_at, period.start, t)
            or o.status in (Status.RUNNING, Status.OVERDUE)
            or any(_in(at, period.start, t) for at, _ in c.levels)
        ):
            active.add(c.event_id)
    changes = Counter((what, ev) for at, what, _u, ev in h.unit_log if _in(at, period.start, t))
    rows: list[CaseRow] = []
    moment = t - timedelta(microseconds=1)
    for event_id in sorted(active):
        ev = h.events.get(event_id)
        if ev is None or not ev.exists(t):
            continue
        clocks = [c for c in by_event.get(event_id, []) if c.exists(t)]
        cells = [(c, _cell(h, c, t, windows)) for c in clocks]
        respond = _primary([(c, w) for c, w in cells if windows.group(c.kind) == "respond"])
        close = _primary([(c, w) for c, w in cells if windows.group(c.kind) == "close"])
        others = [
            w
            for c, w in cells
            if windows.group(c.kind) != "ack"
            and w is not respond
            and w is not close
            and w.status not in (Status.CANCELLED, Status.ABSENT)
        ]
        held = [a for a in h.assignments_of(event_id) if a.assigned_at < t]
        lead_unit = h.lead_at(event_id, moment, t)
        lead = next(
            (a for a in reversed(held) if a.role is AssignmentRole.LEAD and a.unit_id == lead_unit),
            None,
        )
        co = sorted(
            {
                _unit_name(units, a.unit_id)
                for a in held
                if a.role is AssignmentRole.CO and a.held_at(moment)
            }
        )
        lates = [w.late_by for _, w in cells if w.status in LATE and w.late_by is not None]
        rows.append(
            CaseRow(
                event_id=event_id,
                title=mask(ev.title),
                first_seen_at=ev.first_seen_at,
                topic=ev.topic(t) or UNCLASSIFIED,
                severity=ev.severity(t),
                lead=_unit_name(units, lead_unit),
                co_units=co,
                assigned_at=lead.assigned_at if lead else None,
                acknowledged_at=(
                    lead.acknowledged_at
                    if lead and lead.acknowledged_at and lead.acknowledged_at < t
                    else None
                ),
                respond=respond,
                close=close,
                others=others,
                late_by=max(lates) if lates else None,
                level=max((w.level for _, w in cells), default=0),
                returns=changes[("return", event_id)],
                extensions=changes[("extension", event_id)],
                state=_case_state(ev, cells, t, windows),
            )
        )
    return rows


def _case_state(
    ev: hist.EventRecord, cells: list[tuple[ClockRecord, WindowCell]], t: datetime, w: Windows
) -> str:
    """The case at the week's end, in the event states' words where it is in one of them."""
    if ev.dropped(t):
        merged = ev.state_now == EventState.MERGED
        return (EventState.MERGED if merged else EventState.NOT_RELEVANT).label
    live = [(c, x) for c, x in cells if x.status not in (Status.CANCELLED, Status.ABSENT)]
    closes = [x for c, x in live if w.group(c.kind) == "close"]
    if closes and all(x.status in (Status.MET, Status.CLOSED_LATE) for x in closes):
        return EventState.CLOSED.label
    if any(x.status is Status.OVERDUE for _, x in live):
        return "超期未办"
    responds = [x for c, x in live if w.group(c.kind) == "respond"]
    if responds and all(x.status in (Status.MET, Status.CLOSED_LATE) for x in responds):
        return EventState.RESPONDED.label
    return "处置中"


def trend(
    h: History,
    weeks: list[Period],
    units: UnitDirectory,
    windows: Windows,
    now: datetime | None = None,
) -> list[TrendPoint]:
    """Each week as its own digest showed it: figures as of that week's end (a week not over
    as of ``now``)."""
    points: list[TrendPoint] = []
    for w in weeks:
        t = min(w.end, now) if now is not None else w.end
        figures = unit_figures(h, w.start, t, t, units, windows)
        all_units = total(figures.values())
        events = sum(
            1 for ev in h.events.values() if _in(ev.first_seen_at, w.start, t) and ev.counts(t)
        )
        points.append(
            TrendPoint(
                w.label,
                w.start,
                all_units.ack,
                all_units.respond,
                all_units.close,
                events,
                all_units.breaches,
            )
        )
    return points


def compute_week(
    session: Session,
    period: Period,
    tz: ZoneInfo,
    *,
    bar: float,
    topics: Iterable[str] = (),
    windows: Windows | None = None,
    mask: Callable[[str], str] = lambda s: s,
    now: datetime | None = None,
) -> WeekFigures:
    """The week's figures as of its end; for a week not over at ``now``, as of ``now`` (what
    has happened so far: nothing is late before its deadline has passed)."""
    windows = windows or Windows()
    t = min(period.end, now) if now is not None else period.end
    weeks = weeks_before(period, TREND_WEEKS, tz)
    horizon = timedelta(days=7)
    h = hist.load(session, weeks[0].start, max(t + horizon, period.end))
    units = unit_directory(session)
    figures = unit_figures(h, period.start, t, t, units, windows)
    posts, events, by_topic, by_severity = new_counts(h, period.start, t, t, topics)
    listed = worst_first(f for f in figures.values() if f.active)
    overdue = sum(
        1
        for c in h.clocks
        if h.outcome(c, t).status is Status.OVERDUE
        and not (c.event_id in h.events and h.events[c.event_id].dropped(t))
    )
    return WeekFigures(
        period=period,
        as_of=t,
        bar=bar,
        posts=posts,
        events=events,
        by_topic=by_topic,
        by_severity=by_severity,
        breaches=breaches(h, period, units, windows, mask, t),
        units=listed,
        totals=total(figures.values()),
        below_bar=[(f, f.below(bar)) for f in listed if f.below(bar)],
        coming_due=coming_due(h, t, horizon, units, windows, mask),
        overdue_open=overdue,
        trend=trend(h, weeks, units, windows, t),
        cases=cases(h, period, units, windows, mask, t),
        verification=verification_counts(session, period.start, t),
    )
