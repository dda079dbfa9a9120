"""Item pipelines: validate, keep what concerns the jurisdiction, store."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from sqlalchemy.exc import IntegrityError

from crawlers.clock import crawl_now
from crawlers.items import PostItem
from crawlers.relevance import Matcher
from crawlers.store import Outcome, upsert_post
from storage.db import make_engine, make_sessionmaker, transaction

log = logging.getLogger(__name__)


class Rejected(DropItem):
    """A dropped item with a short reason that the crawl run counts."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(f"{reason}: {message}" if message else reason, log_level="INFO")
        self.reason = reason


class ValidatePipeline:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PostItem):
            raise Rejected("not_a_post", type(item).__name__)
        if not item.external_id:
            raise Rejected("missing_id", item.url)
        if not item.title and not item.content:
            raise Rejected("empty", f"{item.url} has neither title nor content")
        return item


class RelevancePipeline:
    """Keep posts that mention the jurisdiction, or every post of a board that belongs to it
    (``source.scoped``); record which names matched."""

    def __init__(self, matcher: Matcher, scoped: bool) -> None:
        self.matcher = matcher
        self.scoped = scoped

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pairs = crawler.settings.getlist("YUQING_VOCABULARY")
        source = crawler.settings.getdict("YUQING_SOURCE")
        if not pairs and not source.get("scoped"):
            raise NotConfigured("no jurisdiction names (YUQING_VOCABULARY) to match against")
        return cls(Matcher.from_pairs(pairs), bool(source.get("scoped")))

    def process_item(self, item: PostItem) -> PostItem:
        item.mentions = self.matcher.find(f"{item.title}\n{item.content}")
        if not self.scoped and not self.matcher.relevant(item.mentions):
            raise Rejected("irrelevant", item.url)
        return item


class StoragePipeline:
    """Insert or update the post in the database named by ``YUQING_DATABASE_URL``."""

    def __init__(self, crawler: Crawler, db_url: str) -> None:
        self.crawler = crawler
        self.engine = make_engine(db_url)
        self.sessions = make_sessionmaker(self.engine)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = crawler.settings.get("YUQING_DATABASE_URL")
        if not url:
            raise NotConfigured("YUQING_DATABASE_URL is not set")
        return cls(crawler, url)

    def close_spider(self) -> None:
        self.engine.dispose()

    def process_item(self, item: PostItem) -> PostItem:
        now = crawl_now(self.crawler.settings)
        try:
            with transaction(self.sessions) as session:
                outcome = upsert_post(session, item, now)
        except IntegrityError:
            # another crawler process stored it a moment ago: this becomes an update
            with transaction(self.sessions) as session:
                outcome = upsert_post(session, item, now)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"yuqing/items_{outcome.value}")
        if outcome is Outcome.UPDATED:
            log.debug("updated %s/%s", item.source_id, item.external_id)
        return item
