"""`yuqing user disable|enable|reset-password|sessions` end sessions at once, and every
command that sets a password refuses a weak one."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from storage import models
from storage.db import make_engine, make_sessionmaker
from yuqing.cli import _register_subcommands, cli
from yuqing.web.security import open_session, verify_password

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
    assert r.invoke(cli, ["init"]).exit_code == 0
    added = r.invoke(
        cli, ["user", "add", "zhang", "--role", "duty", "--password-stdin"],
        input="a long password\n",
    )
    assert added.exit_code == 0, added.output
    return r


def _db(tmp_path: Path):  # type: ignore[no-untyped-def]
    engine = make_engine(f"sqlite:///{tmp_path / 'var' / 'yuqing.db'}")
    return engine, make_sessionmaker(engine)


def _open_sessions(tmp_path: Path, n: int) -> None:
    engine, sessions = _db(tmp_path)
    with sessions.begin() as s:
        uid = s.scalars(select(models.User.id).where(models.User.username == "zhang")).one()
        for _ in range(n):
            open_session(s, uid, datetime.now(UTC), "192.0.2.1")
    engine.dispose()


def _state(tmp_path: Path) -> tuple[models.User, list[models.LoginSession]]:
    engine, sessions = _db(tmp_path)
    with sessions() as s:
        user = s.scalars(select(models.User).where(models.User.username == "zhang")).one()
        rows = list(s.scalars(select(models.LoginSession)))
    engine.dispose()
    return user, rows


def test_disable_ends_every_session_and_enable_allows_login_again(
    runner: CliRunner, tmp_path: Path
) -> None:
    _open_sessions(tmp_path, 2)
    listed = runner.invoke(cli, ["user", "sessions", "zhang"])
    assert listed.exit_code == 0 and listed.output.count("\topen") == 2
    r = runner.invoke(cli, ["user", "disable", "zhang"])
    assert r.exit_code == 0 and "2 open session(s) ended" in r.output
    user, rows = _state(tmp_path)
    assert not user.active and all(row.revoked_reason == "disabled" for row in rows)
    assert runner.invoke(cli, ["user", "sessions", "zhang"]).output.strip() == ""
    assert runner.invoke(cli, ["user", "enable", "zhang"]).exit_code == 0
    assert _state(tmp_path)[0].active


def test_reset_password_ends_sessions_and_refuses_weak_passwords(
    runner: CliRunner, tmp_path: Path
) -> None:
    _open_sessions(tmp_path, 1)
    for weak in ("password", "12345678", "aaaaaaaa", "zhang2026zhang"):
        r = runner.invoke(cli, ["user", "reset-password", "zhang", "--password-stdin"],
                          input=weak + "\n")
        assert r.exit_code != 0, weak
    user, rows = _state(tmp_path)
    assert verify_password(user.password_hash, "a long password")
    assert rows[0].revoked_at is None
    r = runner.invoke(cli, ["user", "reset-password", "zhang", "--password-stdin"],
                      input="violet kettle on the moor\n")
    assert r.exit_code == 0, r.output
    user, rows = _state(tmp_path)
    assert verify_password(user.password_hash, "violet kettle on the moor")
    assert rows[0].revoked_reason == "password_reset"


@pytest.mark.parametrize("weak", ["password", "12345678", "aaaaaaaa", "lisi-lisi-lisi"])
def test_user_add_refuses_weak_passwords(runner: CliRunner, weak: str) -> None:
    r = runner.invoke(cli, ["user", "add", "lisi", "--role", "leader", "--password-stdin"],
                      input=weak + "\n")
    assert r.exit_code != 0 and "error: the password" in r.output


def test_sessions_revoke_and_unknown_user(runner: CliRunner, tmp_path: Path) -> None:
    _open_sessions(tmp_path, 3)
    r = runner.invoke(cli, ["user", "sessions", "--revoke"])
    assert r.exit_code == 0 and "3 open session(s) ended" in r.output
    assert all(row.revoked_reason == "revoked" for row in _state(tmp_path)[1])
    assert runner.invoke(cli, ["user", "disable", "nobody"]).exit_code != 0
