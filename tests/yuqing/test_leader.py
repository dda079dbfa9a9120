"""Electing the process that runs the schedule: PostgreSQL advisory lock, SQLite lock file,
and the role a process plays as the lead comes and goes."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import create_engine, func, select, text

from domain.settings import Settings
from storage.models import Base
from yuqing.bootstrap import App
from yuqing.leader import (
    AlreadyRunning,
    FileElector,
    PgElector,
    elector_for,
)
from yuqing.runtime import Runtime
from yuqing.service import Roles, health, run_service

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)


@pytest.mark.postgres
def test_one_of_two_postgres_electors_leads_and_the_other_takes_over_when_it_goes(
    pg_url: str,
) -> None:
    a, b = PgElector(pg_url), PgElector(pg_url)
    try:
        assert a.try_lead(T0) is True
        assert b.try_lead(T0) is False
        assert a.try_lead(T0 + timedelta(seconds=5)) is True  # still holds it
        assert a.since == T0 and b.since is None
        a.close()  # the winner gives the lead up
        assert b.try_lead(T0 + timedelta(seconds=10)) is True
        assert b.since == T0 + timedelta(seconds=10)
        assert a.try_lead(T0 + timedelta(seconds=10)) is False
    finally:
        a.close()
        b.close()


@pytest.mark.postgres
def test_a_leader_whose_session_was_killed_steps_down(pg_url: str) -> None:
    a, b = PgElector(pg_url), PgElector(pg_url)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        assert a.try_lead(T0)
        assert a._conn is not None
        pid = a._conn.execute(select(func.pg_backend_pid())).scalar()
        with admin.connect() as conn:
            # what PostgreSQL does when it finds the leader's connection dead
            assert conn.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar()
        # the server frees the lock once the terminated backend has exited, a moment later
        assert _eventually(lambda: b.try_lead(T0 + timedelta(seconds=1)))
        assert a.try_lead(T0 + timedelta(seconds=5)) is False  # noticed; no longer leads
        assert a.since is None
        assert a.try_lead(T0 + timedelta(seconds=10)) is False  # reconnected; b leads
    finally:
        a.close()
        b.close()
        admin.dispose()


@pytest.mark.postgres
def test_startup_is_one_process_at_a_time(pg_url: str) -> None:
    a, b = PgElector(pg_url), PgElector(pg_url)
    admin = create_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        with a.starting():
            with admin.connect() as conn:
                held = conn.execute(text(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
                    "AND database = (SELECT oid FROM pg_database "
                    "WHERE datname = current_database())"
                )).scalar()
            assert held == 1
        with b.starting():  # free again
            pass
    finally:
        a.close()
        b.close()
        admin.dispose()


def test_one_file_elector_per_database_file(tmp_path: Path) -> None:
    path = tmp_path / "yuqing.db.service-lock"
    a, b = FileElector(path), FileElector(path)
    try:
        assert a.try_lead(T0) is True
        assert b.try_lead(T0) is False
        assert b.holder() is not None and b.holder() == a.holder()
        a.close()
        assert b.try_lead(T0 + timedelta(seconds=1)) is True
    finally:
        a.close()
        b.close()


def test_the_elector_follows_the_database(tmp_path: Path) -> None:
    sqlite = elector_for(f"sqlite:///{tmp_path / 'var' / 'yuqing.db'}", tmp_path / "other")
    assert isinstance(sqlite, FileElector) and sqlite.exclusive
    assert sqlite.path == tmp_path / "var" / "yuqing.db.service-lock"
    pg = elector_for("postgresql+psycopg://u@127.0.0.1:1/x", tmp_path)
    assert isinstance(pg, PgElector) and not pg.exclusive
    pg.close()


class Switch:
    """An elector whose answer the test sets."""

    exclusive = False

    def __init__(self) -> None:
        self.lead = False
        self.since: datetime | None = None
        self.closed = False

    def try_lead(self, now: datetime) -> bool:
        self.since = now if self.lead else None
        return self.lead

    def starting(self) -> object:
        raise NotImplementedError

    def close(self) -> None:
        self.closed = True


def test_the_schedule_runs_only_while_leading() -> None:
    started: list[BackgroundScheduler] = []

    def start() -> BackgroundScheduler:
        scheduler = BackgroundScheduler()
        scheduler.start()
        started.append(scheduler)
        return scheduler

    elector = Switch()
    roles = Roles(elector, start)  # type: ignore[arg-type]
    assert roles.step(T0) == "follower" and not started
    elector.lead = True
    assert roles.step(T0 + timedelta(seconds=5)) == "leader" and len(started) == 1
    assert roles.step(T0 + timedelta(seconds=10)) == "leader" and len(started) == 1
    elector.lead = False  # the lead was lost (its connection broke)
    assert roles.step(T0 + timedelta(seconds=15)) == "follower"
    assert not started[0].running
    elector.lead = True  # a stopped APScheduler cannot start again: a new one is built
    assert roles.step(T0 + timedelta(seconds=20)) == "leader" and len(started) == 2
    roles.stop()
    assert not started[1].running and elector.closed


def test_healthz_reports_the_role(settings: Settings) -> None:
    app = App.open(settings)
    Base.metadata.create_all(app.engine)
    try:
        rt = Runtime(app)
        leader = health(rt, "leader", True)
        assert leader["ok"] and leader["role"] == "leader" and leader["scheduler"] == "running"
        follower = health(rt, "follower", False)
        assert follower["ok"] and follower["role"] == "follower"
        assert follower["scheduler"] == "standby"
        broken = health(rt, "leader", False)
        assert not broken["ok"] and broken["scheduler"] == "stopped"
    finally:
        app.close()


def test_a_second_service_on_one_sqlite_database_is_refused(settings: Settings) -> None:
    holder = elector_for(settings.database_url, settings.var_dir)
    assert holder.try_lead(T0)
    try:
        with pytest.raises(AlreadyRunning, match="SQLite allows one service process"):
            run_service(settings)
        assert not (settings.var_dir / "yuqing.db").exists()  # refused before touching it
    finally:
        holder.close()


def _eventually(check: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True
