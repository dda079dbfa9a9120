"""Item pipelines: validate, keep what concerns the jurisdiction, store."""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from crawlers.clock import crawl_now
from crawlers.items import PostItem
from crawlers.relevance import Matcher
from crawlers.store import Outcome, upsert_post
from domain.safe_text import CONTENT_MAX, TITLE_MAX, evidence, normalise, storable
from storage.db import make_engine, make_sessionmaker, transaction

log = logging.getLogger(__name__)


class Rejected(DropItem):
    """A dropped item with a short reason that the crawl run counts."""

    def __init__(self, reason: str, message: str = "") -> None:
        super().__init__(f"{reason}: {message}" if message else reason, log_level="INFO")
        self.reason = reason


# text as fetched is kept for evidence up to this many characters a field
EVIDENCE_MAX = 1_000_000
_NORMALISED = {
    "title": TITLE_MAX,
    "content": CONTENT_MAX,
    "author": 200,
    "reply_content": CONTENT_MAX,
    "reply_org": 200,
    "board_type": 32,
    "board_domain": 32,
    "board_state": 32,
    "board_unit": 200,
    "list_state": 200,
}


class NormalisePipeline:
    """Text made safe at the door (``domain.safe_text.normalise``): every later stage, page
    and export reads NFC text without control characters, bidi overrides or lone surrogates.
    A field that changed is kept as fetched in ``raw["as_fetched"]``; the raw record itself
    is made storable (a lone surrogate in an API answer no longer loses the post)."""

    def __init__(self, crawler: Crawler | None = None) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PostItem):
            return item
        fetched: dict[str, str] = {}
        for name, limit in _NORMALISED.items():
            value = getattr(item, name)
            if not isinstance(value, str) or not value:
                continue
            safe = normalise(value, limit)
            if safe != value:
                fetched[name] = evidence(value[:EVIDENCE_MAX])
                setattr(item, name, safe)
        item.external_id = normalise(item.external_id, 200)
        item.url = normalise(item.url, 4000)
        item.raw = storable(item.raw)
        if fetched:
            item.raw = {**item.raw, "as_fetched": fetched}
            if self.crawler is not None and self.crawler.stats is not None:
                self.crawler.stats.inc_value("yuqing/normalised")
        return item


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
            try:
                with transaction(self.sessions) as session:
                    outcome = upsert_post(session, item, now)
            except IntegrityError:
                # another crawler process stored it a moment ago: this becomes an update
                with transaction(self.sessions) as session:
                    outcome = upsert_post(session, item, now)
        except (SQLAlchemyError, UnicodeError, ValueError, TypeError) as exc:
            # counted by reason in the run and the source's health, never lost in silence
            log.warning("could not store %s/%s: %s", item.source_id, item.external_id, exc)
            raise Rejected("store_failed", f"{item.url}: {type(exc).__name__}") from exc
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"yuqing/items_{outcome.value}")
        if outcome is Outcome.UPDATED:
            log.debug("updated %s/%s", item.source_id, item.external_id)
        return item
