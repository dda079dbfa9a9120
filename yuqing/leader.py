"""Which ``yuqing run`` process leads, that is runs the APScheduler schedule.

APScheduler's job store must never be shared between schedulers, so of the processes on one
database only the leader starts one; the others follow (see ``yuqing.service.Roles``).
``try_lead(now)`` is the single step: it takes the lead if it is free, or confirms that this
process still holds it.

PostgreSQL: the lead is a session-level advisory lock held on a connection of its own. A
session lock lives exactly as long as its session, so a leader that dies, even by kill -9,
frees it as soon as PostgreSQL sees the connection closed: at once on a process death, since
the kernel closes the socket. A leader host that vanishes is noticed by the server's TCP
keepalives (about 25 s); the leader itself, cut off, notices within ``tcp_user_timeout`` on
its next check and stops its schedule, before the server frees the lock.

SQLite is for one host and one service process: the lead is an exclusive ``flock`` on a file
beside the database, which the kernel releases when the process dies, and a process that
cannot have it is refused (``exclusive``) instead of following.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import logging
import os
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Protocol

from sqlalchemy import Connection, create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)


def lock_key(name: str) -> int:
    """A stable signed 64-bit advisory lock key for ``name``."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


SCHEDULE_LOCK = lock_key("yuqing:schedule")
# start-up (migrations, directory sync) one process at a time: two processes started together
# on a fresh database would both create the tables
STARTUP_LOCK = lock_key("yuqing:startup")

# libpq: give up on a server that stopped answering, rather than hang on the check for the
# kernel's default of many minutes
CLIENT_TCP = {
    "connect_timeout": 5,
    "keepalives": 1,
    "keepalives_idle": 10,
    "keepalives_interval": 5,
    "keepalives_count": 3,
    "tcp_user_timeout": 10_000,
}
# the server: end the session of a leader host that vanished, so that its lock is freed
SERVER_TCP = (
    "SET tcp_keepalives_idle = 10",
    "SET tcp_keepalives_interval = 5",
    "SET tcp_keepalives_count = 3",
    "SET tcp_user_timeout = 15000",
)


class AlreadyRunning(RuntimeError):
    """Another service process holds a database that allows only one."""


class Elector(Protocol):
    # True: a process that cannot lead must not run at all
    exclusive: bool
    # when this process took the lead; None while it does not lead
    since: datetime | None

    def try_lead(self, now: datetime) -> bool: ...

    def starting(self) -> contextlib.AbstractContextManager[None]: ...

    def close(self) -> None: ...


class PgElector:
    """The lead as a PostgreSQL session-level advisory lock."""

    exclusive = False

    def __init__(self, url: str, key: int = SCHEDULE_LOCK) -> None:
        self.key = key
        self.since: datetime | None = None
        self._engine = create_engine(
            url, poolclass=NullPool, isolation_level="AUTOCOMMIT",
            connect_args={**CLIENT_TCP, "application_name": "yuqing leader lock"},
        )
        self._conn: Connection | None = None

    def _connection(self) -> Connection:
        if self._conn is None:
            conn = self._engine.connect()
            try:
                for statement in SERVER_TCP:
                    conn.execute(text(statement))
            except BaseException:
                conn.close()
                raise
            self._conn = conn
        return self._conn

    def try_lead(self, now: datetime) -> bool:
        try:
            conn = self._connection()
            if self.since is not None:
                # the session is alive, hence so is the lock it holds
                conn.execute(text("SELECT 1"))
                return True
            if conn.execute(select(func.pg_try_advisory_lock(self.key))).scalar():
                self.since = now
                return True
            return False
        except DBAPIError as exc:
            if self.since is not None:
                log.warning("lost the connection that holds the lead: %s", exc.orig or exc)
            else:
                log.warning("cannot ask for the lead: %s", exc.orig or exc)
            # a broken session has released whatever it held: start afresh next time
            self._drop()
            return False

    @contextlib.contextmanager
    def starting(self) -> Iterator[None]:
        conn = self._connection()
        conn.execute(select(func.pg_advisory_lock(STARTUP_LOCK)))
        try:
            yield
        finally:
            try:
                conn.execute(select(func.pg_advisory_unlock(STARTUP_LOCK)))
            except DBAPIError:
                self._drop()  # the session is gone, and its lock with it

    def _drop(self) -> None:
        self.since = None
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def close(self) -> None:
        """Give the lead up. The lock is released before the session ends: the server frees
        a closed session's locks only once its backend has exited, and a follower asking in
        that moment would be refused for one more role check."""
        if self._conn is not None and self.since is not None:
            with contextlib.suppress(DBAPIError):
                self._conn.execute(select(func.pg_advisory_unlock(self.key)))
        self._drop()
        self._engine.dispose()


class FileElector:
    """The lead as an exclusive flock on a file: one service process per host and database."""

    exclusive = True

    def __init__(self, path: Path) -> None:
        self.path = path
        self.since: datetime | None = None
        self._fd: int | None = None

    def try_lead(self, now: datetime) -> bool:
        if self._fd is not None:
            return True
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        # the pid is for the message a second process prints; the lock is the flock alone
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd, self.since = fd, now
        return True

    def holder(self) -> str | None:
        """The pid the leading process wrote, if it can be read."""
        try:
            return self.path.read_text().strip() or None
        except OSError:
            return None

    @contextlib.contextmanager
    def starting(self) -> Iterator[None]:
        yield  # the process that starts up holds the file lock already

    def close(self) -> None:
        # not unlinked: another process may have the file open and be waiting for the lock
        fd, self._fd, self.since = self._fd, None, None
        if fd is not None:
            os.close(fd)


def elector_for(database_url: str, var_dir: Path) -> PgElector | FileElector:
    url = make_url(database_url)
    if url.get_backend_name() == "postgresql":
        return PgElector(database_url)
    db = url.database if url.get_backend_name() == "sqlite" else None
    if db and db != ":memory:":
        # beside the database file: two services with different var folders on one file
        # still find each other
        return FileElector(Path(f"{db}.service-lock"))
    return FileElector(var_dir / "service.lock")


def refuse(elector: FileElector) -> AlreadyRunning:
    pid = elector.holder()
    who = f"pid {pid}" if pid else "another process"
    return AlreadyRunning(
        f"another yuqing service ({who}) is running on this SQLite database (lock file "
        f"{elector.path}). SQLite allows one service process: stop that one first, or use "
        "PostgreSQL to run several."
    )
