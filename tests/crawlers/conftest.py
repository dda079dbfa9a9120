"""Crawler test helpers: a loopback site, a SQLite database with the schema, and crawls run
in subprocesses (Scrapy's reactor cannot restart inside the test process)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine

from crawlers.localsite.server import LocalSite
from crawlers.run import run_crawl
from crawlers.summary import CrawlRunSummary
from domain.settings import Settings, Source
from storage.db import make_engine
from storage.models import Base

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "boards"
NOW = datetime(2024, 5, 22, 4, 0, tzinfo=UTC)  # 2024-05-22 12:00 in Asia/Shanghai

# Fast and deterministic: no politeness delays against our own loopback server.
FAST: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "CONCURRENT_REQUESTS": 8,
    "YUQING_BACKOFF_BASE_S": 0.05,
    "YUQING_BACKOFF_RETRIES": 1,
    "RETRY_TIMES": 0,
    "LOG_LEVEL": "INFO",
}


@pytest.fixture
def site() -> Iterator[LocalSite]:
    local = LocalSite()
    with local.running():
        yield local


@pytest.fixture
def crawl_db(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    url = f"sqlite:///{tmp_path / 'crawl.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    yield url, engine
    engine.dispose()


def source(id: str, spider: str, url: str, **kw: Any) -> Source:
    kw.setdefault("obey_robots", False)
    return Source(id=id, name=id, spider=spider, url=url, **kw)


@pytest.fixture
def crawl_settings(settings: Settings, crawl_db: tuple[str, Engine]
                   ) -> Callable[..., Settings]:
    def make(*sources: Source, **crawl: Any) -> Settings:
        return settings.model_copy(update={
            "database": settings.database.model_copy(update={"url": crawl_db[0]}),
            "crawl": settings.crawl.model_copy(update=crawl),
            "sources": list(sources),
        })

    return make


def crawl(settings: Settings, source_id: str, now: datetime = NOW, **overrides: Any
          ) -> CrawlRunSummary:
    return run_crawl(settings, source_id, {**FAST, "YUQING_NOW": now.isoformat(), **overrides},
                     timeout_s=60)


def serve_dir(site: LocalSite, folder: Path, mapping: dict[str, str],
              content_type: str = "text/html; charset=utf-8") -> None:
    for path, name in mapping.items():
        site.static(path, (folder / name).read_bytes(), content_type)
