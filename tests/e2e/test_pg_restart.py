"""PostgreSQL restarted under the running service: it reconnects and carries on.

The test needs a server it may restart, so it starts a private PostgreSQL cluster of its own
(initdb + pg_ctl from the installed PostgreSQL) on a free port rather than touch the shared
one."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from tests.conftest import unavailable
from tests.e2e.conftest import POLL_S, ServiceFactory, Smtp, wait_for
from yuqing.demo.harness import free_port
from yuqing.demo.replay_site import Timeline

pytestmark = pytest.mark.postgres


def _pg_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


class Cluster:
    def __init__(self, root: Path) -> None:
        bindir = _pg_bin()
        if bindir is None:
            unavailable("PostgreSQL server binaries (initdb, pg_ctl)", "not installed")
        assert bindir is not None
        self.bin = bindir
        self.data = root / "pgdata"
        self.port = free_port()
        self.root = root
        # PostgreSQL refuses to run as root: run it as the postgres system user then
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []

    def _run(self, *args: str) -> None:
        done = subprocess.run([*self.as_user, *args], capture_output=True, text=True,
                              timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed ({done.returncode}): {done.stderr[-2000:]}")

    def init(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if self.as_user:
            shutil.chown(self.root, "postgres")
            self.root.chmod(0o755)
        self._run(str(self.bin / "initdb"), "-D", str(self.data), "-A", "trust", "-U",
                  "postgres", "--no-sync")

    def pg_ctl(self, action: str) -> None:
        opts = f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", opts, "-w", "-m",
                  "fast", "-l", str(self.root / "pg.log"), action)

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    # not under pytest's private temporary folder: the postgres user must be able to reach it
    root = Path(tempfile.mkdtemp(prefix="yuqing-pg-"))
    root.chmod(0o755)
    c = Cluster(root / "cluster")
    try:
        c.init()
        c.pg_ctl("start")
        yield c
    finally:
        if (c.data / "postmaster.pid").exists():
            c.pg_ctl("stop")
        shutil.rmtree(root, ignore_errors=True)


def test_the_service_carries_on_after_postgresql_restarts(
    cluster: Cluster, make_service: ServiceFactory, site: tuple[str, Timeline], smtp: Smtp,
) -> None:
    base, _ = site
    smtp.start()
    svc = make_service(YUQING_DATABASE_URL=cluster.url)
    svc.start()
    requests.post(f"{base}/_admin/publish", json={
        "board": "people", "title": "碧阳街道老旧小区外墙瓷砖脱落",
        "content": "碧阳街道一老旧小区外墙瓷砖脱落，砸坏了停在楼下的车，存在安全隐患。"},
        timeout=5).raise_for_status()
    wait_for("the first email", lambda: smtp.inbox.find("瓷砖"), POLL_S + 60, svc)

    cluster.pg_ctl("restart")

    requests.post(f"{base}/_admin/publish", json={
        "board": "gov", "title": "长春堡镇卫生院夜间没有医生值班",
        "content": "长春堡镇卫生院晚上没有医生值班，老人半夜发病只能往城里送。"},
        timeout=5).raise_for_status()
    wait_for("an email after the restart", lambda: smtp.inbox.find("卫生院"), POLL_S + 60, svc)
    # the restart broke the leader's lock connection: it stepped down and leads again once it
    # has taken the lock anew, within a role check or two
    health = wait_for("the service to lead again", lambda: _leading(svc.base), 30, svc)
    assert health["database"] == "ok" and health["scheduler"] == "running"
    assert svc.proc is not None and svc.proc.poll() is None


def _leading(base: str) -> dict[str, Any] | None:
    health: dict[str, Any] = requests.get(f"{base}/healthz", timeout=5).json()
    return health if health.get("scheduler") == "running" else None
