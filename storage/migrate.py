"""Alembic, driven from code: ``upgrade(url)`` is what ``yuqing db upgrade`` runs.

A database that a newer yuqing already upgraded has a revision this code does not know;
``upgrade`` refuses to touch it (``DatabaseNewerThanCode``) rather than run old code on a
schema it does not understand. Install the newer release again, or restore the backup taken
before the upgrade.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, inspect, text

MIGRATIONS = Path(__file__).with_name("migrations")
VERSION_TABLE = "alembic_version"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    # ConfigParser treats % as interpolation; URLs may contain it (encoded passwords).
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class DatabaseNewerThanCode(Exception):
    """The database's schema revision is unknown to this code: a newer release made it."""

    def __init__(self, url_revision: str, head: str | None) -> None:
        self.revision = url_revision
        self.head = head
        super().__init__(
            f"the database is at schema revision {url_revision}, which this version of "
            f"yuqing does not know (its newest is {head}); it was upgraded by a newer "
            "release. Nothing was changed: run that release, or restore the backup taken "
            "before the upgrade.")


def check_not_newer(url: str) -> str | None:
    """The database's current revision (None: no schema yet); raises
    ``DatabaseNewerThanCode`` when this code does not know it."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            if not inspect(conn).has_table(VERSION_TABLE):
                return None
            revisions = list(conn.scalars(text(f"SELECT version_num FROM {VERSION_TABLE}")))
    finally:
        engine.dispose()
    scripts = ScriptDirectory.from_config(alembic_config(url))
    for current in revisions:
        try:
            known = scripts.get_revision(current) is not None
        except CommandError:
            known = False
        if not known:
            raise DatabaseNewerThanCode(current, scripts.get_current_head())
    return revisions[0] if revisions else None


def upgrade(url: str, revision: str = "head") -> None:
    check_not_newer(url)
    command.upgrade(alembic_config(url), revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def head_revision(url: str) -> str | None:
    return ScriptDirectory.from_config(alembic_config(url)).get_current_head()
