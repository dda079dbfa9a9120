"""RunRecorder: one ``crawl_runs`` row per crawl, and the source's health and high-water mark."""

from __future__ import annotations

import logging
import time
from datetime import datetime
from typing import Any, Final, Self

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawlers.clock import crawl_now
from crawlers.health import Flip, Health, describe, lost_items, next_health, run_status
from crawlers.summary import CrawlRunSummary
from domain.event_actions import EventAction, LogEntity
from storage.db import make_engine, make_sessionmaker, transaction
from storage.enums import CrawlStatus, OutboxKind
from storage.event_log import LogEntry, write_log
from storage.models import CrawlRun, Post, Source
from storage.outbox import Recipient, notify

log = logging.getLogger(__name__)

MAX_SAMPLES = 20
FLIP_ACTIONS: Final[dict[Flip, EventAction]] = {
    "unhealthy": EventAction.SOURCE_UNHEALTHY,
    "recovered": EventAction.SOURCE_RECOVERED,
}


def _prefixed(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    return {k[len(prefix):]: int(v) for k, v in stats.items() if k.startswith(prefix) and v}


class RunRecorder:
    def __init__(self, crawler: Crawler, db_url: str) -> None:
        self.crawler = crawler
        self.settings = crawler.settings
        self.source: dict[str, Any] = dict(crawler.settings.getdict("YUQING_SOURCE"))
        self.engine = make_engine(db_url)
        self.sessions = make_sessionmaker(self.engine)
        self.run_id: int | None = None
        self.samples: list[str] = []
        self.lost: dict[str, int] = {}
        self.started = time.monotonic()
        self.summary: CrawlRunSummary | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = crawler.settings.get("YUQING_DATABASE_URL")
        if not url or not crawler.settings.get("YUQING_SOURCE"):
            raise NotConfigured("no database or source: crawl runs are not recorded")
        ext = cls(crawler, url)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_error, signal=signals.spider_error)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        return ext

    def _now(self) -> datetime:
        return crawl_now(self.settings)

    def _ensure_source(self, session: Session) -> Source:
        row = session.get(Source, self.source["id"])
        if row is None:
            # `yuqing init` normally loads the sources; a crawl must not fail for want of it
            row = Source(id=self.source["id"], name=self.source.get("name", self.source["id"]),
                         spider=self.source["spider"], url=self.source["url"],
                         params=dict(self.source.get("params", {})),
                         interval_s=int(self.source.get("interval_s", 600)),
                         enabled=bool(self.source.get("enabled", True)),
                         consecutive_failures=0, unhealthy=False)
            session.add(row)
            session.flush()
        return row

    def spider_opened(self) -> None:
        self.started = time.monotonic()
        with transaction(self.sessions) as session:
            self._ensure_source(session)
            run = CrawlRun(source_id=self.source["id"], started_at=self._now(),
                           status=CrawlStatus.RUNNING, items_dropped={}, errors={},
                           error_samples=[])
            session.add(run)
            session.flush()
            self.run_id = run.id

    def item_dropped(self, item: Any, response: Any, exception: BaseException) -> None:
        reason = getattr(exception, "reason", None) or "dropped"
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"yuqing/dropped/{reason}")

    def item_error(self, item: Any, response: Any, failure: Any) -> None:
        """A pipeline failed on an item: it was not stored, and that is counted by reason."""
        name = type(failure.value).__name__
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"yuqing/dropped/error_{name}")
        if len(self.samples) < MAX_SAMPLES:
            url = getattr(item, "url", None) or getattr(response, "url", "?")
            self.samples.append(f"{url}: {name}: {failure.value}"[:500])

    def spider_error(self, failure: Any, response: Any) -> None:
        name = type(failure.value).__name__
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"yuqing/errors/parse_{name}")
        if len(self.samples) < MAX_SAMPLES:
            self.samples.append(f"{getattr(response, 'url', '?')}: {name}: {failure.value}"[:500])

    def spider_closed(self, reason: str) -> None:
        stats: dict[str, Any] = self.crawler.stats.get_stats() if self.crawler.stats else {}
        now = self._now()
        errors = _prefixed(stats, "yuqing/errors/")
        dropped = _prefixed(stats, "yuqing/dropped/")
        if stats.get("offsite/filtered"):
            # links that point off the board's own site: counted, never followed
            dropped["offsite"] = int(stats["offsite/filtered"])
        statuses = _prefixed(stats, "downloader/response_status_count/")
        ok_pages = sum(v for k, v in statuses.items() if k.startswith("2"))
        items = sum(int(stats.get(f"yuqing/items_{k}", 0)) for k in ("new", "updated", "unchanged"))
        status = run_status(close_reason=reason, ok_pages=ok_pages,
                            rows=int(stats.get("yuqing/rows", 0)), items=items,
                            dropped=sum(dropped.values()), errors=errors,
                            responses=int(stats.get("response_received_count", 0)),
                            shared=bool(self.crawler.settings.get("YUQING_REDIS_PREFIX")))
        error_text = describe(status, errors, dropped)
        self.lost = lost_items({**errors, **dropped})
        summary = CrawlRunSummary(
            source_id=self.source["id"], status=status.value, run_id=self.run_id,
            pages=int(stats.get("response_received_count", 0)),
            items_new=int(stats.get("yuqing/items_new", 0)),
            items_updated=int(stats.get("yuqing/items_updated", 0)),
            items_unchanged=int(stats.get("yuqing/items_unchanged", 0)),
            items_dropped=dropped, errors=errors,
            duration_s=round(time.monotonic() - self.started, 3), close_reason=reason,
        )
        with transaction(self.sessions) as session:
            source = self._ensure_source(session)
            run = session.get(CrawlRun, self.run_id) if self.run_id else None
            if run is not None:
                run.finished_at = now
                run.status = status
                run.pages = summary.pages
                run.items_new = summary.items_new
                run.items_updated = summary.items_updated
                run.items_dropped = dropped
                run.errors = errors
                spider_samples = list(stats.get("yuqing/error_samples") or [])
                run.error_samples = (self.samples + spider_samples)[:MAX_SAMPLES]
            self._update_source(session, source, status, error_text, now)
            summary.unhealthy = source.unhealthy
        self.summary = summary
        if self.crawler.stats is not None:
            self.crawler.stats.set_value("yuqing/summary", summary.to_json())
        self.engine.dispose()

    def _update_source(self, session: Session, source: Source, status: CrawlStatus,
                       error_text: str, now: datetime) -> None:
        source.last_run_at = now
        if status is CrawlStatus.OK:
            source.last_ok_at = now
        newest = session.scalar(select(func.max(Post.published_at))
                                .where(Post.source_id == source.id))
        if newest is not None:
            source.high_water = newest.isoformat()
        health = next_health(
            Health(source.consecutive_failures or 0, bool(source.unhealthy),
                   source.unhealthy_since, source.last_error),
            status, error_text, self.settings.getint("YUQING_UNHEALTHY_AFTER", 3), now)
        source.consecutive_failures = health.consecutive_failures
        source.unhealthy = health.unhealthy
        source.unhealthy_since = health.unhealthy_since
        source.last_error = health.last_error
        if self.lost:
            # a run that went well but lost posts says so on the source's health all the same
            source.last_error = error_text
        if health.flipped is None:
            return
        detail = {"source_id": source.id, "status": status.value, "run_id": self.run_id,
                  "consecutive_failures": health.consecutive_failures}
        write_log(session, [LogEntry(now, "crawler", FLIP_ACTIONS[health.flipped],
                                     LogEntity.SOURCE, None, None, detail=detail,
                                     reason=health.last_error)])
        if health.flipped == "unhealthy":
            assert health.unhealthy_since is not None
            log.error("source %s is now unhealthy: %s", source.id, health.last_error)
            notify(
                session, OutboxKind.SOURCE_UNHEALTHY,
                f"source_unhealthy:{source.id}:{health.unhealthy_since.isoformat()}", now,
                payload={"source_id": source.id, "reason": health.last_error or status.value},
                recipients=[Recipient.DUTY],
            )
        else:
            log.info("source %s recovered", source.id)
