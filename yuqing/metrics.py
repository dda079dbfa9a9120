"""Prometheus metrics: what a monitoring server needs to notice that yuqing stopped working.

Two kinds of figures:

- **Read from the database at scrape time** (``DatabaseCollector``): sources, crawl runs,
  analysis backlog, SLA windows, the outbox, the scheduler's job store. Every process sharing
  one database reports the same values, whichever of them did the work, so a monitoring
  server may scrape any of them (alert rules aggregate with ``max``/``min``). Counters among
  them (``…_total``) are counts of rows that only ever grow.
- **Measured in this process**: web request durations, SLA tick durations, job runs, the
  process's role. These differ between processes; Prometheus's ``instance`` label tells
  them apart.

Label values are bounded: sources and jobs come from the configuration, kinds and grades from
fixed vocabularies, crawl error and drop reasons are cleaned and capped per source.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector
from sqlalchemy import and_, exists, func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker

from domain.event_actions import EventAction, LogEntity
from domain.settings import MetricsSettings
from storage import models
from storage.enums import DeadlineState, OutboxState
from yuqing.notify.outbox import FlushResult

log = logging.getLogger(__name__)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
JOBSTORE_TABLE = "apscheduler_jobs"

# publication → event: from seconds (a post analysed at once) to days (a board crawled late)
LATENCY_BUCKETS = (30.0, 60.0, 120.0, 300.0, 600.0, 1800.0, 3600.0, 3 * 3600.0, 6 * 3600.0,
                   12 * 3600.0, 86400.0, 3 * 86400.0)
HTTP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
TICK_BUCKETS = (0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)

# a crawl run still "running" after this long belongs to a crawler that died: not waited for
DEAD_RUN_AFTER = timedelta(days=1)
# analysed posts are counted by the time they were analysed; a post analysed at a time the
# previous scrape already passed (its transaction committed late) is still found within this
LATE_COMMIT = timedelta(minutes=10)
MAX_REASONS_PER_SOURCE = 20
WAITING = (OutboxState.PENDING, OutboxState.SENDING)
OPEN_WINDOWS = (DeadlineState.OPEN, DeadlineState.BREACHED)
SEND_OUTCOMES = ("sent", "retrying", "failed")  # fields of FlushResult


def reason_label(reason: str) -> str:
    """A crawl error or drop reason as a label value: lower-case ASCII words, at most 40."""
    cleaned = re.sub(r"[^a-z0-9_]+", "_", reason.lower()).strip("_")
    return cleaned[:40] or "unknown"


def _ts(value: datetime | None) -> float:
    return value.timestamp() if value is not None else 0.0


@dataclass
class _CrawlTotals:
    """Sums over finished crawl runs, brought up to date incrementally at each scrape."""

    floor: int = 0  # every finished run with an id up to here is counted
    counted: set[int] = field(default_factory=set)  # ids above the floor already counted
    runs: dict[tuple[str, str], int] = field(default_factory=dict)
    pages: dict[str, int] = field(default_factory=dict)
    items: dict[tuple[str, str], int] = field(default_factory=dict)
    errors: dict[tuple[str, str], int] = field(default_factory=dict)
    dropped: dict[tuple[str, str], int] = field(default_factory=dict)

    def add_reasons(self, into: dict[tuple[str, str], int], source: str,
                    reasons: dict[str, Any]) -> None:
        known = {r for s, r in into if s == source}
        for reason, count in reasons.items():
            label = reason_label(str(reason))
            if label not in known and len(known) >= MAX_REASONS_PER_SOURCE:
                label = "other"
            known.add(label)
            into[(source, label)] = into.get((source, label), 0) + int(count or 0)

    def update(self, session: Session, now: datetime) -> None:
        run = models.CrawlRun
        rows = session.execute(
            select(run.id, run.source_id, run.status, run.pages, run.items_new,
                   run.items_updated, run.errors, run.items_dropped)
            .where(run.id > self.floor, run.finished_at.is_not(None))
            .order_by(run.id)
        ).all()
        newest = self.floor
        for rid, source, status, pages, new, updated, errors, dropped in rows:
            newest = max(newest, rid)
            if rid in self.counted:
                continue
            self.counted.add(rid)
            key = (source, str(getattr(status, "value", status)))
            self.runs[key] = self.runs.get(key, 0) + 1
            self.pages[source] = self.pages.get(source, 0) + int(pages or 0)
            for outcome, n in (("new", new), ("updated", updated)):
                self.items[(source, outcome)] = self.items.get((source, outcome), 0) + int(n or 0)
            self.add_reasons(self.errors, source, errors or {})
            self.add_reasons(self.dropped, source, dropped or {})
        running = session.scalar(
            select(func.min(run.id)).where(run.id > self.floor, run.finished_at.is_(None),
                                           run.started_at > now - DEAD_RUN_AFTER))
        self.floor = newest if running is None else max(self.floor, min(newest, running - 1))
        self.counted = {i for i in self.counted if i > self.floor}


@dataclass
class _Latency:
    """Publication → event for analysed posts that joined an event, as histogram buckets."""

    since: datetime | None = None
    seen: dict[int, datetime] = field(default_factory=dict)
    buckets: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS) + 1))
    total: float = 0.0

    def update(self, session: Session) -> None:
        post = models.Post
        query = select(post.id, post.analyzed_at, post.published_at, post.first_seen_at).where(
            post.analyzed_at.is_not(None), post.event_id.is_not(None))
        if self.since is not None:
            query = query.where(post.analyzed_at > self.since - LATE_COMMIT)
        newest = self.since
        for pid, analyzed, published, first_seen in session.execute(query):
            newest = analyzed if newest is None else max(newest, analyzed)
            if pid in self.seen:
                continue
            self.seen[pid] = analyzed
            seconds = max(0.0, (analyzed - (published or first_seen)).total_seconds())
            self.total += seconds
            slot = next((i for i, b in enumerate(LATENCY_BUCKETS) if seconds <= b),
                        len(LATENCY_BUCKETS))
            self.buckets[slot] += 1
        self.since = newest
        if newest is not None:
            self.seen = {i: t for i, t in self.seen.items() if t > newest - LATE_COMMIT}

    def family(self) -> HistogramMetricFamily:
        cumulative, running = [], 0
        for bound, n in zip((*LATENCY_BUCKETS, float("inf")), self.buckets, strict=True):
            running += n
            cumulative.append(("+Inf" if bound == float("inf") else repr(bound), running))
        return HistogramMetricFamily(
            "yuqing_post_to_event_seconds",
            "Time from a post's publication (first seen, when unknown) to its analysis into an "
            "event.", buckets=cumulative, sum_value=self.total)


class DatabaseCollector(Collector):
    """Figures read from the database at each scrape."""

    def __init__(self, sessions: sessionmaker[Session],
                 clock: Callable[[], datetime] | None = None) -> None:
        self.sessions = sessions
        self.clock = clock or (lambda: datetime.now(UTC))
        self._lock = threading.Lock()
        self._crawls = _CrawlTotals()
        self._latency = _Latency()

    def describe(self) -> Iterable[Metric]:
        return []  # read at scrape time; nothing to check at registration

    def collect(self) -> Iterable[Metric]:
        now = self.clock()
        up = GaugeMetricFamily("yuqing_database_up",
                               "1 when the database answered this scrape's queries.")
        try:
            with self._lock, self.sessions() as session:
                families = [*self._sources(session, now), *self._analysis(session),
                            *self._sla(session), *self._outbox(session, now),
                            *self._scheduler(session, now)]
        except Exception:  # noqa: BLE001 - a scrape reports a database it cannot read
            log.warning("metrics: the database could not be read", exc_info=True)
            up.add_metric([], 0.0)
            return [up]
        up.add_metric([], 1.0)
        return [up, *families]

    # -- sources and crawls -------------------------------------------------------------
    def _sources(self, session: Session, now: datetime) -> Iterator[Metric]:
        last_ok = GaugeMetricFamily(
            "yuqing_source_last_success_timestamp_seconds",
            "When the source's last successful crawl finished (0: never).", labels=["source"])
        interval = GaugeMetricFamily("yuqing_source_interval_seconds",
                                     "The source's configured crawl interval.", labels=["source"])
        healthy = GaugeMetricFamily("yuqing_source_healthy",
                                    "0 while the source is flagged unhealthy.", labels=["source"])
        failures = GaugeMetricFamily("yuqing_source_consecutive_failures",
                                     "Crawls failed in a row.", labels=["source"])
        for src in session.scalars(select(models.Source).where(models.Source.enabled.is_(True))):
            last_ok.add_metric([src.id], _ts(src.last_ok_at))
            interval.add_metric([src.id], float(src.interval_s))
            healthy.add_metric([src.id], 0.0 if src.unhealthy else 1.0)
            failures.add_metric([src.id], float(src.consecutive_failures))
        yield from (last_ok, interval, healthy, failures)

        c = self._crawls
        c.update(session, now)
        runs = CounterMetricFamily("yuqing_crawl_runs", "Finished crawl runs by outcome.",
                                   labels=["source", "status"])
        for (source, status), n in sorted(c.runs.items()):
            runs.add_metric([source, status], n)
        pages = CounterMetricFamily("yuqing_crawl_pages", "Pages fetched by crawls.",
                                    labels=["source"])
        for source, n in sorted(c.pages.items()):
            pages.add_metric([source], n)
        items = CounterMetricFamily("yuqing_crawl_items", "Items stored by crawls: new or updated.",
                                    labels=["source", "outcome"])
        for (source, outcome), n in sorted(c.items.items()):
            items.add_metric([source, outcome], n)
        errors = CounterMetricFamily("yuqing_crawl_errors", "Crawl errors by reason.",
                                     labels=["source", "reason"])
        for (source, reason), n in sorted(c.errors.items()):
            errors.add_metric([source, reason], n)
        dropped = CounterMetricFamily("yuqing_crawl_items_dropped", "Items dropped by reason.",
                                      labels=["source", "reason"])
        for (source, reason), n in sorted(c.dropped.items()):
            dropped.add_metric([source, reason], n)
        yield from (runs, pages, items, errors, dropped)

    # -- analysis -----------------------------------------------------------------------
    def _analysis(self, session: Session) -> Iterator[Metric]:
        post = models.Post
        waiting = session.scalar(select(func.count()).where(post.analyzed_at.is_(None))) or 0
        oldest = session.scalar(select(func.min(post.first_seen_at)).where(
            post.analyzed_at.is_(None)))
        analysed = session.scalar(select(func.count()).where(post.analyzed_at.is_not(None))) or 0
        yield GaugeMetricFamily("yuqing_posts_waiting", "Posts stored and not yet analysed.",
                                value=waiting)
        yield GaugeMetricFamily(
            "yuqing_posts_oldest_waiting_timestamp_seconds",
            "When the oldest post still waiting for analysis was first seen (0: none waits).",
            value=_ts(oldest))
        yield CounterMetricFamily("yuqing_posts_analysed", "Posts analysed.", value=analysed)
        self._latency.update(session)
        yield self._latency.family()

    # -- SLA ----------------------------------------------------------------------------
    def _sla(self, session: Session) -> Iterator[Metric]:
        d, e, a = models.Deadline, models.Event, models.Assignment
        open_ = GaugeMetricFamily("yuqing_sla_windows_open",
                                  "Open response windows by kind and grade.",
                                  labels=["kind", "severity"])
        late = GaugeMetricFamily("yuqing_sla_windows_late",
                                 "Open response windows already past their deadline.",
                                 labels=["kind", "severity"])
        for kind, severity, state, n in session.execute(
            select(d.kind, e.severity, d.state, func.count())
            .join(e, e.id == d.event_id)
            .where(d.state.in_(OPEN_WINDOWS))
            .group_by(d.kind, e.severity, d.state)
        ):
            labels = [kind, str(getattr(severity, "value", severity))]
            (late if state is DeadlineState.BREACHED else open_).add_metric(labels, n)
        yield from (open_, late)

        breaches = CounterMetricFamily("yuqing_sla_breaches", "Response windows breached.",
                                       labels=["kind"])
        log = models.EventLog
        for kind, n in session.execute(
            select(d.kind, func.count())
            .select_from(log)
            .join(d, d.id == log.entity_id)
            .where(log.action == EventAction.BREACHED.value,
                   log.entity == LogEntity.DEADLINE.value)
            .group_by(d.kind)
        ):
            breaches.add_metric([kind], n)
        yield breaches

        acknowledged = exists().where(a.event_id == d.event_id, a.active.is_(True),
                                      a.acknowledged_at.is_not(None))
        count = GaugeMetricFamily(
            "yuqing_sla_windows_unacknowledged",
            "Open windows, not yet past their deadline, of events no unit has acknowledged.",
            labels=["kind"])
        nearest = GaugeMetricFamily(
            "yuqing_sla_unacknowledged_deadline_timestamp_seconds",
            "The nearest deadline among those windows.", labels=["kind"])
        for kind, n, soonest in session.execute(
            select(d.kind, func.count(), func.min(d.deadline_at))
            .where(d.state == DeadlineState.OPEN, ~acknowledged)
            .group_by(d.kind)
        ):
            count.add_metric([kind], n)
            nearest.add_metric([kind], _ts(_aware(soonest)))
        yield from (count, nearest)

    # -- outbox -------------------------------------------------------------------------
    def _outbox(self, session: Session, now: datetime) -> Iterator[Metric]:
        o = models.Outbox
        counts: dict[str, dict[str, float]] = {"waiting": {}, "failed": {}, "sent": {}}
        for kind, state, n in session.execute(
            select(o.kind, o.state, func.count()).group_by(o.kind, o.state)
        ):
            group = ("waiting" if state in WAITING else "failed" if state is OutboxState.FAILED
                     else "sent" if state is OutboxState.SENT else None)
            if group is not None:
                counts[group][kind] = counts[group].get(kind, 0.0) + n
        waiting = GaugeMetricFamily("yuqing_outbox_waiting", "Notifications waiting to be sent.",
                                    labels=["kind"])
        failed = GaugeMetricFamily("yuqing_outbox_failed",
                                   "Notifications that failed for good.", labels=["kind"])
        sent = CounterMetricFamily("yuqing_outbox_sent", "Notifications sent.", labels=["kind"])
        for family, group in ((waiting, "waiting"), (failed, "failed"), (sent, "sent")):
            for kind, n in sorted(counts[group].items()):
                family.add_metric([kind], n)
        yield from (waiting, failed, sent)
        oldest = session.scalar(select(func.min(o.created_at)).where(o.state.in_(WAITING)))
        yield GaugeMetricFamily(
            "yuqing_outbox_oldest_waiting_timestamp_seconds",
            "When the oldest notification still waiting was queued (0: none waits).",
            value=_ts(_aware(oldest)))
        due = session.scalar(select(func.min(o.next_attempt_at)).where(
            and_(o.state == OutboxState.PENDING, o.next_attempt_at.is_not(None))))
        due = _aware(due)
        overdue = max(0.0, (now - due).total_seconds()) if due is not None else 0.0
        yield GaugeMetricFamily(
            "yuqing_outbox_overdue_seconds",
            "How long past its scheduled attempt the most overdue waiting notification is.",
            value=overdue)

    # -- scheduler ----------------------------------------------------------------------
    def _scheduler(self, session: Session, now: datetime) -> Iterator[Metric]:
        next_run = GaugeMetricFamily(
            "yuqing_scheduler_next_run_timestamp_seconds",
            "When each scheduled job runs next, as stored in the shared job store.",
            labels=["job"])
        lag = GaugeMetricFamily(
            "yuqing_sla_tick_lag_seconds",
            "How far behind its schedule the SLA tick is (0 when on time; grows when no "
            "process runs the schedule).")
        bind = session.get_bind()
        if inspect(bind).has_table(JOBSTORE_TABLE):
            for job_id, when in session.execute(
                text(f"SELECT id, next_run_time FROM {JOBSTORE_TABLE} "
                     "WHERE next_run_time IS NOT NULL")
            ):
                next_run.add_metric([job_id], float(when))
                if job_id == "sla_tick":
                    lag.add_metric([], max(0.0, now.timestamp() - float(when)))
        yield from (next_run, lag)


def _aware(value: datetime | None) -> datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


class Metrics:
    """One process's registry: the database figures plus what this process measures."""

    def __init__(self, sessions: sessionmaker[Session],
                 clock: Callable[[], datetime] | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=False)
        self.registry.register(DatabaseCollector(sessions, clock))
        self.http_seconds = Histogram(
            "yuqing_http_request_duration_seconds", "Dashboard request durations by route.",
            ["route", "method"], buckets=HTTP_BUCKETS, registry=self.registry)
        self.tick_seconds = Histogram(
            "yuqing_sla_tick_duration_seconds", "Durations of the SLA tick in this process.",
            buckets=TICK_BUCKETS, registry=self.registry)
        self.job_runs = Counter("yuqing_job_runs", "Scheduled job runs in this process.",
                                ["job", "outcome"], registry=self.registry)
        self.job_last = Gauge("yuqing_job_last_run_timestamp_seconds",
                              "When each job last finished in this process.", ["job"],
                              registry=self.registry)
        # outcomes of this process's send attempts: during a mail-server outage messages are
        # retried on schedule for hours before any fails for good, so only the retries show it
        self.send_attempts = Counter(
            "yuqing_outbox_send_attempts", "Send attempts made by this process, by outcome.",
            ["outcome"], registry=self.registry)
        for outcome in SEND_OUTCOMES:
            self.send_attempts.labels(outcome)
        self.leader = Gauge("yuqing_leader",
                            "1 while this process leads (runs the schedule).",
                            registry=self.registry)

    def job_finished(self, job: str, ok: bool, now: datetime) -> None:
        self.job_runs.labels(job, "ok" if ok else "failed").inc()
        self.job_last.labels(job).set(now.timestamp())

    def flushed(self, result: FlushResult) -> None:
        for outcome in SEND_OUTCOMES:
            n = getattr(result, outcome)
            if n:
                self.send_attempts.labels(outcome).inc(n)

    @contextmanager
    def time_tick(self) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.tick_seconds.observe(time.perf_counter() - started)

    def render(self) -> bytes:
        return generate_latest(self.registry)


class Access:
    """Who may read ``/metrics``: the configured addresses, or a request with the token."""

    def __init__(self, settings: MetricsSettings) -> None:
        self.enabled = settings.enabled
        self.networks = [ipaddress.ip_network(a, strict=False) for a in settings.allow]
        self.token = settings.token

    def allows(self, client_host: str | None, authorization: str | None) -> bool:
        if self.token and authorization:
            import hmac

            scheme, _, given = authorization.partition(" ")
            if scheme.lower() == "bearer" and hmac.compare_digest(given.strip(), self.token):
                return True
        if client_host is None:
            return False
        try:
            address = ipaddress.ip_address(client_host)
        except ValueError:
            return False
        return any(address in net for net in self.networks)
