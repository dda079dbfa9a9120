"""What the database already knows about a source, read before a crawl."""

from __future__ import annotations

from datetime import datetime
from typing import NamedTuple

from sqlalchemy import Engine, select

from storage.models import Post


class Known(NamedTuple):
    published_at: datetime | None  # or first seen when the board gave no time
    list_state: str | None  # what its list row said last time


def known_posts(engine: Engine, source_id: str) -> dict[str, Known]:
    """external_id -> what is stored of the thread."""
    stmt = select(
        Post.external_id, Post.published_at, Post.first_seen_at, Post.list_state
    ).where(Post.source_id == source_id)
    with engine.connect() as conn:
        return {ext: Known(pub or seen, state) for ext, pub, seen, state in conn.execute(stmt)}
