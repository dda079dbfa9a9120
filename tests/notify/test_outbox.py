"""The outbox's claim, lease and backoff, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta
from email.message import EmailMessage

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from storage import models
from storage.enums import OutboxKind, OutboxState
from tests.notify import cases
from tests.notify.conftest import NOW, SmtpServer, smtp_settings
from yuqing.bootstrap import sync_directory
from yuqing.notify import flush_outbox
from yuqing.notify.outbox import Transports, backoff, claim, retry, retry_window


@pytest.fixture
def both(sessions: sessionmaker[Session], notify_settings: Settings) -> sessionmaker[Session]:
    with sessions.begin() as s:
        sync_directory(s, notify_settings)
    return sessions


def _rows(db: sessionmaker[Session], n: int) -> list[int]:
    ids = []
    with db.begin() as s:
        for i in range(n):
            c = cases.case(s, NOW, title=f"第{i}号事件")
            ids.append(
                cases.outbox(s, OutboxKind.ASSIGNMENT, f"assignment:{c.assignment_id}", NOW,
                             event_id=c.event_id, unit_id="zjj").id
            )
    return ids


def test_backoff_doubles_then_stays_at_half_an_hour() -> None:
    assert [backoff(n).total_seconds() / 60 for n in range(1, 9)] == [1, 2, 4, 8, 16, 30, 30, 30]
    assert backoff(10_000) == timedelta(minutes=30)
    assert retry_window(12) == timedelta(minutes=1 + 2 + 4 + 8 + 16 + 30 * 6)


def test_a_row_is_claimed_once(both: sessionmaker[Session]) -> None:
    ids = _rows(both, 3)
    first = claim(both, NOW, limit=2)
    second = claim(both, NOW, limit=10)
    third = claim(both, NOW, limit=10)
    assert [c.id for c in first] == ids[:2] and [c.id for c in second] == ids[2:]
    assert third == []
    assert claim(both, NOW + timedelta(minutes=9), limit=10) == []  # lease still running
    reclaimed = claim(both, NOW + timedelta(minutes=11), limit=10)
    assert [c.id for c in reclaimed] == ids and all(c.reclaimed for c in reclaimed)
    assert {c.attempts for c in reclaimed} == {2}


def test_two_flushers_at_once_send_each_row_once(
    both: sessionmaker[Session], notify_settings: Settings, smtp_server: SmtpServer
) -> None:
    settings = smtp_settings(notify_settings, smtp_server)
    ids = _rows(both, 12)
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def flusher() -> None:
        try:
            barrier.wait()
            for _ in range(4):
                flush_outbox(settings, both, NOW, limit=2)
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=flusher) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    got = sorted(int(r.message["X-Yuqing-Outbox"]) for r in smtp_server.received)
    assert got == ids
    with both() as s:
        states = set(s.scalars(select(models.Outbox.state)))
    assert states == {OutboxState.SENT}


class _Slow:
    """An email transport that takes (fake) time, to run a flush out of its budget."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def send(self, message: EmailMessage) -> str | None:
        self.sent.append(str(message["Message-ID"]))
        return None

    def close(self) -> None:
        pass


def test_a_flush_out_of_time_gives_rows_back(
    db: sessionmaker[Session], notify_settings: Settings
) -> None:
    ids = _rows(db, 3)
    slow = _Slow()
    result = flush_outbox(notify_settings, db, NOW, transports=Transports(slow), budget_s=-1)
    assert (result.claimed, result.sent, result.released) == (3, 0, 3)
    with db() as s:
        rows = [s.get(models.Outbox, i) for i in ids]
    assert all(r is not None and r.state is OutboxState.PENDING and r.attempts == 0 for r in rows)
    assert flush_outbox(notify_settings, db, NOW, transports=Transports(slow)).sent == 3
    assert len(slow.sent) == 3


def test_retry_puts_a_failed_row_back(
    db: sessionmaker[Session], notify_settings: Settings
) -> None:
    (row_id,) = _rows(db, 1)
    with db.begin() as s:
        row = s.get(models.Outbox, row_id)
        assert row is not None
        row.state, row.attempts, row.last_error = OutboxState.FAILED, 12, "SMTP 550"
    retry(db, row_id, NOW + timedelta(days=1))
    slow = _Slow()
    assert flush_outbox(notify_settings, db, NOW + timedelta(days=1),
                        transports=Transports(slow)).sent == 1
    with pytest.raises(ValueError, match="was sent"):
        retry(db, row_id, NOW)
    with pytest.raises(LookupError):
        retry(db, 999, NOW)


def test_a_row_interrupted_on_its_last_attempt_fails_visibly(
    db: sessionmaker[Session], notify_settings: Settings
) -> None:
    (row_id,) = _rows(db, 1)
    with db.begin() as s:
        row = s.get(models.Outbox, row_id)
        assert row is not None
        row.state, row.attempts, row.claimed_at = OutboxState.SENDING, 12, NOW
    slow = _Slow()
    result = flush_outbox(notify_settings, db, NOW + timedelta(hours=1),
                          transports=Transports(slow))
    assert result.failed == 1 and slow.sent == []
    with db() as s:
        row = s.get(models.Outbox, row_id)
        assert row is not None and row.state is OutboxState.FAILED
        assert "may or may not have been delivered" in (row.last_error or "")


def test_a_reminder_held_after_the_assignment_keeps_its_attempts(
    db: sessionmaker[Session], notify_settings: Settings
) -> None:
    """A 临期提醒 due right after the unit's 交办 waits for the quiet time to pass; the wait
    is no failed try, so even a message allowed a single attempt goes out afterwards."""
    settings = notify_settings.model_copy(
        update={"mail": notify_settings.mail.model_copy(update={"max_attempts": 1})}
    )
    with db.begin() as s:
        row_id = cases.reminder_right_after_assignment(s, NOW, "warning:held")[1].id
    until = NOW - timedelta(seconds=20) + timedelta(
        seconds=settings.mail.quiet_after_assignment_s)
    slow = _Slow()
    result = flush_outbox(settings, db, NOW, transports=Transports(slow))
    assert (result.held, result.failed, result.retrying, slow.sent) == (1, 0, 0, [])
    with db() as s:
        row = s.get(models.Outbox, row_id)
        assert row is not None and row.state is OutboxState.PENDING and row.attempts == 0
        assert row.next_attempt_at is not None
        assert row.next_attempt_at.replace(tzinfo=NOW.tzinfo) == until
    # not claimed again before then, sent once it has passed
    assert flush_outbox(settings, db, until - timedelta(seconds=1),
                        transports=Transports(slow)).claimed == 0
    assert flush_outbox(settings, db, until, transports=Transports(slow)).sent == 1
    assert len(slow.sent) == 1
