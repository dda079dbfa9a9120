"""Start-up work shared by the CLI commands: database, jurisdiction directory, sources."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from storage import models
from storage.db import make_engine, make_sessionmaker, transaction
from storage.migrate import upgrade


@dataclass(frozen=True)
class App:
    """What a command needs: the settings and a database."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]

    @classmethod
    def open(cls, settings: Settings) -> App:
        engine = make_engine(settings.database_url)
        return cls(settings, engine, make_sessionmaker(engine))

    def close(self) -> None:
        self.engine.dispose()


@dataclass(frozen=True)
class SyncReport:
    units_added: int
    units_updated: int
    units_retired: int
    sources_added: int
    sources_updated: int


def sync_directory(session: Session, settings: Settings) -> SyncReport:
    """Make the units and sources tables match the configuration.

    Units that left the configuration are retired (``active = False``), never deleted: old
    cases and statistics still point at them.
    """
    existing = {u.id: u for u in session.scalars(select(models.Unit))}
    added = updated = 0
    configured = set()
    for u in settings.jurisdiction.units:
        configured.add(u.id)
        values: dict[str, Any] = dict(
            name=u.name,
            kind=u.kind.value,
            parent_id=u.parent,
            emails=list(u.emails),
            names=u.all_names(),
            topics=list(u.topics),
            places=list(u.places),
            active=True,
        )
        row = existing.get(u.id)
        if row is None:
            session.add(models.Unit(id=u.id, **values))
            added += 1
        elif any(getattr(row, k) != v for k, v in values.items()):
            for k, v in values.items():
                setattr(row, k, v)
            updated += 1
    session.flush()
    retired = 0
    for uid, row in existing.items():
        if uid not in configured and row.active:
            row.active = False
            retired += 1

    src_existing = {s.id: s for s in session.scalars(select(models.Source))}
    s_added = s_updated = 0
    for s in settings.sources:
        svalues: dict[str, Any] = dict(
            name=s.name,
            spider=s.spider,
            url=s.url,
            params=dict(s.params),
            interval_s=s.interval_s,
            enabled=s.enabled,
        )
        srow = src_existing.get(s.id)
        if srow is None:
            session.add(models.Source(id=s.id, **svalues))
            s_added += 1
        elif any(getattr(srow, k) != v for k, v in svalues.items()):
            for k, v in svalues.items():
                setattr(srow, k, v)
            s_updated += 1
    return SyncReport(added, updated, retired, s_added, s_updated)


def init_database(app: App) -> SyncReport:
    app.settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(app.settings.database_url)
    with transaction(app.sessions) as session:
        return sync_directory(session, app.settings)
