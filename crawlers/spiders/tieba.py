"""百度贴吧: the forum list ``/f?kw=NAME&pn=0,50,…`` and thread pages ``/p/TID``.

The list page ships its thread list inside an HTML comment in
``<code id="pagelet_html_frs-list/pagelet/thread_list">``, rendered by script in a browser; the
spider reads the comment as HTML. Each ``li.j_thread_list`` carries a ``data-field`` JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

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

THREAD_LIST_CODE = "//code[@id='pagelet_html_frs-list/pagelet/thread_list']/comment()"
_DATE_TAIL = re.compile(r"\d{4}-\d{1,2}-\d{1,2}(?:\s+\d{1,2}:\d{2})?")


def thread_list(response: Response) -> Selector:
    """The thread list as HTML: from inside the <code> comment, or the page itself when a
    board serves it inline."""
    comment = response.xpath(THREAD_LIST_CODE).get()
    if comment:
        inner = comment.removeprefix("<!--").removesuffix("-->")
        return Selector(text=inner)
    return Selector(text=response.text)


def with_pn(url: str, pn: int) -> str:
    parts = urlsplit(url)
    query = {k: v[-1] for k, v in parse_qs(parts.query, keep_blank_values=True).items()}
    query["pn"] = str(pn)
    return urlunsplit(parts._replace(query=urlencode(query)))


def data_field(node: Selector) -> dict[str, Any]:
    raw = node.attrib.get("data-field") or "{}"
    try:
        value = json.loads(raw)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


class TiebaSpider(SourceSpider):
    name = "tieba"
    default_params: dict[str, Any] = {"page_size": 50}

    async def start(self) -> AsyncIterator[Any]:
        url = self.start_url
        if "kw" in self.params and "kw=" not in url:
            url = url + ("&" if "?" in url else "?") + urlencode({"kw": self.params["kw"]})
        yield scrapy.Request(url, callback=self.parse_list, meta=list_meta(1),
                             cb_kwargs={"page": 1, "base": url})

    def parse_list(self, response: Response, page: int, base: str) -> Iterator[Any]:
        if not hasattr(response, "xpath"):
            self.skip(response, "not_html", response.headers.get("Content-Type"))
            return
        listing = thread_list(response)
        rows = listing.css("li.j_thread_list")
        if not rows:
            self.skip(response, "no_threads", "no li.j_thread_list in the thread list")
            return
        for row in rows:
            field = data_field(row)
            tid = str(field.get("id") or row.attrib.get("data-tid") or "")
            href = text_of(row, "a.j_th_tit::attr(href)")
            if not tid or not href:
                continue
            published = parse_local_time(text_of(row, "span.is_show_create_time"), self.now)
            yield scrapy.Request(
                response.urljoin(href), callback=self.parse_thread,
                meta=detail_meta(tid, published, list_state(field.get("reply_num"))),
                cb_kwargs={"tid": tid, "listed": {
                    "title": text_of(row, "a.j_th_tit"),
                    "author": field.get("author_name"),
                    "replies": to_int(field.get("reply_num")),
                    "is_top": bool(field.get("is_top")),
                    "abstract": text_of(row, ".threadlist_abs"),
                    "created": text_of(row, "span.is_show_create_time"),
                }},
            )
        # the real next link is absolute to tieba.baidu.com; keep the source's own host
        href = text_of(listing, "a.next.pagination-item::attr(href)")
        if href:
            pn = to_int(parse_qs(urlsplit(href).query).get("pn", ["0"])[-1])
            if pn > 0:
                yield scrapy.Request(with_pn(base, pn), callback=self.parse_list,
                                     meta=list_meta(page + 1),
                                     cb_kwargs={"page": page + 1, "base": base})

    def parse_thread(self, response: Response, tid: str, listed: dict[str, Any]
                     ) -> Iterator[PostItem]:
        if not hasattr(response, "xpath"):
            self.skip(response, "not_html", response.headers.get("Content-Type"))
            return
        posts = response.css("div.l_post")
        if not posts:
            self.skip(response, "no_post", "no div.l_post on a thread page")
            return
        first_post = posts[0]
        field = data_field(first_post)
        author = (field.get("author") or {}).get("user_name") if isinstance(
            field.get("author"), dict) else None
        content = block_of(first_post, ".d_post_content")
        tails = first_post.css("span.tail-info::text").getall()
        posted = next((m.group(0) for t in tails if (m := _DATE_TAIL.search(t))), "")
        if not posted:
            inner = field.get("content") if isinstance(field.get("content"), dict) else {}
            posted = str((inner or {}).get("date") or "")
        title = (text_of(response, ".core_title_txt::attr(title)")
                 or text_of(response, ".core_title_txt") or listed["title"])
        yield PostItem(
            source_id=self.source_id,
            external_id=tid,
            url=response.url,
            title=clean(title),
            content=content,
            author=clean(author or listed.get("author")) or None,
            published_at=parse_local_time(posted, self.now)
            or parse_local_time(listed.get("created"), self.now),
            replies=int(listed.get("replies") or 0),
            raw={"list": listed, "posted": posted},
            list_state=row_state(response),
        )
