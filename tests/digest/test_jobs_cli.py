"""Queueing the weekly digest, and the ``yuqing digest`` / ``yuqing report`` commands."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from openpyxl import load_workbook
from sqlalchemy import select

from domain.settings import Settings
from storage import models
from storage.db import make_engine, make_sessionmaker
from storage.models import Base
from tests.conftest import SAMPLE_CONFIG
from tests.digest import dataset
from tests.digest.conftest import Built
from tests.digest.dataset import L
from tests.digest.htmltables import parse
from yuqing.cli import _register_subcommands, cli
from yuqing.digest.jobs import queue_weekly_digest


def test_queue_weekly_digest_once_per_week(built: Built, settings: Settings) -> None:
    assert queue_weekly_digest(settings, built.sessions, L(23, 8, 30)) is True
    assert queue_weekly_digest(settings, built.sessions, L(23, 8, 31)) is False  # run twice
    assert queue_weekly_digest(settings, built.sessions, L(29, 23)) is False  # late, same week
    assert queue_weekly_digest(settings, built.sessions, L(30, 8, 30)) is True  # the next one
    with built.sessions() as s:
        rows = s.scalars(select(models.Outbox).order_by(models.Outbox.id)).all()
    assert [(r.kind, r.dedupe_key, r.payload) for r in rows] == [
        ("digest", "digest:2026-W47", {"week": "2026-W47"}),
        ("digest", "digest:2026-W48", {"week": "2026-W48"}),
    ]
    assert rows[0].recipients == ["leadership", "duty"] and rows[0].state.value == "pending"
    assert rows[0].next_attempt_at == L(23, 8, 30)


@pytest.fixture
def var(tmp_path: Path, settings: Settings) -> Path:
    """The sample configuration's SQLite database, holding the data set."""
    _register_subcommands()
    var = tmp_path / "var"
    engine = make_engine(f"sqlite:///{var / 'yuqing.db'}")
    Base.metadata.create_all(engine)
    with make_sessionmaker(engine).begin() as s:
        dataset.build(s, settings)
    engine.dispose()
    return var


def run(var: Path, *args: str) -> Result:
    env = {"YUQING_VAR_DIR": str(var), "YUQING_MAIL_BACKEND": "dryrun"}
    return CliRunner().invoke(cli, ["--config", str(SAMPLE_CONFIG), *args], env=env)


def test_digest_command(var: Path, tmp_path: Path) -> None:
    out = tmp_path / "digest"
    r = run(var, "digest", "--week", "2026-W47", "--out", str(out))
    assert r.exit_code == 0, r.output
    # the folder holds what a leader is sent: the HTML, the XLSX 台账 and the CSV
    files = {p.suffix: p for p in out.iterdir()}
    assert sorted(files) == [".csv", ".html", ".xlsx"]
    assert parse(files[".html"].read_text(encoding="utf-8"))[1]["kpi-breaches"] == "4"
    assert load_workbook(files[".xlsx"]).sheetnames
    assert "2026-W47" in files[".csv"].name and files[".csv"].stat().st_size > 0
    r = run(var, "digest", "--week", "2026-W47")
    assert r.exit_code == 0 and "新增帖文 14 条" in r.output
    r = run(var, "digest", "--week", "2026-W99")
    assert r.exit_code == 2 and "2026-W99" in r.output


def test_digest_send_queues_once(var: Path) -> None:
    r = run(var, "digest", "--week", "2026-W47", "--send")
    assert r.exit_code == 0, r.output
    assert "digest 2026-W47 queued" in r.output
    r = run(var, "digest", "--week", "2026-W47", "--send")
    assert "was queued before" in r.output
    engine = make_engine(f"sqlite:///{var / 'yuqing.db'}")
    with make_sessionmaker(engine)() as s:
        keys = s.scalars(select(models.Outbox.dedupe_key)).all()
    engine.dispose()
    assert keys.count("digest:2026-W47") == 1


def test_report_command(var: Path, tmp_path: Path) -> None:
    r = run(var, "report", "--quarter", "2026Q4", "--out", str(tmp_path / "q4"))
    assert r.exit_code == 0, r.output
    assert sorted(p.suffix for p in (tmp_path / "q4").iterdir()) == [".html", ".xlsx"]
    assert run(var, "report", "--quarter", "2026Q7", "--out", str(tmp_path)).exit_code == 2
