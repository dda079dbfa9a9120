"""Alembic environment: runs migrations against the URL set by storage.migrate."""

from __future__ import annotations

from typing import Any

from alembic import context

from storage.db import make_engine
from storage.models import Base

config = context.config
target_metadata = Base.metadata

# Built at run time outside the models, so autogenerate must neither drop nor recreate them:
# SQLite's FTS5 table ``posts_fts`` and its shadow tables (``posts_fts_data``, ``_idx``,
# ``_content``, ``_docsize``, ``_config``) and PostgreSQL's trigram indexes on posts
# (``ix_posts_title_trgm``, ``ix_posts_content_trgm``), all made by the dashboard's search.
SEARCH_INDEX_SUFFIX = "_trgm"


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Autogenerate compares only what the models own: other tables (the scheduler's job
    store, the FTS5 tables) and the trigram indexes on posts are left alone."""
    if type_ == "table":
        return name in target_metadata.tables
    return not (type_ == "index" and (name or "").endswith(SEARCH_INDEX_SUFFIX))


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    url = config.get_main_option("sqlalchemy.url")
    assert url
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
