"""Middlewares: incremental paging, backoff on WAF and server errors, charset repair."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import datetime, timedelta
from typing import Any, Self
from urllib.parse import urlparse

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.defer import deferred_from_coro
from w3lib.encoding import html_body_declared_encoding, resolve_encoding

from crawlers.clock import crawl_now
from crawlers.state import Known, known_posts
from storage.db import make_engine

log = logging.getLogger(__name__)


def _meta(obj: Request | Response | None) -> dict[str, Any]:
    if obj is None:
        return {}
    try:
        value = obj.meta.get("yuqing")
    except AttributeError:  # a response detached from its request
        return {}
    return value if isinstance(value, dict) else {}


class IncrementalMiddleware:
    """Decides, for each list page, which threads to fetch and whether to page on.

    - a thread not in the database is fetched;
    - a thread already stored but published within ``YUQING_REVISIT_DAYS`` is fetched again,
      to pick up state changes and official replies, when its list row says something new
      (its state, reply count or last answer time: ``list_state``) or says nothing of that;
      a row that reads as it did last time is not fetched, so a busy board is not re-read
      in full on every crawl;
    - an older stored thread is skipped; a list page made only of those ends the paging;
    - paging also ends at ``YUQING_MAX_PAGES`` list pages and when a page repeats the threads
      of an earlier page (a pagination loop with changing URLs).
    """

    def __init__(self, crawler: Crawler, known: dict[str, Known] | None = None) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.source_id = str(settings.getdict("YUQING_SOURCE").get("id", ""))
        self.db_url = settings.get("YUQING_DATABASE_URL")
        self.cutoff = crawl_now(settings) - timedelta(days=settings.getint("YUQING_REVISIT_DAYS", 7))
        self.max_pages = settings.getint("YUQING_MAX_PAGES", 200)
        self.known = known
        self.list_pages = 0
        self.page_signatures: set[frozenset[str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mw = cls(crawler)
        crawler.signals.connect(mw.spider_opened, signal=signals.spider_opened)
        return mw

    def spider_opened(self) -> None:
        if self.known is None:
            self.known = {}
            if self.db_url:
                engine = make_engine(self.db_url)
                try:
                    self.known = known_posts(engine, self.source_id)
                finally:
                    engine.dispose()

    def _inc(self, key: str, count: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, count)

    def _verdict(self, meta: dict[str, Any]) -> str:
        """"new", "old" (stored, before the revisit window), "unchanged" (stored, recent, its
        list row reads as last time) or "revisit"."""
        stored = (self.known or {}).get(str(meta.get("external_id")))
        if stored is None:
            return "new"
        published = stored.published_at
        if published is None and meta.get("published_at"):
            published = datetime.fromisoformat(meta["published_at"])
        if published is None or published < self.cutoff:
            return "old"
        state = meta.get("list_state")
        if state is not None and state == stored.list_state:
            return "unchanged"
        return "revisit"

    def _filter_page(self, response: Response, outputs: list[Any]) -> Iterator[Any]:
        self.list_pages += 1
        details, next_pages = [], []
        for o in outputs:
            role = _meta(o).get("role") if isinstance(o, Request) else None
            if role == "detail":
                details.append(o)
            elif role == "list":
                next_pages.append(o)
            else:
                yield o
        stale = 0
        ids = []
        for req in details:
            meta = _meta(req)
            ids.append(str(meta.get("external_id")))
            verdict = self._verdict(meta)
            self._inc("yuqing/rows")
            if verdict == "new":
                self._inc("yuqing/rows_new")
                yield req
            elif verdict == "old":
                stale += 1
                self._inc("yuqing/rows_known")
            elif verdict == "unchanged":
                self._inc("yuqing/rows_unchanged")
            else:
                self._inc("yuqing/rows_revisited")
                yield req
        if not next_pages:
            return
        signature = frozenset(ids)
        if details and stale == len(details):
            log.info("%s: page %d holds only known threads; stop paging", self.source_id,
                     self.list_pages)
            self._inc("yuqing/stopped_at_known")
        elif signature and signature in self.page_signatures:
            log.warning("%s: %s repeats an earlier page; stop paging (pagination loop)",
                        self.source_id, response.url)
            self._inc("yuqing/errors/pagination_loop")
        elif self.list_pages >= self.max_pages:
            log.warning("%s: page cap of %d list pages reached; stop paging", self.source_id,
                        self.max_pages)
            self._inc("yuqing/errors/page_cap")
        else:
            yield from next_pages
        if signature:
            self.page_signatures.add(signature)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        if _meta(response).get("role") != "list":
            yield from result
            return
        yield from self._filter_page(response, list(result))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        outputs = [o async for o in result]
        if _meta(response).get("role") != "list":
            for o in outputs:
                yield o
            return
        for o in self._filter_page(response, outputs):
            yield o


class BackoffMiddleware:
    """403/429 (a WAF) and 5xx: wait and retry with exponential backoff (honouring
    Retry-After), never hammer. When 403/429 persist the crawl stops as "blocked"."""

    BLOCK_CODES = (403, 429)

    def __init__(self, crawler: Crawler) -> None:
        s = crawler.settings
        self.crawler = crawler
        self.codes = set(s.getlist("YUQING_BACKOFF_CODES"))
        self.retries = s.getint("YUQING_BACKOFF_RETRIES", 3)
        self.base = s.getfloat("YUQING_BACKOFF_BASE_S", 15.0)
        self.cap = s.getfloat("YUQING_BACKOFF_MAX_S", 300.0)
        self.blocked_after = s.getint("YUQING_BLOCKED_AFTER", 2)
        self.blocked_in_a_row = 0
        self.closing = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def _inc(self, key: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def _delay(self, attempt: int, response: Response) -> float:
        delay = self.base * (2 ** attempt)
        retry_after = response.headers.get("Retry-After")
        if retry_after:
            with contextlib.suppress(ValueError):
                delay = max(delay, float(retry_after.decode()))
        return float(min(delay, self.cap))

    async def process_response(self, request: Request, response: Response) -> Request | Response:
        status = response.status
        if status not in self.codes:
            if status < 400:
                self.blocked_in_a_row = 0
            elif not urlparse(request.url).path.endswith("/robots.txt"):
                # a site without robots.txt is normal, not an error of the crawl
                self._inc(f"yuqing/errors/http_{status}")
            return response
        attempt = int(request.meta.get("yuqing_backoff", 0))
        blocked = status in self.BLOCK_CODES
        if attempt < self.retries and not self.closing:
            delay = self._delay(attempt, response)
            log.info("HTTP %d from %s; waiting %.1f s before retry %d/%d", status, request.url,
                     delay, attempt + 1, self.retries)
            self._inc(f"yuqing/backoff/{status}")
            await asyncio.sleep(delay)
            retry = request.replace(dont_filter=True)
            retry.meta["yuqing_backoff"] = attempt + 1
            return retry
        reason = "blocked" if blocked else f"http_{status}"
        self._inc(f"yuqing/errors/{reason}")
        log.warning("giving up on %s after HTTP %d (%d retries)", request.url, status, attempt)
        if blocked:
            self.blocked_in_a_row += 1
            if self.blocked_in_a_row >= self.blocked_after and not self.closing:
                self.closing = True
                log.error("the site keeps refusing us (HTTP %d); stopping the crawl", status)
                engine = self.crawler.engine
                if engine is not None:
                    deferred_from_coro(engine.close_spider_async(reason="blocked"))
        raise IgnoreRequest(f"HTTP {status}")

    def process_exception(self, request: Request, exception: Exception) -> None:
        name = type(exception).__name__
        if name == "DownloadCancelledError" and "max size" in str(exception).lower():
            self._inc("yuqing/errors/too_large")
        elif not isinstance(exception, IgnoreRequest):
            self._inc(f"yuqing/errors/download_{name}")
        return None


_REPLACEMENT = "\ufffd"


def garbled(text: str) -> bool:
    """Decoded with the wrong charset: replacement characters in more than 0.5% of the text."""
    return text.count(_REPLACEMENT) > max(3, len(text) // 200)


class CharsetMiddleware:
    """Decode HTML as BOM, header, then <meta> say, with GBK/GB2312 read as GB18030.

    A page whose declared charset produces garbage is re-read with its <meta> charset, then
    GB18030 and UTF-8; a page that no charset decodes cleanly is skipped and counted."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if not isinstance(response, HtmlResponse):
            return response
        try:
            text = response.text
        except (UnicodeDecodeError, LookupError):
            text = _REPLACEMENT * 10
        if not garbled(text):
            return response
        # a page in the charset it declares with a few invalid bytes (one bad post in a
        # thread): keep the page, the bad bytes shown as U+FFFD, rather than lose the thread
        # or read it in a charset that turns all of it into nonsense
        if text.count(_REPLACEMENT) <= len(text) // 50:
            log.info("%s: invalid %s bytes replaced", response.url, response.encoding)
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("yuqing/charset_replaced")
            return response.replace(body=text.encode("utf-8"), encoding="utf-8")
        candidates = []
        declared = html_body_declared_encoding(response.body)
        if declared:
            candidates.append(resolve_encoding(declared) or declared)
        candidates += ["gb18030", "utf-8"]
        for enc in candidates:
            try:
                decoded = response.body.decode(enc)
            except (UnicodeDecodeError, LookupError):
                continue
            if not garbled(decoded):
                log.info("%s: declared charset %s is wrong; decoded as %s", response.url,
                         response.encoding, enc)
                if self.crawler.stats is not None:
                    self.crawler.stats.inc_value("yuqing/charset_repaired")
                return response.replace(encoding=enc)
        log.warning("skipped %s: no charset decodes it cleanly", response.url)
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("yuqing/errors/bad_charset")
        raise IgnoreRequest("undecodable page")

