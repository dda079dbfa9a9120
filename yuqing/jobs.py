"""The scheduler's jobs: thin wrappers that find the running service and call one step.

Each step is idempotent and takes ``now``; tests call the steps directly. The jobs chain where
waiting would only add latency: a crawl that brought posts runs the analysis at once, and an
analysis that opened events flushes the outbox at once.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta

from crawlers.run import CrawlError, run_crawl
from response_sla.configured import run_tick
from storage.db import transaction
from yuqing import analysis, source_health
from yuqing.analysis import Analyzer
from yuqing.digest.jobs import queue_weekly_digest
from yuqing.notify import outbox
from yuqing.retraining import run_retraining
from yuqing.runtime import Runtime, current

log = logging.getLogger(__name__)

# a crawl that takes longer than this is stuck: the subprocess is killed and the run counted
CRAWL_TIMEOUT_S = 600
# one analysis run works at most this long; the next run (every few seconds) carries on
ANALYZE_SLICE_S = 30.0


def _now() -> datetime:
    return datetime.now(UTC)


def analyze_pending(*, wait: bool = False) -> int:
    """Analyse what waits, a batch at a time, for at most ``ANALYZE_SLICE_S``: under a flood
    of posts the next run carries on, and the thread is not held for ever. ``wait=False``
    (after a crawl) leaves it to the analysis already running, if there is one."""
    rt = current()

    if not rt.analyze_lock.acquire(blocking=wait):
        return 0
    total = 0
    try:
        if rt.analyzer is None or rt.analyzer.model_changed():
            rebuilt = rt.analyzer is not None
            rt.analyzer = Analyzer.build(rt.app.settings, rt.app.sessions, _now())
            if rebuilt:
                log.info("switched to the active model %s",
                         rt.analyzer.model_dir.name if rt.analyzer.model_dir else "(shipped)")
        until = time.monotonic() + ANALYZE_SLICE_S
        while time.monotonic() < until:
            report = analysis.analyze_pending(rt.analyzer, rt.app.sessions, _now())
            total += report.posts
            if not report.posts:
                break
            log.info("analysed %d posts: %d new events, %d joined, %d raised, %d replies",
                     report.posts, report.new_events, report.joined, report.raised,
                     report.replies)
    finally:
        rt.analyze_lock.release()
    rt.record("analyze", f"{total} posts", _now())
    if total:
        flush_outbox(wait=False)
    return total


def sla_tick() -> None:
    rt = current()

    if rt.metrics is None:
        result = run_tick(rt.app.settings, rt.app.sessions, _now())
    else:
        with rt.metrics.time_tick():
            result = run_tick(rt.app.settings, rt.app.sessions, _now())
    rt.record("sla_tick", str(result), _now())


def flush_outbox(*, wait: bool = True) -> None:
    rt = current()

    lease = rt.app.settings.mail.lease_s
    if not rt.flush_lock.acquire(blocking=wait):
        return  # a flush is running; it or the next one sends what is new
    try:
        result = outbox.flush_outbox(rt.app.settings, rt.app.sessions, _now(),
                      lease=timedelta(seconds=lease), budget_s=min(120.0, lease / 2))
    finally:
        rt.flush_lock.release()
    if rt.metrics is not None:
        rt.metrics.flushed(result)
    rt.record("outbox_flush", str(result), _now())


def check_sources() -> None:
    rt = current()

    with transaction(rt.app.sessions) as session:
        flagged = source_health.check_sources(session, rt.app.settings, _now(), started_at=rt.started_at)
    for source_id in flagged:
        log.error("source %s went silent; the duty officers are told", source_id,
                  extra={"source_id": source_id, "job": "source_health"})
    rt.record("source_health", f"{len(flagged)} flagged", _now())


def weekly_digest() -> None:
    rt = current()

    queued = queue_weekly_digest(rt.app.settings, rt.app.sessions, _now())
    rt.record("weekly_digest", "queued" if queued else "already queued", _now())
    if queued:
        flush_outbox(wait=False)


def backup() -> None:
    from yuqing.backup import BackupError, scheduled_backup

    rt = current()
    try:
        path, pruned = scheduled_backup(rt.app.settings, _now())
    except (BackupError, OSError) as exc:
        log.error("backup failed: %s", exc, extra={"job": "backup"})
        rt.record("backup", f"failed: {exc}", _now())
        return
    log.info("backup written to %s; %d old backups removed", path, len(pruned),
             extra={"job": "backup"})
    rt.record("backup", str(path.name), _now())


def morning_brief() -> None:
    """Queue the duty office's 值班早报 (once a day) and send it."""
    from yuqing.notify.morning import queue_morning_brief

    rt = current()
    queued = queue_morning_brief(rt.app.settings, rt.app.sessions, _now())
    rt.record("morning_brief", "queued" if queued else "already queued", _now())
    if queued:
        flush_outbox(wait=False)


def retrain_models() -> None:
    """The weekly guarded retraining; a newly activated model is picked up by the next
    analysis run (as is one activated by hand)."""
    rt = current()

    result = run_retraining(rt.app.settings, rt.app.sessions, _now())
    log.info("model retraining: %s", result.line())
    if result.status == "activated":
        with rt.analyze_lock:
            rt.analyzer = None  # rebuilt with the active model by the next analysis run
    rt.record("retrain_models", result.status, _now())


def crawl_source(source_id: str) -> None:
    rt = current()

    try:
        summary = run_crawl(rt.app.settings, source_id, timeout_s=CRAWL_TIMEOUT_S)
    except (CrawlError, OSError) as exc:
        log.error("crawl of %s failed: %s", source_id, exc,
                  extra={"source_id": source_id, "job": f"crawl:{source_id}"})
        rt.record(f"crawl:{source_id}", f"failed: {exc}", _now())
        return
    except Exception as exc:  # the subprocess timed out: the next run starts afresh
        log.error("crawl of %s did not finish: %s", source_id, exc,
                  extra={"source_id": source_id, "job": f"crawl:{source_id}"})
        rt.record(f"crawl:{source_id}", f"failed: {exc}", _now())
        return
    log.info("crawl %s", summary.line(),
             extra={"source_id": source_id, "job": f"crawl:{source_id}"})
    rt.record(f"crawl:{source_id}", summary.status, _now())
    if summary.items_new or summary.items_updated:
        analyze_pending()


__all__ = ["Runtime", "analyze_pending", "backup", "check_sources", "crawl_source", "flush_outbox",
           "morning_brief", "retrain_models", "sla_tick", "weekly_digest"]
