"""``yuqing db upgrade`` refuses a database that a newer release upgraded."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from storage.migrate import DatabaseNewerThanCode, check_not_newer, head_revision, upgrade
from tests.conftest import ROOT, SAMPLE_CONFIG


def _set_revision(url: str, revision: str) -> None:
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
    engine.dispose()


def test_upgrade_refuses_a_newer_database(db_url: str) -> None:
    upgrade(db_url)
    assert check_not_newer(db_url) == head_revision(db_url)
    _set_revision(db_url, "9999_from_the_future")
    with pytest.raises(DatabaseNewerThanCode, match="9999_from_the_future") as exc:
        upgrade(db_url)
    assert exc.value.head == head_revision(db_url)
    # nothing was changed
    engine = create_engine(db_url)
    with engine.connect() as conn:
        assert conn.scalar(text("SELECT version_num FROM alembic_version")) == (
            "9999_from_the_future")
    engine.dispose()


def test_an_empty_database_is_created(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    assert check_not_newer(url) is None
    upgrade(url)
    assert check_not_newer(url) == head_revision(url)


def test_the_command_says_so_in_one_line(tmp_path: Path) -> None:
    var = tmp_path / "var"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "yuqing", "--config", str(SAMPLE_CONFIG), *args],
            capture_output=True, text=True, cwd=ROOT,
            env={"YUQING_VAR_DIR": str(var), "PATH": "/usr/bin:/bin"})

    assert run("db", "upgrade").returncode == 0
    _set_revision(f"sqlite:///{var / 'yuqing.db'}", "9999_from_the_future")
    for args in (("db", "upgrade"), ("init",)):
        proc = run(*args)
        assert proc.returncode == 1
        assert "Traceback" not in proc.stderr
        assert "9999_from_the_future" in proc.stderr
        assert "newer release" in proc.stderr
