"""Government 留言 / 12345 / 问政 boards: one spider, per-site selectors from the source."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response

from crawlers.items import PostItem
from crawlers.selectors import block_of, select, strip_label, text_of
from crawlers.spiders.base import (
    SourceSpider,
    detail_meta,
    list_meta,
    list_state,
    row_state,
)
from crawlers.spiders.gov_presets import resolve
from crawlers.text import parse_local_time

_LAST_NUMBER = r"(\d+)(?!.*\d)"


class GovBoardSpider(SourceSpider):
    name = "gov_board"

    def selectors(self) -> dict[str, Any]:
        return resolve(self.params)

    async def start(self) -> AsyncIterator[Any]:
        sel = self.selectors()
        yield scrapy.Request(self.start_url, callback=self.parse_list, meta=list_meta(1),
                             cb_kwargs={"sel": sel, "page": 1})

    def parse_list(self, response: Response, sel: dict[str, Any], page: int) -> Iterator[Any]:
        if not hasattr(response, "xpath"):
            self.skip(response, "not_html", response.headers.get("Content-Type"))
            return
        rows = select(response, sel["rows"])
        for row in rows:
            link = text_of(row, sel["link"])
            title = strip_label(text_of(row, sel["title"]))
            if not link:
                continue
            url = response.urljoin(link)
            external_id = strip_label(text_of(row, sel.get("id")))
            if not external_id:
                m = re.search(sel.get("id_pattern") or _LAST_NUMBER, link)
                external_id = m.group(1) if m else link
            listed = {
                "title": title,
                "unit": strip_label(text_of(row, sel.get("unit"))),
                "time": strip_label(text_of(row, sel.get("time"))),
                "state": strip_label(text_of(row, sel.get("state"))),
            }
            published = parse_local_time(listed["time"], self.now)
            yield scrapy.Request(url, callback=self.parse_detail,
                                 meta=detail_meta(external_id, published,
                                                  list_state(listed["state"])),
                                 cb_kwargs={"sel": sel, "external_id": external_id,
                                            "listed": listed})
        next_url = self._next_page(response, sel, page)
        if next_url and rows:
            yield scrapy.Request(next_url, callback=self.parse_list, meta=list_meta(page + 1),
                                 cb_kwargs={"sel": sel, "page": page + 1})

    def _next_page(self, response: Response, sel: dict[str, Any], page: int) -> str | None:
        pattern = sel.get("next_pattern")
        if pattern:
            return response.urljoin(str(pattern).format(page=page + 1))
        href = text_of(response, sel.get("next_page"))
        if not href or href.startswith(("javascript:", "#")):
            return None
        return response.urljoin(href)

    def parse_detail(self, response: Response, sel: dict[str, Any], external_id: str,
                     listed: dict[str, str]) -> Iterator[PostItem]:
        if not hasattr(response, "xpath"):
            self.skip(response, "not_html", response.headers.get("Content-Type"))
            return
        title = strip_label(text_of(response, sel.get("detail_title"))) or listed["title"]
        content = block_of(response, sel["detail_content"])
        time_text = strip_label(text_of(response, sel.get("detail_time"))) or listed["time"]
        reply_content = block_of(response, sel.get("reply_content")) or None
        reply_time = strip_label(text_of(response, sel.get("reply_time")))
        reply_org = strip_label(text_of(response, sel.get("reply_org"))) or None
        raw: dict[str, Any] = {"list": listed, "detail": {"title": title, "time": time_text,
                                                          "reply_time": reply_time}}
        if not content and response.body:
            raw.update(self.unparsed(response))
        yield PostItem(
            source_id=self.source_id,
            external_id=external_id,
            url=response.url,
            title=title,
            content=content,
            published_at=parse_local_time(time_text, self.now),
            board_state=strip_label(text_of(response, sel.get("detail_state")))
            or listed["state"] or None,
            board_unit=strip_label(text_of(response, sel.get("detail_unit")))
            or listed["unit"] or None,
            reply_content=reply_content,
            reply_at=parse_local_time(reply_time, self.now) if reply_content else None,
            reply_org=reply_org if reply_content else None,
            raw=raw,
            list_state=row_state(response),
        )
