"""What every yuqing spider shares: the source it crawls and a way to skip bad input."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Self
from urllib.parse import urlsplit

import scrapy
from scrapy.crawler import Crawler
from scrapy.http import Response

from crawlers.clock import crawl_now
from crawlers.config import load_for_spider
from domain.safe_text import evidence

DETAIL = "detail"
UNPARSED_KEEP = 200_000  # characters of a page that parsed empty, kept for a person to read
LIST = "list"


def list_meta(page: int) -> dict[str, Any]:
    return {"yuqing": {"role": LIST, "page": page}}


def list_state(*parts: object) -> str | None:
    """What a list row shows that changes when its thread changes (its state, reply count, time
    of the last answer), as one string; None when the row shows none of it."""
    shown = ["" if p is None else str(p).strip() for p in parts]
    return "|".join(shown) if any(shown) else None


def detail_meta(
    external_id: str, published_at: datetime | None, state: str | None = None
) -> dict[str, Any]:
    """``state``: the row's ``list_state``; a stored recent thread whose row still says the
    same is not fetched again."""
    return {
        "yuqing": {
            "role": DETAIL,
            "external_id": external_id,
            "published_at": published_at.isoformat() if published_at else None,
            "list_state": state,
        }
    }


def row_state(response: Response) -> str | None:
    """The ``list_state`` the detail request was made with, for the item."""
    meta = response.meta.get("yuqing")
    value = meta.get("list_state") if isinstance(meta, dict) else None
    return value if isinstance(value, str) else None


def allowed_domains(source: dict[str, Any], params: dict[str, Any]) -> list[str]:
    """The hosts a source's crawl may visit: its URL's host, its ``site_url``'s, and any
    configured in ``params.allowed_domains`` (subdomains included, as Scrapy matches them)."""
    hosts: list[str] = []
    extras = params.get("allowed_domains") or []
    for value in [source.get("url"), params.get("site_url"), *extras]:
        if not isinstance(value, str) or not value:
            continue
        host = urlsplit(value).hostname if "//" in value else value.split(":")[0]
        if host and host.lower() not in hosts:
            hosts.append(host.lower())
    return hosts


class SourceSpider(scrapy.Spider):
    """A spider kind; the source (which board, which selectors) comes from the configuration.

    ``yuqing crawl`` passes the source in the settings (``YUQING_SOURCE``); a bare
    ``scrapy crawl KIND -a source=ID`` reads it from the yuqing configuration file
    (``YUQING_CONFIG`` or config/yuqing.toml).
    """

    default_params: dict[str, Any] = {}

    source: dict[str, Any]
    params: dict[str, Any]
    now: datetime
    allowed_domains: list[str]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        source_id = kwargs.pop("source", None)
        if not crawler.settings.get("YUQING_SOURCE"):
            # settings are still open here (Scrapy freezes them after the spider is built)
            crawler.settings.setdict(load_for_spider(cls.name, source_id), priority="spider")
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.source = dict(crawler.settings.getdict("YUQING_SOURCE"))
        if spider.source.get("spider") != cls.name:
            raise ValueError(
                f"source {spider.source.get('id')!r} is for spider {spider.source.get('spider')!r}"
            )
        spider.params = {**cls.default_params, **spider.source.get("params", {})}
        spider.now = crawl_now(crawler.settings)
        # Scrapy's OffsiteMiddleware drops (and counts, ``offsite/filtered``) every request
        # to a host not listed here, before robots.txt is fetched from it
        spider.allowed_domains = allowed_domains(spider.source, spider.params)
        return spider

    @property
    def source_id(self) -> str:
        return str(self.source["id"])

    @property
    def start_url(self) -> str:
        return str(self.source["url"])

    def unparsed(self, response: Response) -> dict[str, Any]:
        """A non-empty page whose content parsed empty (markup nested past the parser's limit,
        a layout the selectors do not know): counted, and the page kept in the post's raw
        record for a person to read. Returns the raw fields to add."""
        self.skip(response, "content_unparsed", f"{len(response.body)} bytes, no content found")
        text = response.text if hasattr(response, "text") else ""
        return {"unparsed_page": evidence(text[:UNPARSED_KEEP]), "unparsed_page_chars": len(text)}

    def skip(self, response: Response, reason: str, detail: object = "") -> None:
        """Give up on one page or item: one clear log line and a counted reason; the crawl
        goes on."""
        self.logger.warning("skipped %s: %s %s", response.url, reason, detail)
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value(f"yuqing/errors/{reason}")
            samples = list(stats.get_value("yuqing/error_samples") or [])
            if len(samples) < 20:
                stats.set_value("yuqing/error_samples",
                                [*samples, f"{response.url}: {reason} {detail}"[:500]])
