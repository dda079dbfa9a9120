"""``yuqing sla`` commands and the holiday warning of ``yuqing config check``."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy.orm import Session

from domain.settings import Settings
from response_sla import service
from response_sla.configured import calendar_warnings, from_settings
from storage.db import make_engine, make_sessionmaker
from storage.models import Base
from tests.conftest import SAMPLE_CONFIG
from tests.sla import factories as f
from tests.sla.conftest import sh
from yuqing.cli import CONFIG_WARNINGS, _register_subcommands, cli


@pytest.fixture(scope="module", autouse=True)
def _commands() -> None:
    _register_subcommands()


def run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    environ = {"YUQING_VAR_DIR": str(tmp_path / "var"), **(env or {})}
    return CliRunner().invoke(cli, ["--config", str(SAMPLE_CONFIG), "sla", *args], env=environ)


def test_add_working_days_json(tmp_path: Path) -> None:
    r = run(
        tmp_path,
        "add-working-days",
        "--start",
        "2025-09-26T10:00:00+08:00",
        "--days",
        "2",
        "--json",
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"due_at": "2025-09-30T00:00:00+08:00", "provisional": False}
    r = run(
        tmp_path, "add-working-days", "--start", "2026-12-30T02:00:00Z", "--days", "2", "--json"
    )
    assert json.loads(r.output) == {"due_at": "2027-01-05T00:00:00+08:00", "provisional": True}


def test_deadlines_json(tmp_path: Path) -> None:
    r = run(tmp_path, "deadlines", "--severity", "重大", "--start", "2025-09-30T10:00", "--json")
    assert r.exit_code == 0, r.output
    got = {d["kind"]: d["due_at"] for d in json.loads(r.output)["deadlines"]}
    assert got == {
        "acknowledge": "2025-09-30T12:00:00+08:00",
        "publish_info": "2025-09-30T15:00:00+08:00",
        "press_conference": "2025-10-01T10:00:00+08:00",
        "resolve": "2025-10-29T00:00:00+08:00",
    }
    clocks = {d["kind"]: d["clock"] for d in json.loads(r.output)["deadlines"]}
    assert clocks == {
        "acknowledge": "natural",  # a 重大 event is signed for round the clock
        "publish_info": "natural",
        "press_conference": "natural",
        "resolve": "working_days",
    }
    # a routine complaint the evening before National Day: 签收 waits for the offices
    r = run(tmp_path, "deadlines", "--severity", "常规", "--start", "2025-09-30T20:00")
    assert r.exit_code == 0, r.output
    lines = {line.split()[3]: line for line in r.output.splitlines()}
    assert "10月9日 10:30" in lines["acknowledge"] and "[工作时间]" in lines["acknowledge"]
    assert "[自然时]" in lines["respond"]
    assert "10月28日 24:00" in lines["resolve"] and "[工作日]" in lines["resolve"]
    r = run(tmp_path, "deadlines", "--severity", "huge", "--start", "2025-09-30T10:00")
    assert r.exit_code == 2 and "expected one of" in r.output


def test_office_close_setting(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    text = SAMPLE_CONFIG.read_text("utf-8").replace(
        'office_close = "24:00"', 'office_close = "17:30"'
    )
    config.write_text(text, "utf-8")
    r = CliRunner().invoke(
        cli,
        [
            "--config",
            str(config),
            "sla",
            "add-working-days",
            "--start",
            "2025-09-26T10:00+08:00",
            "--days",
            "2",
            "--json",
        ],
        env={"YUQING_VAR_DIR": str(tmp_path / "var")},
    )
    assert json.loads(r.output)["due_at"] == "2025-09-29T17:30:00+08:00"


def test_tick_and_show(tmp_path: Path, settings: Settings) -> None:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    Base.metadata.create_all(engine)
    setup = from_settings(settings)
    with make_sessionmaker(engine).begin() as s:
        s: Session  # type: ignore[no-redef]
        e = f.event(s, sh(2025, 9, 26, 10))
        f.assign(s, e, "zjj", sh(2025, 9, 26, 11))
        service.open_clocks(s, e, sh(2025, 9, 26, 11), setup)
        event_id = e.id
    engine.dispose()
    env = {"YUQING_DATABASE_URL": url}
    r = run(tmp_path, "tick", "--now", "2025-09-28T12:00:00+08:00", env=env)
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    # 签收 (levels 1 and 2: four hours past) and the 48 h response (level 1)
    assert out["processed"] == 2 and out["breaches"] == 3
    r = run(tmp_path, "show", str(event_id), "--json", env=env)
    data = json.loads(r.output)
    assert {c["kind"]: c["state"] for c in data["clocks"]} == {
        "respond": "breached",
        "acknowledge": "breached",
        "resolve": "open",
    }
    # 签收 runs on office hours: 11:00–12:00, then 14:30–15:30
    assert data["next_deadline_at"] == "2025-09-26T15:30:00+08:00"
    shown = {c["kind"]: (c["clock"], c["due"]) for c in data["clocks"]}
    assert shown["acknowledge"] == ("office", "9月26日 15:30")
    assert shown["respond"][0] == "natural"
    r = run(tmp_path, "show", str(event_id), env=env)
    assert "(9月26日 15:30)" in r.output and "[工作时间]" in r.output
    r = run(tmp_path, "show", "999", env=env)
    assert r.exit_code == 1 and "no event 999" in r.output


def test_config_check_warns_about_missing_years(tmp_path: Path, settings: Settings) -> None:
    assert any(c.__name__ == "_config_warnings" for c in CONFIG_WARNINGS)
    warnings = calendar_warnings(settings, date(2026, 11, 22))
    assert len(warnings) == 1 and "2027" in warnings[0]
    assert calendar_warnings(settings, date(2026, 3, 1)) == []
    assert len(calendar_warnings(settings, date(2027, 12, 1), timedelta(days=60))) == 2
    folder = tmp_path / "cal"
    folder.mkdir()
    (folder / "2027.toml").write_text("year = 2027\nworkdays = [2027-01-04]\n", "utf-8")
    fixed = settings.model_copy(
        update={"sla": settings.sla.model_copy(update={"calendar_overrides": str(folder)})}
    )
    assert calendar_warnings(fixed, date(2026, 11, 22)) == [
        f"sla: {folder / '2027.toml'}: workdays[0]: 2027-01-04 is already a weekday"
    ]
    (folder / "2027.toml").write_text("year = 2027\nworkdays = [2027-01-09]\n", "utf-8")
    assert calendar_warnings(fixed, date(2026, 11, 22)) == []


def test_policy_file_problems_become_warnings(tmp_path: Path, settings: Settings) -> None:
    broken = settings.model_copy(
        update={"sla": settings.sla.model_copy(update={"policy": str(tmp_path / "none.toml")})}
    )
    assert calendar_warnings(broken, date(2026, 3, 1)) == [
        f"sla: {tmp_path / 'none.toml'}: -: file not found"
    ]
    r = CliRunner().invoke(
        cli,
        [
            "--config",
            str(SAMPLE_CONFIG),
            "sla",
            "add-working-days",
            "--start",
            "2025-01-02",
            "--days",
            "1",
        ],
        env={"YUQING_VAR_DIR": str(tmp_path / "var")},
    )
    assert r.exit_code == 0 and r.output.strip() == "2025-01-04T00:00:00+08:00"
