"""Backup and restore of the SQLite default, through the CLI."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SAMPLE_CONFIG


def _yuqing(var: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "yuqing", "--config", str(SAMPLE_CONFIG), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"YUQING_VAR_DIR": str(var), "PATH": "/usr/bin:/bin"},
    )


def test_backup_then_restore_brings_back_the_data(tmp_path: Path) -> None:
    var = tmp_path / "var"
    assert _yuqing(var, "init").returncode == 0
    db = var / "yuqing.db"
    with sqlite3.connect(db) as conn:
        units_before = conn.execute("select count(*) from units").fetchone()[0]
    proc = _yuqing(var, "backup")
    assert proc.returncode == 0, proc.stderr
    backup_file = Path(proc.stdout.strip().rsplit(" ", 1)[-1])
    assert backup_file.exists()

    with sqlite3.connect(db) as conn:
        conn.execute("delete from units where id = 'tiankan'")
    proc = _yuqing(var, "restore", "--yes", str(backup_file))
    assert proc.returncode == 0, proc.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("select count(*) from units").fetchone()[0] == units_before
        assert conn.execute("select 1 from units where id = 'tiankan'").fetchone() == (1,)


def test_restore_refuses_a_file_that_is_not_a_yuqing_database(tmp_path: Path) -> None:
    var = tmp_path / "var"
    assert _yuqing(var, "init").returncode == 0
    bogus = tmp_path / "bogus.db"
    with sqlite3.connect(bogus) as conn:
        conn.execute("create table t (x)")
    proc = _yuqing(var, "restore", "--yes", str(bogus))
    assert proc.returncode == 1
    assert "not a yuqing database" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_backup_of_postgres_points_to_pg_dump(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "yuqing", "--config", str(SAMPLE_CONFIG), "backup"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={
            "YUQING_VAR_DIR": str(tmp_path),
            "YUQING_DATABASE_URL": "postgresql+psycopg://u@127.0.0.1/x",
            "PATH": "/usr/bin:/bin",
        },
    )
    assert proc.returncode == 1
    assert "pg_dump" in proc.stderr
