"""The periodic step: find the clocks that are due, move each one, record what happened.

Only rows with ``due_at <= now`` are read, through ``ix_deadlines_due``, a bounded batch at a
time. The batch is claimed with one compare-and-set UPDATE on ``version`` (``WHERE (id,
version) IN (…) RETURNING id``: only rows nobody moved since they were read come back); on
PostgreSQL the batch is also read ``FOR UPDATE SKIP LOCKED``, so two workers take different
rows instead of waiting. The new values, the log and the outbox rows are written in the same
transaction, and the outbox's unique ``dedupe_key`` is a last guard. A tick that runs late, twice, or in two processes at
once therefore records each warning and breach exactly once.

Each row says which clock it runs on (``deadlines.clock``); a clock on office hours is moved
with the office schedule the caller passes, so its reminders wait for the office to open: a
deferred reminder is just a later ``due_at``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.event_actions import EventAction
from response_sla.clock import Breach, Clock, DeadlineWarning, Effect, Reminder, Transition, step
from response_sla.office import OfficeSchedule
from response_sla.policy import Policy
from response_sla.store import (
    D,
    StoredClock,
    claim,
    from_row,
    log_rows,
    office_windows,
    outbox_rows,
    save_claimed,
)
from storage.event_log import LogEntry, write_log
from storage.outbox import write_outbox


@dataclass
class TickResult:
    due: int = 0  # rows found due
    processed: int = 0  # rows this run moved
    lost: int = 0  # rows another worker moved first
    warnings: int = 0
    breaches: int = 0
    reminders: int = 0
    outbox: int = 0  # outbox rows written
    batches: int = 0

    @property
    def found_work(self) -> bool:
        return self.processed > 0

    def as_dict(self) -> dict[str, int]:
        return {k: int(v) for k, v in self.__dict__.items()}


def _count(result: TickResult, effects: tuple[Effect, ...]) -> None:
    for e in effects:
        if isinstance(e, DeadlineWarning):
            result.warnings += 1
        elif isinstance(e, Breach):
            result.breaches += 1
        elif isinstance(e, Reminder):
            result.reminders += 1


def tick_batch(
    session: Session,
    now: datetime,
    policy: Policy,
    limit: int,
    result: TickResult,
    actor: str,
    office: OfficeSchedule | None = None,
) -> int:
    """One bounded batch inside the caller's transaction; returns how many rows were due."""
    stmt = select(D).where(D.c.due_at <= now).order_by(D.c.due_at).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    rows = session.execute(stmt).all()
    moved: list[tuple[StoredClock, Clock, tuple[Effect, ...], tuple[Transition, ...]]] = []
    for row in rows:
        stored = from_row(row)
        kind = policy.kinds.get(stored.clock.kind)
        if kind is None or not stored.clock.is_open:
            # nothing the policy can do with it: stop selecting it
            why = "kind not in the policy" if kind is None else "not open"
            note = (Transition(now, actor, EventAction.UNSCHEDULED, {}, why),)
            moved.append((stored, replace(stored.clock, due_at=None), (), note))
        else:
            r = step(stored.clock, now, kind, actor, office)
            moved.append((stored, r.clock, r.effects, r.log))
    won = claim(session, [m[0] for m in moved])
    result.lost += len(moved) - len(won)
    moved = [m for m in moved if m[0].id in won]
    save_claimed(session, [(s, c) for s, c, _, _ in moved])
    logs: list[LogEntry] = []
    outbox: list[dict[str, Any]] = []
    duty = office_windows(session, [m[0] for m in moved if m[2]], policy)
    for stored, clock, effects, transitions in moved:
        result.processed += 1
        _count(result, effects)
        logs += log_rows(stored, transitions)
        outbox += outbox_rows(stored, clock, effects, now, to_office=stored.id in duty)
    write_log(session, logs)
    result.outbox += write_outbox(session, outbox)
    result.due += len(rows)
    result.batches += 1
    return len(rows)


def tick(
    sessions: sessionmaker[Session],
    now: datetime,
    policy: Policy,
    *,
    batch: int = 1000,
    max_batches: int = 100,
    actor: str = "tick",
    office: OfficeSchedule | None = None,
) -> TickResult:
    """Process every due clock, one committed transaction per batch. ``office``: the
    jurisdiction's office hours and working days, by which the clocks stored as running on
    office hours place their warnings, reminders and escalations (without it they count
    natural time)."""
    result = TickResult()
    for _ in range(max_batches):
        with sessions() as session, session.begin():
            found = tick_batch(session, now, policy, batch, result, actor, office)
        if found < batch:
            break
    return result
