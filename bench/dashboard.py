"""Load test of the duty officer's queue page against the real server on loopback.

For each database (SQLite file, throwaway PostgreSQL database): create the schema, load the
sample jurisdiction and N open events, start ``yuqing``'s dashboard under uvicorn in a child
process, log in once, then let C concurrent clients (asyncio, one keep-alive connection each) load
the queue page (``GET /``, the full HTML page with filters) for D seconds. One JSON line per database:

    {"db": "sqlite", "requests": ..., "errors": ..., "p50_ms": ..., "p95_ms": ...,
     "server_cpu_ms_per_request": ..., ...}

Usage:
    .venv/bin/python -m bench.dashboard                       # both databases, 60 s, 20 clients
    .venv/bin/python -m bench.dashboard --db sqlite --duration 10
    YUQING_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.dashboard --db postgresql

Only loopback addresses are used; the PostgreSQL database is dropped afterwards.
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CONFIG = ROOT / "config" / "yuqing.toml"
PG_ADMIN_URL = os.environ.get(
    "YUQING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
SECRET = "bench-secret-key-not-for-production"
USERNAME, PASSWORD = "bench_duty", "bench password 123"
# rough shares of the five grades among open events
SEVERITY_SHARES = (
    ("特别重大", 0.005),
    ("重大", 0.02),
    ("较大", 0.075),
    ("一般", 0.3),
    ("常规", 0.6),
)
TOPICS = ("城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输")


def _settings(db_url: str, var_dir: Path) -> Any:
    from domain.settings import load_settings

    return load_settings(
        CONFIG,
        environ={
            "YUQING_DATABASE_URL": db_url,
            "YUQING_VAR_DIR": str(var_dir),
            "YUQING_SECRET_KEY": SECRET,
            "YUQING_LOG_LEVEL": "WARNING",
        },
    )


def populate(db_url: str, var_dir: Path, events: int, seed: int = 7) -> None:
    from sqlalchemy import insert

    from storage import models
    from storage.db import make_engine, make_sessionmaker
    from storage.enums import Role
    from yuqing.bootstrap import sync_directory
    from yuqing.search_index import ensure_search_index
    from yuqing.web.security import hash_password

    settings = _settings(db_url, var_dir)
    engine = make_engine(db_url)
    models.Base.metadata.create_all(engine)
    ensure_search_index(engine)
    sessions = make_sessionmaker(engine)
    rng = random.Random(seed)
    now = datetime.now(UTC)
    with sessions.begin() as s:
        sync_directory(s, settings)
        s.add(
            models.User(
                username=USERNAME,
                display_name="压测值班员",
                password_hash=hash_password(PASSWORD),
                role=Role.DUTY,
                created_at=now,
            )
        )
    unit_ids = [u.id for u in settings.jurisdiction.units]
    names = [name for name, _ in SEVERITY_SHARES]
    weights = [share for _, share in SEVERITY_SHARES]
    batch: list[dict[str, Any]] = []
    with engine.begin() as conn:
        for i in range(events):
            started = now - timedelta(minutes=rng.randint(0, 60 * 24 * 14))
            batch.append(
                {
                    "title": f"压测事件{i} 某小区{rng.choice(TOPICS)}问题反映",
                    "summary": "",
                    "started_at": started,
                    "first_seen_at": started,
                    "updated_at": started,
                    "state": "open",
                    "topic": rng.choice(TOPICS),
                    "severity": rng.choices(names, weights)[0],
                    "heat": round(rng.random() * 100, 2),
                    "post_count": rng.randint(1, 30),
                    "lead_unit_id": rng.choice(unit_ids),
                    # a few events without any clock yet, the rest due within ±2 days
                    "next_deadline_at": None
                    if rng.random() < 0.02
                    else now + timedelta(minutes=rng.randint(-2 * 1440, 2 * 1440)),
                }
            )
            if len(batch) == 5000:
                conn.execute(insert(models.Event), batch)
                batch.clear()
        if batch:
            conn.execute(insert(models.Event), batch)
        add_deadlines(conn, unit_ids, rng)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql("ANALYZE")
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
    engine.dispose()


def add_deadlines(conn: Any, unit_ids: list[str], rng: random.Random) -> None:
    """The open clocks behind each event's ``next_deadline_at``, as the SLA engine leaves them:
    the nearest one ends exactly then; a second, later one for the lead or a co-unit. The queue
    shows the nearest one's kind, so its read is part of every page."""
    from sqlalchemy import insert, select

    from storage import models
    from storage.enums import DeadlineState

    E = models.Event.__table__.c
    now = datetime.now(UTC)
    major = {"特别重大", "重大"}
    rows: list[dict[str, Any]] = []
    for event_id, severity, started, nearest in conn.execute(
        select(E.id, E.severity, E.started_at, E.next_deadline_at).where(
            E.next_deadline_at.is_not(None)
        )
    ):
        kinds = (
            ("publish_info", "press_conference") if severity in major else ("respond", "resolve")
        )
        for kind, end in ((kinds[0], nearest), (kinds[1], nearest + timedelta(hours=19))):
            rows.append(
                {
                    "event_id": event_id,
                    "unit_id": rng.choice(unit_ids),
                    "kind": kind,
                    "state": DeadlineState.BREACHED if end < now else DeadlineState.OPEN,
                    "starts_at": started,
                    "deadline_at": end,
                    "original_deadline_at": end,
                    "due_at": end,
                    "evidence": {},
                }
            )
        if len(rows) >= 10_000:
            conn.execute(insert(models.Deadline), rows)
            rows.clear()
    if rows:
        conn.execute(insert(models.Deadline), rows)


def serve(db_url: str, var_dir: Path, port: int) -> None:
    """Child process: the dashboard, as `yuqing web` runs it."""
    import uvicorn

    from storage.db import make_engine, make_sessionmaker
    from yuqing.web import create_app

    settings = _settings(db_url, var_dir)
    engine = make_engine(db_url)  # as `yuqing web` opens it (bootstrap.App.open)
    app = create_app(settings, make_sessionmaker(engine))
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@contextmanager
def server(db_url: str, var_dir: Path) -> Iterator[tuple[int, int]]:
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bench.dashboard",
            "--serve",
            db_url,
            "--var-dir",
            str(var_dir),
            "--port",
            str(port),
        ],
        cwd=ROOT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("the dashboard did not start") from None
                time.sleep(0.2)
        yield port, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def login(port: int) -> str:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    conn.request("GET", "/login")
    res = conn.getresponse()
    body = res.read().decode()
    cookie = res.getheader("set-cookie", "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', body)
    assert token, "no CSRF token on the login page"
    form = urlencode({"username": USERNAME, "password": PASSWORD, "csrf_token": token.group(1)})
    conn.request(
        "POST",
        "/login",
        body=form,
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    res = conn.getresponse()
    res.read()
    if res.status != 303:
        raise RuntimeError(f"login failed: HTTP {res.status}")
    cookie = res.getheader("set-cookie", "").split(";")[0]
    conn.close()
    return cookie


async def _client(
    port: int,
    request: bytes,
    stop_at: float,
    latencies: list[float],
    errors: list[int],
    finished: list[float],
) -> None:
    """One keep-alive connection sending the request in a loop. A raw HTTP/1.1 client on
    asyncio: one thread for all clients, so the load generator takes little of the CPU the
    server needs."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    loop = asyncio.get_running_loop()
    try:
        while loop.time() < stop_at:
            t0 = time.perf_counter()
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                status = int(head.split(b" ", 2)[1])
                length = int(re.search(rb"(?i)\r\ncontent-length: *(\d+)", head).group(1))  # type: ignore[union-attr]
                body = await reader.readexactly(length)
                ok = status == 200 and b'id="queue-rows"' in body
            except (
                OSError,
                asyncio.IncompleteReadError,
                asyncio.LimitOverrunError,
                AttributeError,
                ValueError,
            ):
                ok = False
                writer.close()
                reader, writer = await asyncio.open_connection("127.0.0.1", port)
            if ok:
                latencies.append((time.perf_counter() - t0) * 1000)
                finished.append(loop.time())
            else:
                errors.append(1)
    finally:
        writer.close()


def load(port: int, cookie: str, clients: int, duration: float, path: str) -> dict[str, Any]:
    latencies: list[float] = []
    errors: list[int] = []
    finished: list[float] = []
    started = [0.0]
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nCookie: {cookie}\r\n"
        "Accept: text/html\r\n\r\n"
    ).encode()

    async def run() -> None:
        started[0] = asyncio.get_running_loop().time()
        stop_at = started[0] + duration
        await asyncio.gather(
            *(_client(port, request, stop_at, latencies, errors, finished) for _ in range(clients))
        )

    asyncio.run(run())
    latencies.sort()

    def pct(p: float) -> float:
        if not latencies:
            return float("nan")
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))], 1)

    return {
        "requests": len(latencies) + len(errors),
        "errors": len(errors),
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": round(statistics.fmean(latencies), 1) if latencies else None,
        "rps": round(len(latencies) / duration, 1),
        # pages per second in each tenth of the run: shows whether throughput drifts
        "rps_by_tenth": [
            round(
                sum(1 for t in finished if lo <= t - started[0] < lo + duration / 10)
                / (duration / 10)
            )
            for lo in (i * duration / 10 for i in range(10))
        ],
    }


@contextmanager
def pg_database() -> Iterator[str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    admin = make_url(PG_ADMIN_URL)
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    name = f"yuqing_bench_{uuid.uuid4().hex[:8]}"
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with engine.connect() as conn:
            conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n "
                    "AND pid <> pg_backend_pid()"
                ),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        engine.dispose()


def run_one(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="yuqing-bench-") as tmp:
        var_dir = Path(tmp) / "var"

        def measure(db_url: str) -> dict[str, Any]:
            t0 = time.monotonic()
            populate(db_url, var_dir, args.events)
            load_s = round(time.monotonic() - t0, 1)
            with server(db_url, var_dir) as (port, pid):
                cookie = login(port)
                load(port, cookie, min(args.clients, 4), 3, args.path)  # warm-up
                cpu0 = cpu_seconds(pid)
                result = load(port, cookie, args.clients, args.duration, args.path)
                # steadier than latency on a shared machine: the server's own CPU per page
                result["server_cpu_ms_per_request"] = round(
                    (cpu_seconds(pid) - cpu0) * 1000 / max(1, result["requests"]), 2
                )
            return {
                "db": kind,
                **result,
                "events": args.events,
                "clients": args.clients,
                "duration_s": args.duration,
                "path": args.path,
                "populate_s": load_s,
            }

        if kind == "sqlite":
            return measure(f"sqlite:///{var_dir / 'bench.db'}")
        with pg_database() as url:
            return measure(url)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    p.add_argument("--events", type=int, default=100_000)
    p.add_argument("--clients", type=int, default=20)
    p.add_argument("--duration", type=float, default=60.0)
    p.add_argument("--path", default="/", help="page to load (default: the queue)")
    p.add_argument("--serve", metavar="DB_URL", help=argparse.SUPPRESS)
    p.add_argument("--var-dir", type=Path, help=argparse.SUPPRESS)
    p.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.serve:
        serve(args.serve, args.var_dir, args.port)
        return 0
    kinds = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    for kind in kinds:
        print(json.dumps(run_one(kind, args), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
