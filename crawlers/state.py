"""What the database already knows about a source, read before a crawl."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Engine, select

from storage.models import Post


def known_posts(engine: Engine, source_id: str) -> dict[str, datetime | None]:
    """external_id -> published_at (or first seen when the board gave no time)."""
    stmt = select(Post.external_id, Post.published_at, Post.first_seen_at).where(
        Post.source_id == source_id
    )
    with engine.connect() as conn:
        return {ext: pub or seen for ext, pub, seen in conn.execute(stmt)}
