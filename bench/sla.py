"""Benchmark of the SLA tick and the duty officer's queue query at scale.

For each database (a SQLite file; a throwaway PostgreSQL database on 127.0.0.1, dropped
afterwards): 250,000 open events with 4 deadlines each — 1,000,000 open deadlines, of which
1,000 have just passed their deadline (due). Measured, median of 3 runs:

- ``tick_ms``: one ``response_sla.tick.tick`` call that claims and moves the 1,000 due clocks
  (breach level 1: a log row and an outbox row each), committed. Before each run the same
  1,000 rows are put back as they were and the log and outbox emptied.
- ``queue_ms``: the dashboard's queue query (``yuqing.web.queue.fetch_queue``): the first
  page of 100 open events by severity rank, nearest deadline (``events.next_deadline_at``),
  heat, with each row's nearest open deadline and lead unit.

One JSON line per database: {"db": ..., "open": ..., "due": ..., "tick_ms": ..., "queue_ms": ...}

Usage:
    .venv/bin/python -m bench.sla                 # both databases
    .venv/bin/python -m bench.sla --db sqlite
    YUQING_TEST_PG_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/python -m bench.sla --db postgresql
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, create_engine, delete, text, update
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

PG_ADMIN_URL = os.environ.get(
    "YUQING_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # a fixed "now": results do not depend on the clock
TZ = ZoneInfo("Asia/Shanghai")
SEVERITIES = (("特别重大", 5), ("重大", 20), ("较大", 75), ("一般", 300), ("常规", 600))
KINDS = ("respond", "acknowledge", "resolve", "website_error")
EVENT_COLS = (
    "id",
    "title",
    "summary",
    "started_at",
    "first_seen_at",
    "updated_at",
    "state",
    "severity",
    "heat",
    "post_count",
    "next_deadline_at",
)
DEADLINE_COLS = (
    "id",
    "event_id",
    "kind",
    "cycle",
    "state",
    "starts_at",
    "deadline_at",
    "original_deadline_at",
    "provisional",
    "due_at",
    "warnings_sent",
    "escalation_level",
    "reminders_sent",
    "evidence",
    "version",
)


def _severity(i: int) -> str:
    slot = (i * 7919) % 1000
    for name, share in SEVERITIES:
        if slot < share:
            return name
        slot -= share
    return "常规"


def rows(
    events: int, due_every: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[int]]:
    """Naive UTC datetimes, as the UTCDateTime columns store them."""
    now = NOW.replace(tzinfo=None)
    ev: list[tuple[Any, ...]] = []
    dl: list[tuple[Any, ...]] = []
    due_ids: list[int] = []
    did = 0
    for e in range(1, events + 1):
        started = now - timedelta(hours=e % 40)
        nearest = None
        for kind in KINDS:
            did += 1
            if did % due_every == 0:  # just past its deadline: the tick breaches it
                deadline = now - timedelta(minutes=10)
                due, warnings = deadline, 2
                due_ids.append(did)
            else:
                deadline = now + timedelta(minutes=60 + (did * 7907) % 43200)
                due, warnings = started + (deadline - started) / 2, 0
                if due <= now:
                    due = now + timedelta(minutes=1 + did % 600)
            nearest = deadline if nearest is None else min(nearest, deadline)
            dl.append(
                (
                    did,
                    e,
                    kind,
                    1,
                    "open",
                    started,
                    deadline,
                    deadline,
                    False,
                    due,
                    warnings,
                    0,
                    0,
                    "{}",
                    0,
                )
            )
        heat = ((e * 104729) % 100000) / 100.0
        ev.append(
            (e, f"事件{e}", "", started, started, started, "open", _severity(e), heat, 1, nearest)
        )
    return ev, dl, due_ids


def _sqlite_text(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    return value


def load(engine: Engine, ev: list[tuple[Any, ...]], dl: list[tuple[Any, ...]]) -> None:
    from storage.models import Base

    Base.metadata.create_all(engine)
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        if engine.dialect.name == "postgresql":
            for table, cols, data in (("events", EVENT_COLS, ev), ("deadlines", DEADLINE_COLS, dl)):
                with cur.copy(f"COPY {table} ({', '.join(cols)}) FROM STDIN") as copy:
                    for row in data:
                        copy.write_row(row)
            cur.execute("SELECT setval('events_id_seq', (SELECT max(id) FROM events))")
            cur.execute("SELECT setval('deadlines_id_seq', (SELECT max(id) FROM deadlines))")
            raw.commit()
            cur.execute("ANALYZE")
        else:
            for table, cols, data in (("events", EVENT_COLS, ev), ("deadlines", DEADLINE_COLS, dl)):
                marks = ", ".join("?" for _ in cols)
                cur.executemany(
                    f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({marks})",
                    [[_sqlite_text(v) for v in row] for row in data],
                )
            raw.commit()
            cur.execute("ANALYZE")
        raw.commit()
    finally:
        raw.close()


def reset(engine: Engine, due_ids: list[int]) -> None:
    """Put the due clocks back as they were and empty what the last tick wrote."""
    from sqlalchemy import Table

    from response_sla.store import OUTBOX, D
    from storage.models import EventLog

    LOG = cast(Table, EventLog.__table__)

    deadline = NOW - timedelta(minutes=10)
    with engine.begin() as conn:
        conn.execute(delete(OUTBOX))
        conn.execute(delete(LOG))
        for start in range(0, len(due_ids), 500):
            conn.execute(
                update(D)
                .where(D.c.id.in_(due_ids[start : start + 500]))
                .values(
                    state="open",
                    due_at=deadline,
                    warnings_sent=2,
                    escalation_level=0,
                    reminders_sent=0,
                    version=0,
                )
            )


def measure(engine: Engine, due_ids: list[int], runs: int) -> dict[str, Any]:
    from response_sla.policy import load_policy
    from response_sla.tick import tick
    from storage.db import make_sessionmaker
    from yuqing.web.queue import QueueFilters, fetch_queue

    policy = load_policy()
    sessions = make_sessionmaker(engine)
    tick_ms: list[float] = []
    queue_ms: list[float] = []
    processed = []
    for _ in range(runs):
        reset(engine, due_ids)
        t0 = time.perf_counter()
        result = tick(sessions, NOW, policy)
        tick_ms.append((time.perf_counter() - t0) * 1000)
        processed.append(result.processed)
        with sessions() as session:
            t0 = time.perf_counter()
            top = fetch_queue(session, QueueFilters(), TZ, page_size=100).rows
            queue_ms.append((time.perf_counter() - t0) * 1000)
        assert len(top) == 100
    assert all(p == len(due_ids) for p in processed), processed
    return {
        "tick_ms": round(statistics.median(tick_ms), 1),
        "queue_ms": round(statistics.median(queue_ms), 2),
        "tick_runs_ms": [round(x, 1) for x in tick_ms],
        "queue_runs_ms": [round(x, 2) for x in queue_ms],
        "processed": processed[0],
    }


@contextmanager
def postgres_database() -> Iterator[str]:
    admin = make_url(PG_ADMIN_URL)
    name = f"yuqing_bench_{uuid.uuid4().hex[:8]}"
    admin_engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with admin_engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin_engine.connect() as conn:
            conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        admin_engine.dispose()


def run(db: str, events: int, due: int, runs: int) -> dict[str, Any]:
    from storage.db import make_engine

    ev, dl, due_ids = rows(events, (events * len(KINDS)) // due)
    with (
        tempfile.TemporaryDirectory() as tmp,
        postgres_database() if db == "postgresql" else _nothing(f"sqlite:///{tmp}/bench.db") as url,
    ):
        engine = make_engine(url)
        try:
            t0 = time.perf_counter()
            load(engine, ev, dl)
            load_s = time.perf_counter() - t0
            figures = measure(engine, due_ids, runs)
        finally:
            engine.dispose()
    return {"db": db, "open": len(dl), "due": len(due_ids), **figures, "load_s": round(load_s, 1)}


@contextmanager
def _nothing(value: str) -> Iterator[str]:
    yield value


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--events", type=int, default=250_000, help="4 deadlines each")
    parser.add_argument("--due", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    for db in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
        print(json.dumps(run(db, args.events, args.due, args.runs)), flush=True)


if __name__ == "__main__":
    main()
