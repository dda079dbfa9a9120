"""Selector presets for government 留言 / 12345 / 问政 boards.

A source picks one with ``params = { layout = "table" }`` and may override any key inline
(``params = { layout = "table", rows = "table#list tr" }``), or give every key itself. Each value
is CSS unless it starts like XPath (``/``, ``./``, ``(``). Row selectors are relative to the row.

List keys: rows, title, link, id, unit (处理部门), time (来信时间), state (状态), next_page (the
next-page link's href) — or next_pattern (a URL with ``{page}``, pages counted from 1).
Detail keys: detail_title, detail_content, detail_time, detail_state, detail_unit,
reply_org (回复单位), reply_time (回复时间), reply_content (回复内容).
Also: id_pattern, a regular expression whose first group takes the id out of the link when the
board shows no 编号.
"""

from __future__ import annotations

from typing import Any


def _label(text: str) -> str:
    """The cell next to a <th>/<td> label such as 回复单位 in a two-column detail table."""
    return (
        f"//*[self::th or self::td][contains(normalize-space(.), '{text}')]"
        "/following-sibling::td[1]"
    )


PRESETS: dict[str, dict[str, Any]] = {
    # 12345 热线 style: a table with 编号 | 标题 | 处理部门 | 来信时间 | 状态 columns and a
    # two-column detail table; the reply is a second table under 办理结果.
    "table": {
        "rows": "//table[contains(@class, 'list')]//tr[td/a]",
        "id": "./td[1]",
        "title": "./td[2]/a",
        "link": "./td[2]/a/@href",
        "unit": "./td[3]",
        "time": "./td[4]",
        "state": "./td[5]",
        "next_page": "//a[normalize-space(.)='下一页']/@href",
        "detail_title": _label("标题"),
        "detail_content": _label("来信内容"),
        "detail_time": _label("来信时间"),
        "detail_state": _label("办理状态"),
        "detail_unit": _label("处理部门"),
        "reply_org": _label("回复单位"),
        "reply_time": _label("回复时间"),
        "reply_content": _label("回复内容"),
    },
    # 问政 style: a <ul> of <li> items with labelled <span>s, a detail <div> with the question
    # and a reply block.
    "list": {
        "rows": "ul.wz-list > li",
        "id": "span.wz-no",
        "title": "a.wz-title",
        "link": "a.wz-title::attr(href)",
        "unit": "span.wz-dept",
        "time": "span.wz-time",
        "state": "span.wz-state",
        "next_page": "div.pager a.next::attr(href)",
        "detail_title": ".wz-detail h2",
        "detail_content": ".wz-detail div.wz-content",
        "detail_time": ".wz-detail span.wz-time",
        "detail_state": ".wz-detail span.wz-state",
        "detail_unit": ".wz-detail span.wz-dept",
        "reply_org": ".wz-reply .reply-org",
        "reply_time": ".wz-reply .reply-time",
        "reply_content": ".wz-reply div.reply-text",
    },
}

REQUIRED = ("rows", "title", "link", "detail_content")


def resolve(params: dict[str, Any]) -> dict[str, Any]:
    """The preset named by ``layout`` with the source's own keys on top."""
    layout = params.get("layout")
    if layout is not None and layout not in PRESETS:
        raise ValueError(f"unknown layout {layout!r}; expected one of {sorted(PRESETS)}")
    merged = {**PRESETS.get(str(layout), {}), **{k: v for k, v in params.items() if k != "layout"}}
    missing = [k for k in REQUIRED if not merged.get(k)]
    if missing:
        raise ValueError(f"gov_board params lack {missing}; give a layout or the selectors")
    return merged
