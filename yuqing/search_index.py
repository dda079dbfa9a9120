"""The posts' full-text index, written as posts are stored or changed.

SQLite: an FTS5 table ``posts_fts`` (rowid = posts.id) holding jieba tokens separated by
spaces, so FTS5's own tokenizer sees one token per Chinese word. It lives outside the ORM
models and Alembic because it is a virtual table; ``ensure_search_index`` creates it and
back-fills posts not yet indexed, and the analysis stage calls ``index_post`` for each new or
changed post.

PostgreSQL: trigram indexes (``pg_trgm``) on posts.title and posts.content make ``ILIKE
'%词%'`` indexed; without the extension the same query runs unindexed.

The dashboard's queries over the index are in ``yuqing.web.search``.
"""

from __future__ import annotations

import logging
import re
import threading
import weakref
from collections.abc import Iterable

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from storage import models

log = logging.getLogger(__name__)

FTS_TABLE = "posts_fts"
_ready: weakref.WeakSet[Engine] = weakref.WeakSet()
_ready_lock = threading.Lock()
_WORD = re.compile(r"\w", re.UNICODE)


def tokens(text_: str, *, for_query: bool = False) -> list[str]:
    """Words of a text, lower-cased; search-mode cutting adds the sub-words of long words."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    cut: Iterable[str] = jieba.cut(text_) if for_query else jieba.cut_for_search(text_)
    return [w.strip().lower() for w in cut if w.strip() and _WORD.search(w)]


def post_document(post: models.Post) -> str:
    return " ".join(tokens(" ".join(filter(None, (post.title, post.content, post.author)))))


def masked_document(post: models.Post) -> str:
    """The post as a reader who sees masked text sees it: a leader searching for a full phone
    number must find nothing that the page would not show."""
    from classifier.masking import mask_pii

    return "\n".join(mask_pii(t) for t in (post.title, post.content, post.author) if t)


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


_CREATE_FTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} "
    "USING fts5(doc, tokenize='unicode61 remove_diacritics 2')"
)


def ensure_search_index(engine: Engine) -> None:
    """Create the search structures if missing (idempotent; cheap once done)."""
    with _ready_lock:
        if engine in _ready:
            return
        if engine.dialect.name == "sqlite":
            with engine.begin() as conn:
                conn.execute(text(_CREATE_FTS))
        elif engine.dialect.name == "postgresql":
            try:
                with engine.begin() as conn:
                    conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
                    conn.execute(
                        text(
                            "CREATE INDEX IF NOT EXISTS ix_posts_title_trgm "
                            "ON posts USING gin (title gin_trgm_ops)"
                        )
                    )
                    conn.execute(
                        text(
                            "CREATE INDEX IF NOT EXISTS ix_posts_content_trgm "
                            "ON posts USING gin (content gin_trgm_ops)"
                        )
                    )
            except Exception as exc:  # noqa: BLE001 - no extension: search still works, slower
                log.warning("pg_trgm unavailable, post search is unindexed: %s", exc)
        _ready.add(engine)


def backfill(session: Session, batch: int = 500) -> int:
    """Index posts missing from ``posts_fts`` or without masked search text (after an upgrade
    or a restore). Returns how many posts were indexed (on PostgreSQL: given masked text)."""
    masked = 0
    while True:
        unmasked = session.scalars(
            select(models.Post).where(models.Post.search_masked.is_(None))
            .order_by(models.Post.id).limit(batch)
        ).all()
        if not unmasked:
            break
        for post in unmasked:
            post.search_masked = masked_document(post)
        session.flush()
        masked += len(unmasked)
    if _dialect(session) != "sqlite":
        return masked
    done = 0
    while True:
        posts = session.scalars(
            select(models.Post)
            .where(text(f"posts.id NOT IN (SELECT rowid FROM {FTS_TABLE})"))
            .order_by(models.Post.id)
            .limit(batch)
        ).all()
        if not posts:
            return done
        for post in posts:
            index_post(session, post)
        done += len(posts)


def index_post(session: Session, post: models.Post) -> None:
    """(Re)index one post; call after inserting or changing its title, content or author."""
    post.search_masked = masked_document(post)
    bind = session.get_bind()
    if bind.dialect.name != "sqlite":
        return  # PostgreSQL's trigram indexes follow the table by themselves
    if not (isinstance(bind, Engine) and bind in _ready):
        # in the caller's transaction: another connection would wait on the caller's lock
        session.execute(text(_CREATE_FTS))
    if post.id is None:
        session.flush()
    session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": post.id})
    session.execute(
        text(f"INSERT INTO {FTS_TABLE} (rowid, doc) VALUES (:id, :doc)"),
        {"id": post.id, "doc": post_document(post)},
    )


def unindex_post(session: Session, post_id: int) -> None:
    if _dialect(session) == "sqlite":
        session.execute(text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id"), {"id": post_id})
