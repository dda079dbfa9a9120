"""The crawl's clock: real UTC time, or a frozen moment from ``YUQING_NOW`` (replays, tests)."""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.settings import BaseSettings


def crawl_now(settings: BaseSettings) -> datetime:
    frozen = settings.get("YUQING_NOW")
    if frozen:
        value = datetime.fromisoformat(str(frozen))
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    return datetime.now(UTC)
