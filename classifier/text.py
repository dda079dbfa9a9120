"""Labelled data files: reading them into one shape, and joining title and content.

Two formats are understood:

- the TipDM 2020 C format (``id,label,title,posted_at,text``; ``text`` is title + detail);
- 人民网 领导留言板 threads (``tid,…,subject,type_name,domain_name,…,created_at,content,…``),
  whose board domain (``domain_name``) maps to a topic for seven of its thirteen domains and whose
  ``type_name`` is the handling type.
"""

from __future__ import annotations

import csv
import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from classifier.types import PostText
from domain.vocabulary import HANDLING_TYPES

# 人民网 board domains that correspond to one of the seven topics; the rest (三农, 政务, 企业, 治安,
# 金融, 文娱) cut across topics and are left out of topic training and evaluation.
DOMAIN_TO_TOPIC: dict[str, str] = {
    "城建": "城乡建设",
    "就业": "劳动和社会保障",
    "交通": "交通运输",
    "教育": "教育文体",
    "环保": "环境保护",
    "医疗": "卫生计生",
    "旅游": "商贸旅游",
}

# 人民网 threads created from this day on are evaluation only.
THREADS_EVAL_FROM = "2022-09-01"

_SPACE = re.compile(r"\s+")


def join_text(post: PostText) -> str:
    """Title and content as one string, whitespace runs collapsed, the title not repeated."""
    title = _SPACE.sub(" ", post.title).strip()
    content = _SPACE.sub(" ", post.content).strip()
    if title and content.startswith(title):
        content = content[len(title) :].lstrip()
    if not title:
        return content
    return f"{title} {content}" if content else title


@dataclass(frozen=True)
class Example:
    """One labelled post; ``created`` is the board's time string when known."""

    post: PostText
    label: str
    created: str = ""


class DataFormatError(ValueError):
    """A CSV file that is neither the TipDM format nor 人民网 threads."""


def sniff_format(path: Path) -> str:
    """``"tipdm"`` or ``"threads"`` from the header row."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        header = next(csv.reader(fh), [])
    cols = set(header)
    if {"label", "text"} <= cols:
        return "tipdm"
    if {"subject", "content", "type_name", "domain_name"} <= cols:
        return "threads"
    raise DataFormatError(
        f"{path}: unknown columns {header[:8]}; expected the TipDM format (label, title, text) "
        "or 人民网 threads (subject, content, type_name, domain_name, created_at)"
    )


def read_tipdm(path: Path) -> list[Example]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            Example(
                PostText(row["title"] or "", row["text"] or ""),
                row["label"],
                row.get("posted_at") or "",
            )
            for row in csv.DictReader(fh)
            if row.get("label")
        ]


def read_threads(
    path: Path, *, task: str, since: str | None = None, before: str | None = None
) -> list[Example]:
    """Threads labelled for ``task`` ("topic" or "handling"), optionally limited by creation time.

    ``since`` / ``before`` compare with ``created_at`` ("YYYY-MM-DD HH:MM", Asia/Shanghai).
    """
    if task not in ("topic", "handling"):
        raise ValueError(f"task must be topic or handling, not {task!r}")
    out: list[Example] = []
    with path.open(encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            created = row.get("created_at") or ""
            if since is not None and created < since:
                continue
            if before is not None and created >= before:
                continue
            if task == "topic":
                label = DOMAIN_TO_TOPIC.get(row.get("domain_name") or "")
            else:
                label = row.get("type_name") or None
                label = label if label in HANDLING_TYPES else None
            if label is None:
                continue
            out.append(
                Example(PostText(row["subject"] or "", row["content"] or ""), label, created)
            )
    return out


def read_handling_csv(path: Path) -> list[Example]:
    """The hand-written handling set: ``title,content,handling`` columns."""
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return [
            Example(PostText(row["title"], row["content"]), row["handling"])
            for row in csv.DictReader(fh)
            if row.get("handling") in HANDLING_TYPES
        ]


def read_labelled(path: Path, *, task: str = "topic") -> list[Example]:
    """Every labelled row of a TipDM CSV or a threads CSV (all dates) for ``task``."""
    fmt = sniff_format(path)
    if fmt == "tipdm":
        if task != "topic":
            raise DataFormatError(f"{path}: the TipDM format has topic labels only")
        return read_tipdm(path)
    return read_threads(path, task=task)


def data_hash(examples: Iterable[Example]) -> str:
    """SHA-256 over texts and labels, in order: identifies the training data in metadata."""
    h = hashlib.sha256()
    for ex in examples:
        for part in (ex.post.title, ex.post.content, ex.label):
            h.update(part.encode("utf-8"))
            h.update(b"\x00")
    return h.hexdigest()


def texts(examples: Sequence[Example]) -> list[str]:
    return [join_text(ex.post) for ex in examples]
