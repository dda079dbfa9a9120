"""The scheduled backup and its retention, and a restore drill: back up, change things,
restore; the data and the scheduler's job store are as they were."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text

from domain.settings import Settings
from storage import models
from storage.db import transaction
from yuqing import jobs
from yuqing.backup import BackupError, backup_dir, prune, restore, scheduled_backup
from yuqing.bootstrap import App, init_database
from yuqing.runtime import Runtime, install, uninstall
from yuqing.scheduler import build_scheduler, job_specs, sync_jobs

NOW = datetime(2026, 3, 2, 19, 30, tzinfo=UTC)  # 03:30 in Shanghai


def _with_backup(settings: Settings, **values: object) -> Settings:
    return settings.model_copy(update={"backup": settings.backup.model_copy(update=values)})


def _job_store(app: App) -> dict[str, float]:
    with app.engine.connect() as conn:
        return {row[0]: row[1] for row in conn.execute(
            text("SELECT id, next_run_time FROM apscheduler_jobs"))}


def _store_jobs(app: App) -> None:
    scheduler = build_scheduler(app.engine, app.settings)
    scheduler.start(paused=True)
    try:
        sync_jobs(scheduler, app.settings)
    finally:
        scheduler.shutdown(wait=False)


def test_the_backup_job_is_scheduled_for_sqlite_only(settings: Settings) -> None:
    spec = {s.id: s for s in job_specs(settings)}["backup"]
    assert spec.func == "yuqing.jobs:backup"
    assert str(spec.trigger.fields[5]) == "3" and str(spec.trigger.fields[6]) == "30"
    pg = settings.model_copy(update={"database": settings.database.model_copy(
        update={"url": "postgresql+psycopg://yuqing@db/yuqing"})})
    assert "backup" not in {s.id for s in job_specs(pg)}
    assert "backup" not in {s.id for s in job_specs(_with_backup(settings, enabled=False))}


def test_retention_keeps_the_newest(tmp_path: Path) -> None:
    for day in range(1, 6):
        (tmp_path / f"yuqing-202603{day:02d}T033000.db").write_bytes(b"")
    (tmp_path / "notes.txt").write_text("kept")
    removed = prune(tmp_path, 2)
    assert [p.name for p in removed] == [f"yuqing-202603{d:02d}T033000.db" for d in (1, 2, 3)]
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "notes.txt", "yuqing-20260304T033000.db", "yuqing-20260305T033000.db"]


def test_restore_drill(settings: Settings, tmp_path: Path) -> None:
    settings = _with_backup(settings, keep=2, dir=str(tmp_path / "backups"))
    app = App.open(settings)
    try:
        init_database(app)
        _store_jobs(app)
        with transaction(app.sessions) as s:
            s.add(models.Source(id="extra", name="额外留言板", spider="gov_board",
                                url="http://127.0.0.1/extra/"))
        units = _units(app)
        store = _job_store(app)
        assert "sla_tick" in store and "backup" in store

        # three nights of backups, two kept
        for night in range(3):
            drill, _ = scheduled_backup(settings, NOW + timedelta(days=night))
        kept = sorted(backup_dir(settings).glob("yuqing-*.db"))
        assert [p.name for p in kept] == ["yuqing-20260303T193000.db", drill.name]
        # the job itself, as the scheduler runs it (at the real time, later than NOW)
        rt = Runtime(app)
        install(rt)
        try:
            jobs.backup()
        finally:
            uninstall()
        assert not rt.last_runs["backup"]["outcome"].startswith("failed")
        assert len(list(backup_dir(settings).glob("yuqing-*.db"))) == 2
        assert drill.exists()

        # things change after the backup: a unit retired, a source gone, the schedule moved
        with transaction(app.sessions) as s:
            s.execute(text("DELETE FROM sources WHERE id = 'extra'"))
            s.get(models.Unit, units[0]).active = False  # type: ignore[union-attr]
        with app.engine.begin() as conn:
            conn.execute(text("DELETE FROM apscheduler_jobs WHERE id = 'backup'"))
            conn.execute(text("UPDATE apscheduler_jobs SET next_run_time = 1"))
    finally:
        app.close()

    restore(settings.database_url, drill)
    app = App.open(settings)
    try:
        assert _units(app) == units
        with app.sessions() as s:
            assert s.get(models.Source, "extra") is not None
        assert _job_store(app) == store
    finally:
        app.close()


def _units(app: App) -> list[str]:
    with app.sessions() as s:
        return list(s.scalars(select(models.Unit.id).where(models.Unit.active.is_(True))
                              .order_by(models.Unit.id)))


def test_a_backup_of_postgresql_is_refused_with_the_tool_to_use(settings: Settings) -> None:
    pg = settings.model_copy(update={"database": settings.database.model_copy(
        update={"url": "postgresql+psycopg://yuqing@db/yuqing"})})
    with pytest.raises(BackupError, match="pg_dump"):
        scheduled_backup(pg, NOW)
