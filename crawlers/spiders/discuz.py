"""Discuz! forums, X3.x and the older 7.x markup, plain or rewritten URLs, UTF-8 or GBK.

List: ``forum.php?mod=forumdisplay&fid=F&page=N`` / ``forum-F-N.html`` (X3) or
``forumdisplay.php?fid=F&page=N`` (7.x). Thread: ``thread-T-P-1.html``,
``forum.php?mod=viewthread&tid=T`` or ``viewthread.php?tid=T``. The first post is the message.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from parsel import Selector
from scrapy.http import Response

from crawlers.items import PostItem
from crawlers.selectors import block_of, text_of
from crawlers.spiders.base import (
    SourceSpider,
    detail_meta,
    list_meta,
    list_state,
    row_state,
)
from crawlers.text import clean, parse_local_time, to_int

_TID = re.compile(r"(?:normalthread|stickthread)_(\d+)")
_POSTED = re.compile(r"^(发表于|时间)\s*[:：]?\s*")

# X3 first, then 7.x; the first selector that finds something wins.
LIST_ROWS = "//tbody[starts-with(@id, 'normalthread_') or starts-with(@id, 'stickthread_')]"
ROW_TITLE = ("a.xst", "th span[id^=thread_] a", "th a[href*=thread]")
ROW_AUTHOR = ("td.by cite a", "td.author cite a")
ROW_TIME = ("td.by em span::attr(title)", "td.by em span", "td.by em", "td.author em")
ROW_REPLIES = ("td.num a", "td.nums strong")
ROW_VIEWS = ("td.num em", "td.nums em")
NEXT_PAGE = ("div.pg a.nxt::attr(href)", "div.pages a.next::attr(href)")
THREAD_TITLE = ("#thread_subject", "#threadtitle h1", "h1")
FIRST_MESSAGE = ("(//td[starts-with(@id, 'postmessage_')])[1]",)
FIRST_POSTED = ("(//em[starts-with(@id, 'authorposton')])[1]/span/@title",
                "(//em[starts-with(@id, 'authorposton')])[1]")
FIRST_AUTHOR = ("(//div[starts-with(@id, 'post_')]//div[@class='authi']/a)[1]",
                "(//td[@class='postauthor']//div[@class='postinfo']/a)[1]",
                "(//div[@class='authi']/a)[1]")


def first(node: Selector | Response, exprs: tuple[str, ...], block: bool = False) -> str:
    for expr in exprs:
        value = block_of(node, expr) if block else text_of(node, expr)
        if value:
            return value
    return ""


class DiscuzSpider(SourceSpider):
    name = "discuz"

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.start_url, callback=self.parse_list, meta=list_meta(1),
                             cb_kwargs={"page": 1})

    def parse_list(self, response: Response, page: int) -> Iterator[Any]:
        if not hasattr(response, "xpath"):
            self.skip(response, "not_html", response.headers.get("Content-Type"))
            return
        rows = response.xpath(LIST_ROWS)
        if not rows:
            self.skip(response, "no_threads", "no normalthread_ rows on a forum page")
            return
        for row in rows:
            m = _TID.search(row.attrib.get("id", ""))
            href = first(row, tuple(f"{e}::attr(href)" for e in ROW_TITLE))
            if not m or not href:
                continue
            tid = m.group(1)
            published = parse_local_time(first(row, ROW_TIME), self.now)
            yield scrapy.Request(
                response.urljoin(href), callback=self.parse_thread,
                meta=detail_meta(tid, published, list_state(first(row, ROW_REPLIES))),
                cb_kwargs={"tid": tid, "listed": {
                    "title": first(row, ROW_TITLE),
                    "author": first(row, ROW_AUTHOR),
                    "time": first(row, ROW_TIME),
                    "replies": to_int(first(row, ROW_REPLIES)),
                    "views": to_int(first(row, ROW_VIEWS)),
                }},
            )
        href = first(response, NEXT_PAGE)
        if href:
            yield scrapy.Request(response.urljoin(href), callback=self.parse_list,
                                 meta=list_meta(page + 1), cb_kwargs={"page": page + 1})

    def parse_thread(self, response: Response, tid: str, listed: dict[str, Any]
                     ) -> Iterator[PostItem]:
        if not hasattr(response, "xpath"):
            self.skip(response, "not_html", response.headers.get("Content-Type"))
            return
        content = first(response, FIRST_MESSAGE, block=True)
        title = first(response, THREAD_TITLE) or listed["title"]
        if not content and not response.xpath("//*[starts-with(@id, 'postmessage_')]"):
            self.skip(response, "no_post", "no postmessage_ element on a thread page")
            return
        posted = _POSTED.sub("", first(response, FIRST_POSTED))
        raw: dict[str, Any] = {
            "list": listed, "posted": posted,
            "generator": response.xpath("//meta[@name='generator']/@content").get(),
        }
        if not content:
            raw.update(self.unparsed(response))
        yield PostItem(
            source_id=self.source_id,
            external_id=tid,
            url=response.url,
            title=clean(title),
            content=content,
            author=first(response, FIRST_AUTHOR) or listed["author"] or None,
            published_at=parse_local_time(posted, self.now)
            or parse_local_time(listed["time"], self.now),
            replies=int(listed["replies"]),
            raw=raw,
            list_state=row_state(response),
        )

