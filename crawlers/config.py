"""From yuqing's Settings to the Scrapy settings of one source's crawl.

Every component reads what it needs from ``crawler.settings``; these keys carry the yuqing side:

- ``YUQING_SOURCE``: the source definition (id, name, spider, url, scoped, obey_robots, params)
- ``YUQING_DATABASE_URL``, ``YUQING_TIMEZONE``
- ``YUQING_VOCABULARY``: [name, strong] pairs for the relevance filter
- ``YUQING_REVISIT_DAYS``, ``YUQING_UNHEALTHY_AFTER``, ``YUQING_MAX_PAGES``
- ``YUQING_NOW``: optional ISO time that freezes the crawl's clock (replays, tests)
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from crawlers.relevance import vocabulary
from domain.settings import DEFAULT_CONFIG, Settings, Source, load_settings

DEFAULT_REDIS_PREFIX = "yuqing"


def scrapy_settings(
    settings: Settings, source: Source, overrides: dict[str, Any] | None = None
) -> dict[str, Any]:
    crawl = settings.crawl
    out: dict[str, Any] = {
        "YUQING_SOURCE": source.model_dump(mode="json"),
        "YUQING_DATABASE_URL": settings.database_url,
        "YUQING_TIMEZONE": settings.timezone,
        "YUQING_VOCABULARY": [[t.name, t.strong] for t in vocabulary(settings.jurisdiction)],
        "YUQING_REVISIT_DAYS": crawl.revisit_days,
        "YUQING_UNHEALTHY_AFTER": crawl.unhealthy_after,
        "YUQING_MAX_PAGES": crawl.max_pages_per_run,
        "YUQING_BACKOFF_BASE_S": crawl.backoff_base_s,
        "YUQING_BACKOFF_MAX_S": crawl.backoff_max_s,
        "USER_AGENT": crawl.user_agent,
        "ROBOTSTXT_OBEY": source.obey_robots,
        "DOWNLOAD_DELAY": crawl.download_delay_s,
        "AUTOTHROTTLE_START_DELAY": max(crawl.download_delay_s, 0.1),
        "CONCURRENT_REQUESTS_PER_DOMAIN": crawl.concurrency_per_domain,
        # one crawl is one board: a process takes no more requests than it can download now,
        # which also leaves the rest of a shared queue to the other processes
        "CONCURRENT_REQUESTS": crawl.concurrency_per_domain,
        "LOG_LEVEL": settings.log_level,
    }
    if settings.redis_url:
        out.update(redis_settings(settings.redis_url, source.id, DEFAULT_REDIS_PREFIX))
    if overrides:
        prefix = overrides.pop("YUQING_REDIS_PREFIX", None)
        if prefix and settings.redis_url:
            out.update(redis_settings(settings.redis_url, source.id, str(prefix)))
        out.update(overrides)
    return out


def redis_settings(redis_url: str, source_id: str, prefix: str) -> dict[str, Any]:
    """scrapy-redis: one shared request queue and fingerprint set per source, so several
    crawler processes split one crawl and never fetch a page twice."""
    return {
        "SCHEDULER": "crawlers.shared_queue.SharedScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
        "REDIS_URL": redis_url,
        "SCHEDULER_QUEUE_KEY": f"{prefix}:{source_id}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:{source_id}:dupefilter",
        "YUQING_REDIS_PREFIX": f"{prefix}:{source_id}",
        "SCHEDULER_PERSIST": False,
    }


def config_path_from_env() -> Path:
    return Path(os.environ.get("YUQING_CONFIG", str(DEFAULT_CONFIG)))


def source_for_spider(settings: Settings, spider_kind: str, source_id: str | None) -> Source:
    """The source a bare ``scrapy crawl KIND [-a source=ID]`` should crawl."""
    if source_id:
        source = settings.source(source_id)
        if source.spider != spider_kind:
            raise ValueError(
                f"source {source_id!r} uses spider {source.spider!r}, not {spider_kind!r}"
            )
        return source
    for source in settings.sources:
        if source.spider == spider_kind and source.enabled:
            return source
    raise ValueError(f"no enabled source in the configuration uses spider {spider_kind!r}")


def load_for_spider(spider_kind: str, source_id: str | None) -> dict[str, Any]:
    settings = load_settings(config_path_from_env())
    return scrapy_settings(settings, source_for_spider(settings, spider_kind, source_id))
