"""Reading configured selectors: one string is CSS unless it looks like XPath."""

from __future__ import annotations

import re
from typing import Any

from parsel import Selector, SelectorList

from crawlers.text import clean, clean_block

# a parsel Selector or SelectorList, or a Scrapy response (which selects the same way)
Node = Any

_LABEL = re.compile(r"^\s*[\u4e00-\u9fff]{2,6}\s*[:：]\s*")


def is_xpath(expr: str) -> bool:
    return expr.startswith(("/", "./", "(", "string(", "normalize-space("))


def select(node: Node, expr: str) -> SelectorList[Selector]:
    found: SelectorList[Selector] = node.xpath(expr) if is_xpath(expr) else node.css(expr)
    return found


def _texts(found: SelectorList[Selector]) -> list[str]:
    out = []
    for sel in found:
        if isinstance(sel.root, str):
            out.append(sel.root)
        else:
            # <br> and block elements separate lines; string() would glue them together
            # attachments (Discuz! <ignore_js_op>), scripts and styles are not the author's text
            pieces = sel.xpath(".//text()[not(ancestor::script) and not(ancestor::style)"
                               " and not(ancestor::ignore_js_op)]").getall()
            out.append("\n".join(pieces))
    return out


def text_of(node: Node, expr: str | None) -> str:
    """The first match's visible text on one line; "" when the selector is unset or finds
    nothing."""
    if not expr:
        return ""
    found = select(node, expr)
    texts = _texts(found[:1])
    return clean(texts[0].replace("\n", " ")) if texts else ""


def block_of(node: Node, expr: str | None) -> str:
    """All matches' text, line breaks kept (post bodies, official replies)."""
    if not expr:
        return ""
    return clean_block([line for t in _texts(select(node, expr)) for line in t.split("\n")])


def strip_label(value: str) -> str:
    """处理部门：区教育局 -> 区教育局"""
    return _LABEL.sub("", value, count=1).strip()
