"""What a person reads, checked for what only a programmer would: field names, enum values,
ids where a name belongs, raw JSON, English words where Chinese is expected.

URLs, email addresses, file names and the product's own name are allowed; so is anything
inside a form control's value (the browser sends it, nobody reads it).
"""

from __future__ import annotations

import re
from enum import Enum
from typing import Final

from lxml import html as lxml_html

from domain import event_actions, vocabulary
from storage import enums

ALLOWED_WORDS: Final = frozenset({"yuqing", "xlsx", "csv"})
_REMOVE: Final = (
    re.compile(r"https?://\S+"),  # links
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),  # email addresses
    re.compile(r"[\w.-]+\.(?:toml|xlsx|csv|html|png|eml)\b"),  # file names
    re.compile(r"\b\d{4}-W\d{2}\b"),  # ISO weeks (2026-W47)
)
SNAKE: Final = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
WORD: Final = re.compile(r"[A-Za-z]{3,}")
JSON_LIKE: Final = re.compile(r"[{\[]['\"]|['\"]\s*:\s|\b(?:None|True|False|null|true|false)\b")
# "事件 10", "帖子 15": a number where a title belongs (not a time such as "事件\n11:38")
# (a count, "事件 12 个", is fine)
ID_LIKE: Final = re.compile(r"(?:post|event|帖子|事件)[ \t]*#?\d+(?![\d:]|[ \t]*[个条起项件])")
_BLOCKS: Final = frozenset(
    {"td", "th", "tr", "li", "p", "div", "dt", "dd", "br", "h1", "h2", "h3", "h4", "table"}
)


def _enum_values() -> frozenset[str]:
    values: set[str] = set()
    for module in (enums, vocabulary, event_actions):
        for obj in vars(module).values():
            if isinstance(obj, type) and issubclass(obj, Enum) and obj is not Enum:
                values.update(
                    str(m.value) for m in obj if isinstance(m.value, str) and m.value.isascii()
                )
    return frozenset(v for v in values if len(v) >= 2)


ENUM_VALUES: Final = _enum_values()


def visible_text(page: str) -> str:
    """The text a browser shows: no scripts, styles, attributes or form values."""
    doc = lxml_html.fromstring(page)
    for bad in doc.xpath("//script|//style|//option|//textarea"):
        bad.drop_tree()
    for el in doc.iter():
        if isinstance(el.tag, str) and el.tag in _BLOCKS:
            el.tail = "\n" + (el.tail or "")  # cells and lines read apart, as on screen
    return str(doc.text_content())


def leaks(text: str) -> list[str]:
    """What a person should not have to read in ``text``; empty when it reads clean."""
    for pattern in _REMOVE:
        text = pattern.sub(" ", text)
    found: list[str] = []
    found += [f"field name {m}" for m in SNAKE.findall(text)]
    found += [f"raw data {m!r}" for m in JSON_LIKE.findall(text)]
    found += [f"id {m}" for m in ID_LIKE.findall(text)]
    for word in WORD.findall(text):
        if word.lower() in ALLOWED_WORDS:
            continue
        kind = "enum value" if word in ENUM_VALUES else "English"
        found.append(f"{kind} {word}")
    return found


def context(text: str, needle: str, width: int = 40) -> str:
    word = needle.split(" ", 1)[-1].strip("'\"")
    at = text.find(word)
    return text[max(0, at - width) : at + len(word) + width].replace("\n", " ") if at >= 0 else ""
