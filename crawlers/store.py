"""Writing a crawled post: insert once per (source, external id), update on re-crawl."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawlers.items import PostItem
from crawlers.text import content_hash
from storage.models import Post


class Outcome(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


# Fields a re-crawl may change. A value the board no longer shows (None / "") never erases
# what is stored: nothing already stored is lost.
_TRACKED = ("title", "content", "author", "board_type", "board_domain", "board_state",
            "board_unit", "reply_content", "reply_at", "reply_org")
_COUNTERS = ("replies", "likes")
# A change here means the analysis (topic, severity, response evidence) must run again.
_REANALYSE = ("content_hash", "reply_content", "reply_at", "reply_org")


def _values(item: PostItem) -> dict[str, Any]:
    return {
        "url": item.url,
        "title": item.title[:500],
        "content": item.content,
        "author": (item.author or None) and item.author[:200],
        "published_at": item.published_at,
        "content_hash": content_hash(item.title, item.content),
        "board_type": item.board_type and item.board_type[:32],
        "board_domain": item.board_domain and item.board_domain[:32],
        "board_state": item.board_state and item.board_state[:32],
        "board_unit": item.board_unit and item.board_unit[:200],
        "replies": item.replies,
        "likes": item.likes,
        "reply_content": item.reply_content,
        "reply_at": item.reply_at,
        "reply_org": item.reply_org and item.reply_org[:200],
        "mentions": list(item.mentions),
        "raw": item.raw,
        "list_state": item.list_state and item.list_state[:200],
    }


def upsert_post(session: Session, item: PostItem, now: datetime) -> Outcome:
    values = _values(item)
    post = session.scalars(
        select(Post).where(Post.source_id == item.source_id,
                           Post.external_id == item.external_id)
    ).one_or_none()
    if post is None:
        session.add(Post(source_id=item.source_id, external_id=item.external_id,
                         first_seen_at=now, last_seen_at=now, analyzed_at=None, **values))
        return Outcome.NEW
    changed: set[str] = set()
    for name in _TRACKED:
        new = values[name]
        if new in (None, "") or getattr(post, name) == new:
            continue
        setattr(post, name, new)
        changed.add(name)
    if post.published_at is None and values["published_at"] is not None:
        # a post's publication time does not change; a later, vaguer reading must not win
        post.published_at = values["published_at"]
        changed.add("published_at")
    if "title" in changed or "content" in changed:
        digest = content_hash(post.title, post.content)
        if digest != post.content_hash:
            post.content_hash = digest
            changed.add("content_hash")
    for name in _COUNTERS:
        if values[name] and getattr(post, name) != values[name]:
            setattr(post, name, values[name])
    if values["mentions"] and post.mentions != values["mentions"]:
        post.mentions = values["mentions"]
    if values["raw"]:
        post.raw = values["raw"]
    post.url = values["url"] or post.url
    post.list_state = values["list_state"] or post.list_state
    post.last_seen_at = now
    if changed & set(_REANALYSE):
        post.analyzed_at = None
    return Outcome.UPDATED if changed else Outcome.UNCHANGED
