"""Migration 0007: existing deadlines learn which clock they run on, from the policy."""

from __future__ import annotations

from sqlalchemy import text

from storage.db import make_engine
from storage.migrate import upgrade

_T = "2025-09-25 07:30:00"


def _event(conn: object, event_id: int, severity: str) -> None:
    conn.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO events (id, title, summary, started_at, first_seen_at, updated_at,"
            " state, severity, heat, post_count)"
            " VALUES (:id, '某事', '', :t, :t, :t, 'open', :sv, 0, 1)"
        ),
        {"id": event_id, "t": _T, "sv": severity},
    )


def _deadline(conn: object, deadline_id: int, event_id: int, kind: str) -> None:
    conn.execute(  # type: ignore[attr-defined]
        text(
            "INSERT INTO deadlines (id, event_id, kind, cycle, state, starts_at, deadline_at,"
            " original_deadline_at, provisional, warnings_sent, escalation_level,"
            " reminders_sent, evidence, version)"
            " VALUES (:id, :e, :k, 1, 'open', :t, :t, :t, false, 0, 0, 0, '{}', 0)"
        ),
        {"id": deadline_id, "e": event_id, "k": kind, "t": _T},
    )


def test_existing_deadlines_are_given_their_clock(db_url: str) -> None:
    upgrade(db_url, "0006")
    engine = make_engine(db_url)
    try:
        with engine.begin() as conn:
            _event(conn, 1, "常规")
            _event(conn, 2, "重大")
            _event(conn, 3, "一般")
            _deadline(conn, 1, 1, "acknowledge")  # routine 签收: office hours
            _deadline(conn, 2, 1, "respond")  # 48 h from the first post: round the clock
            _deadline(conn, 3, 2, "acknowledge")  # a major event's 签收: round the clock
            _deadline(conn, 4, 2, "publish_info")
            _deadline(conn, 5, 3, "acknowledge")
            _deadline(conn, 6, 3, "resolve")  # working days
        upgrade(db_url)
        with engine.connect() as conn:
            got = dict(conn.execute(text("SELECT id, clock FROM deadlines ORDER BY id")).all())
    finally:
        engine.dispose()
    assert got == {
        1: "office",
        2: "natural",
        3: "natural",
        4: "natural",
        5: "office",
        6: "natural",
    }
