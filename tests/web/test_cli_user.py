"""`yuqing user add` and `yuqing user list`."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from storage import models
from storage.db import make_engine, make_sessionmaker
from yuqing.cli import _register_subcommands, cli
from yuqing.web.security import verify_password

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module", autouse=True)
def _commands() -> None:
    if "user" not in cli.commands:
        _register_subcommands()


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("YUQING_VAR_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("YUQING_CONFIG", str(ROOT / "config" / "yuqing.toml"))
    r = CliRunner()
    result = r.invoke(cli, ["init"])
    assert result.exit_code == 0, result.output
    return r


def _users(tmp_path: Path) -> list[models.User]:
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'yuqing.db'}")
    with make_sessionmaker(engine)() as s:
        users = list(s.scalars(select(models.User).order_by(models.User.username)))
    engine.dispose()
    return users


def test_user_add_with_password_on_stdin(runner: CliRunner, tmp_path: Path) -> None:
    r = runner.invoke(
        cli,
        ["user", "add", "zhang", "--role", "duty", "--password-stdin"],
        input="a long password\n",
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli,
        ["user", "add", "jyj1", "--role", "unit", "--unit", "jyj", "--password-stdin"],
        input="another password\n",
    )
    assert r.exit_code == 0, r.output
    users = _users(tmp_path)
    assert [(u.username, u.role.value, u.unit_id) for u in users] == [
        ("jyj1", "unit", "jyj"),
        ("zhang", "duty", None),
    ]
    assert verify_password(users[1].password_hash, "a long password")
    listed = runner.invoke(cli, ["user", "list"])
    assert "zhang\tduty" in listed.output and "jyj1\tunit\tjyj" in listed.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["x1", "--role", "unit", "--password-stdin"], "a long password\n", "--unit is required"),
        (
            ["x2", "--role", "unit", "--unit", "nope", "--password-stdin"],
            "a long password\n",
            "unknown unit",
        ),
        (
            ["x3", "--role", "duty", "--unit", "jyj", "--password-stdin"],
            "a long password\n",
            "only applies",
        ),
        (["x4", "--role", "duty", "--password-stdin"], "short\n", "at least 8"),
        (["bad name!", "--role", "duty", "--password-stdin"], "a long password\n", "usernames"),
    ],
)
def test_user_add_refuses_bad_input(
    runner: CliRunner, tmp_path: Path, args: list[str], stdin: str, message: str
) -> None:
    r = runner.invoke(cli, ["user", "add", *args], input=stdin)
    assert r.exit_code != 0 and message in r.output
    assert _users(tmp_path) == []


def test_duplicate_user(runner: CliRunner, tmp_path: Path) -> None:
    for expected in (0, 1):
        r = runner.invoke(
            cli,
            ["user", "add", "li", "--role", "leader", "--password-stdin"],
            input="a long password\n",
        )
        assert r.exit_code == expected
    assert "already exists" in r.output
