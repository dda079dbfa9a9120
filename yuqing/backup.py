"""Online backup and restore of the embedded SQLite database.

The backup uses SQLite's own backup API, so it is consistent even while the service writes.
The scheduled ``backup`` job (``[backup]`` in the configuration) writes one a day and keeps
the newest ``keep``; the scheduler's job store lives in the same database, so a restore
brings the schedule back as it was too. PostgreSQL is backed up with ``pg_dump`` on a timer
of the system's (see the README's Operations section).
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from domain.settings import Settings

PATTERN = "yuqing-*.db"


class BackupError(Exception):
    pass


def sqlite_path(database_url: str) -> Path:
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise BackupError(
            "backup and restore handle the embedded SQLite database only; "
            "use pg_dump / pg_restore for PostgreSQL"
        )
    return Path(url.database)


def backup(database_url: str, dest_dir: Path, now: datetime) -> Path:
    src = sqlite_path(database_url)
    if not src.exists():
        raise BackupError(f"no database at {src}")
    dest_dir.mkdir(parents=True, exist_ok=True)
    dest = dest_dir / f"yuqing-{now.strftime('%Y%m%dT%H%M%S')}.db"
    with sqlite3.connect(src) as source, sqlite3.connect(dest) as target:
        source.backup(target)
    _check(dest)
    return dest


def is_sqlite(database_url: str) -> bool:
    return make_url(database_url).get_backend_name() == "sqlite"


def backup_dir(settings: Settings) -> Path:
    return Path(settings.backup.dir) if settings.backup.dir else settings.var_dir / "backups"


def prune(dest_dir: Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` backups in ``dest_dir``; returns those deleted.
    Names carry the UTC time, so their order is their age."""
    files = sorted(dest_dir.glob(PATTERN))
    old = files[:-keep] if keep > 0 else files
    for path in old:
        path.unlink(missing_ok=True)
    return old


def scheduled_backup(settings: Settings, now: datetime) -> tuple[Path, list[Path]]:
    """What the ``backup`` job does: one backup, then the retention."""
    dest_dir = backup_dir(settings)
    path = backup(settings.database_url, dest_dir, now)
    return path, prune(dest_dir, settings.backup.keep)


def restore(database_url: str, backup_file: Path) -> Path:
    """Replace the database with a backup. The service must be stopped first."""
    target = sqlite_path(database_url)
    if not backup_file.exists():
        raise BackupError(f"no backup at {backup_file}")
    _check(backup_file)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".restoring")
    shutil.copyfile(backup_file, tmp)
    for suffix in ("-wal", "-shm"):  # a stale WAL would be replayed onto the restored file
        Path(str(target) + suffix).unlink(missing_ok=True)
    tmp.replace(target)
    return target


def _check(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        result = conn.execute("PRAGMA integrity_check").fetchone()
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not result or result[0] != "ok":
        raise BackupError(f"{path} fails SQLite's integrity check: {result}")
    if "alembic_version" not in tables:
        raise BackupError(f"{path} is not a yuqing database (no schema version)")
