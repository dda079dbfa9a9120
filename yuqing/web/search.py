"""Chinese full-text search over posts: the queries the dashboard runs on the index that
``yuqing.search_index`` keeps (an FTS5 table on SQLite, trigram indexes on PostgreSQL).
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, String, bindparam, or_, select, text

from storage import models
from yuqing.search_index import FTS_TABLE, ensure_search_index, tokens

# the queue prepares the index where it searches
__all__ = [
    "SEARCH_PARAM",
    "ensure_search_index",
    "fts_query",
    "matching_events",
    "matching_posts",
    "search_parameter",
]


def fts_query(query: str) -> str | None:
    """Every word must occur; each word is a quoted FTS5 string, so operators in the input are
    plain text."""
    words = tokens(query, for_query=True)
    if not words:
        return None
    return " ".join('"' + w.replace('"', '""') + '"' for w in words)


SEARCH_PARAM = "search_q"


def _like_pattern(query: str) -> str:
    escaped = query.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_parameter(dialect: str, query: str, masked: bool = False) -> str | None:
    """The bound value for ``matching_posts``: an FTS5 query, or an ILIKE pattern; None when
    the query has nothing to search for. ``masked``: the reader sees personal data masked,
    and searches the masked text (an ILIKE pattern on either database)."""
    if not query.strip():
        return None
    if masked:
        return _like_pattern(query)
    return fts_query(query) if dialect == "sqlite" else _like_pattern(query)


def matching_posts(dialect: str, masked: bool = False) -> ColumnElement[bool]:
    """A condition on ``posts`` for the posts matching the bound ``search_q`` parameter;
    ``masked``: in the text with personal data masked (``posts.search_masked``), so that a
    search cannot confirm a number or a name the reader is shown masked."""
    P = models.Post.__table__.c
    if masked:
        return P.search_masked.ilike(bindparam(SEARCH_PARAM, type_=String()), escape="\\")
    if dialect == "sqlite":
        return P.id.in_(
            select(text("rowid"))
            .select_from(text(FTS_TABLE))
            .where(text(f"{FTS_TABLE} MATCH :{SEARCH_PARAM}"))
        )
    pattern = bindparam(SEARCH_PARAM, type_=String())
    return or_(P.title.ilike(pattern, escape="\\"), P.content.ilike(pattern, escape="\\"))


def matching_events(dialect: str, masked: bool = False) -> ColumnElement[bool]:
    """A condition on ``events``: an event matches when one of its posts does."""
    P = models.Post.__table__.c
    return models.Event.__table__.c.id.in_(
        select(P.event_id).where(matching_posts(dialect, masked), P.event_id.is_not(None))
    )
