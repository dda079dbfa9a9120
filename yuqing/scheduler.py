"""The scheduler: APScheduler 3 with its job store in yuqing's own database.

Jobs are stored by textual reference (``yuqing.jobs:NAME``) so that a restart finds them and
carries on; every job is a thin wrapper around a single idempotent step, so a run that fires
late, or once more after a crash, does no harm. ``coalesce`` folds missed runs into one and
``max_instances=1`` keeps a slow run from overlapping the next.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import Engine

from domain.settings import Settings

log = logging.getLogger(__name__)

JOBSTORE_TABLE = "apscheduler_jobs"


CRAWL_EXECUTOR = "crawl"
MORNING_BRIEF_AT = (8, 0)  # the duty office's 值班早报, local time


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: str
    trigger: Any
    misfire_grace_time: int
    args: tuple[str, ...] = ()
    # crawls wait on their subprocess for seconds or minutes: they get threads of their own,
    # so that a slow board never holds up the analysis, the SLA tick or the outbox
    executor: str = "default"


def job_specs(settings: Settings) -> list[JobSpec]:
    tz = settings.timezone
    hour, minute = (int(x) for x in settings.digest.time.split(":"))
    specs = [
        JobSpec("analyze", "yuqing.jobs:analyze_pending", IntervalTrigger(seconds=5), 30),
        JobSpec("sla_tick", "yuqing.jobs:sla_tick", IntervalTrigger(minutes=1), 120),
        JobSpec("outbox_flush", "yuqing.jobs:flush_outbox", IntervalTrigger(seconds=30), 60),
        JobSpec("source_health", "yuqing.jobs:check_sources", IntervalTrigger(minutes=5), 600),
        JobSpec(
            "weekly_digest",
            "yuqing.jobs:weekly_digest",
            CronTrigger(day_of_week=settings.digest.weekday, hour=hour, minute=minute, timezone=tz),
            # a digest missed by up to a day (a restart over the weekend) is still worth sending
            86400,
        ),
        JobSpec(
            "morning_brief",
            "yuqing.jobs:morning_brief",
            CronTrigger(hour=MORNING_BRIEF_AT[0], minute=MORNING_BRIEF_AT[1], timezone=tz),
            # after 11:00 the morning brief is stale: the day's dashboard says more
            3 * 3600,
        ),
    ]
    if settings.backup.enabled and settings.database_url.startswith("sqlite"):
        # PostgreSQL is dumped by pg_dump on a timer of the system's (README, Operations)
        b_hour, b_minute = (int(x) for x in settings.backup.time.split(":"))
        specs.append(JobSpec(
            "backup", "yuqing.jobs:backup",
            CronTrigger(hour=b_hour, minute=b_minute, timezone=tz),
            # a backup missed by a restart during the night is still taken in the morning
            6 * 3600,
        ))
    if settings.classifier.retrain:
        r_hour, r_minute = (int(x) for x in settings.classifier.retrain_time.split(":"))
        specs.append(
            JobSpec(
                "retrain_models",
                "yuqing.jobs:retrain_models",
                CronTrigger(
                    day_of_week=settings.classifier.retrain_weekday,
                    hour=r_hour,
                    minute=r_minute,
                    timezone=tz,
                ),
                # a retraining missed by a restart still runs within the day
                86400,
            )
        )
    for source in settings.sources:
        if source.enabled:
            specs.append(
                JobSpec(
                    f"crawl:{source.id}",
                    "yuqing.jobs:crawl_source",
                    IntervalTrigger(seconds=source.interval_s),
                    max(60, source.interval_s),
                    (source.id,),
                    CRAWL_EXECUTOR,
                )
            )
    return specs


# APScheduler's lines for every run of every job ("Running job …", "… executed
# successfully"), every few seconds: routine, so DEBUG; what goes wrong stays at its level.
ROUTINE = ("Running job", "executed successfully", "Removed job", "Added job", "Looking for jobs")


class RoutineAtDebug(logging.Filter):
    """Shows APScheduler's routine INFO lines as DEBUG (hidden unless DEBUG is on)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno == logging.INFO and any(part in record.getMessage() for part in ROUTINE):
            record.levelno, record.levelname = logging.DEBUG, "DEBUG"
            return logging.getLogger().isEnabledFor(logging.DEBUG)
        return True


_ROUTINE_FILTER = RoutineAtDebug()


def quiet_routine_lines() -> None:
    """Install the filter on APScheduler's loggers (once; idempotent)."""
    for name in (
        "apscheduler.executors.default",
        "apscheduler.executors.crawl",
        "apscheduler.scheduler",
    ):
        logger = logging.getLogger(name)
        if _ROUTINE_FILTER not in logger.filters:
            logger.addFilter(_ROUTINE_FILTER)


def build_scheduler(engine: Engine, settings: Settings, workers: int = 4) -> BackgroundScheduler:
    quiet_routine_lines()
    crawlers = max(1, sum(1 for s in settings.sources if s.enabled))
    return BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=engine, tablename=JOBSTORE_TABLE)},
        executors={
            "default": ThreadPoolExecutor(workers),
            # one thread per source at most: each crawl is a subprocess, the threads only wait
            CRAWL_EXECUTOR: ThreadPoolExecutor(min(crawlers, 8)),
        },
        job_defaults={"coalesce": True, "max_instances": 1},
        timezone=settings.timezone,
    )


def sync_jobs(scheduler: BackgroundScheduler, settings: Settings) -> list[str]:
    """Make the stored jobs match the configuration; keep the next run time of unchanged jobs,
    so a restart neither skips nor repeats a run. Returns what changed, for the log."""
    wanted = {spec.id: spec for spec in job_specs(settings)}
    changes = []
    now = datetime.now(UTC)
    stagger = 0
    for job in scheduler.get_jobs():
        if job.id not in wanted:
            scheduler.remove_job(job.id)
            changes.append(f"removed {job.id}")
    for spec in wanted.values():
        existing = scheduler.get_job(spec.id)
        if existing is not None and str(existing.trigger) == str(spec.trigger) and (
            existing.func_ref == spec.func and tuple(existing.args) == spec.args
            and existing.executor == spec.executor
        ):
            continue
        extra: dict[str, Any] = {}
        if existing is None and isinstance(spec.trigger, IntervalTrigger):
            # a new job runs soon after start-up rather than a whole interval later; crawls are
            # staggered so they do not all start in the same second
            stagger += 3
            extra["next_run_time"] = now + timedelta(seconds=stagger)
        scheduler.add_job(
            spec.func,
            trigger=spec.trigger,
            args=spec.args,
            id=spec.id,
            name=spec.id,
            replace_existing=True,
            misfire_grace_time=spec.misfire_grace_time,
            executor=spec.executor,
            **extra,
        )
        changes.append(f"{'updated' if existing else 'added'} {spec.id}")
    return changes
