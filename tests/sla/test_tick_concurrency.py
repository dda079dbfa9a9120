"""Two OS processes ticking the same due rows at once: every warning and breach is recorded
exactly once, on SQLite and on PostgreSQL."""

from __future__ import annotations

import multiprocessing as mp
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from response_sla.clock import start_clock
from response_sla.policy import Policy, load_policy
from response_sla.store import D, values
from storage import models
from tests.sla import factories as f
from tests.sla.conftest import sh

S = sh(2025, 9, 26, 10)
N = 400  # events per group


def _worker(url: str, now_iso: str, barrier: Any, out: Any) -> None:
    from response_sla.tick import tick
    from storage.db import make_engine, make_sessionmaker

    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    policy = load_policy()
    now = datetime.fromisoformat(now_iso)
    barrier.wait()
    results = [tick(sessions, now, policy, batch=25).as_dict() for _ in range(2)]
    out.put(results)
    engine.dispose()


def _populate(sessions: sessionmaker[Session], policy: Policy) -> None:
    kind = policy.kind("respond")
    with sessions.begin() as s:
        f.units(s, "zjj")
        events = [
            {
                "title": f"e{i}",
                "started_at": S,
                "first_seen_at": S,
                "updated_at": S,
                "severity": "一般",
                "state": "open",
                "heat": 0.0,
                "post_count": 1,
            }
            for i in range(2 * N)
        ]
        s.execute(insert(models.Event), events)
        ids = s.scalars(select(models.Event.id).order_by(models.Event.id)).all()
        rows = []
        for i, event_id in enumerate(ids):
            # half already past the 48 h window, half only past its 50 % warning
            start = S if i < N else S + timedelta(hours=40)
            clock = start_clock(kind, start, start + timedelta(hours=48), unit_id="zjj")
            rows.append({"event_id": event_id, "version": 0, **values(clock, {})})
        s.execute(insert(D), rows)


def test_two_processes_tick_the_same_rows(
    engine: Engine, sessions: sessionmaker[Session], policy: Policy
) -> None:
    _populate(sessions, policy)
    now = S + timedelta(hours=66)  # 18 h late for the first half; 26 h into the second's window
    ctx = mp.get_context("spawn")
    barrier, out = ctx.Barrier(2), ctx.Queue()
    url = engine.url.render_as_string(hide_password=False)
    procs = [
        ctx.Process(target=_worker, args=(url, now.isoformat(), barrier, out)) for _ in range(2)
    ]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
        assert p.exitcode == 0
    first = [r[0] for r in results]
    second = [r[1] for r in results]
    assert sum(r["processed"] for r in first) == 2 * N
    assert sum(r["breaches"] for r in first) == N
    assert sum(r["warnings"] for r in first) == N
    assert all(r["processed"] == 0 for r in second)  # ticking again finds nothing owed
    assert sum(r["outbox"] for r in first) == 2 * N
    with sessions() as s:
        by_kind = dict(
            s.execute(select(models.Outbox.kind, func.count()).group_by(models.Outbox.kind)).all()
        )
        assert by_kind == {"breach": N, "warning": N}
        keys = s.scalars(select(func.count(func.distinct(models.Outbox.dedupe_key)))).one()
        assert keys == 2 * N
        log = dict(
            s.execute(
                select(models.EventLog.action, func.count()).group_by(models.EventLog.action)
            ).all()
        )
        assert log["breached"] == N and log["warning"] == N
        assert log["warning_skipped"] == 2 * N  # the first half: both warnings stale once breached
        assert s.scalar(select(func.max(models.Deadline.version))) == 1
