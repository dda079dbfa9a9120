"""Model behaviour that the rest of yuqing relies on, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session, sessionmaker

from storage import models
from storage.enums import DeadlineState, Severity

SHANGHAI = timezone(timedelta(hours=8))
T0 = datetime(2026, 10, 1, 9, 30, tzinfo=SHANGHAI)


def _source(session: Session) -> models.Source:
    src = models.Source(id="s1", name="测试板", spider="gov_board", url="http://127.0.0.1/")
    session.add(src)
    session.flush()
    return src


def _post(ext: str, **kw: object) -> models.Post:
    return models.Post(
        source_id="s1",
        external_id=ext,
        url=f"http://127.0.0.1/{ext}",
        title="标题",
        content="内容",
        first_seen_at=T0,
        last_seen_at=T0,
        content_hash="h" + ext,
        **kw,
    )


def test_times_round_trip_as_utc(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        _source(s)
        s.add(_post("1", published_at=T0))
    with sessions() as s:
        post = s.scalars(select(models.Post)).one()
        assert post.published_at == T0
        assert post.published_at is not None and post.published_at.tzinfo == UTC
        assert post.published_at.hour == 1  # 09:30 in Shanghai is 01:30 UTC


def test_naive_datetime_is_refused(sessions: sessionmaker[Session]) -> None:
    with sessions() as s, pytest.raises(StatementError, match="naive datetime"):
        _source(s)
        s.add(_post("1", published_at=datetime(2026, 10, 1, 9, 30)))
        s.flush()


def test_post_unique_per_source_and_external_id(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        _source(s)
        s.add(_post("42"))
        s.flush()
        s.add(_post("42"))
        with pytest.raises(IntegrityError):
            s.flush()


def test_foreign_keys_are_enforced(sessions: sessionmaker[Session]) -> None:
    with sessions() as s:
        s.add(_post("1"))  # its source does not exist
        with pytest.raises(IntegrityError):
            s.flush()


def test_enums_are_stored_by_value(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        ev = models.Event(
            title="某地山体滑坡",
            started_at=T0,
            first_seen_at=T0,
            updated_at=T0,
            severity=Severity.MAJOR,
        )
        s.add(ev)
        s.flush()
        s.add(
            models.Deadline(
                event_id=ev.id,
                kind="publish_5h",
                starts_at=T0,
                deadline_at=T0 + timedelta(hours=5),
                original_deadline_at=T0 + timedelta(hours=5),
                due_at=T0 + timedelta(hours=2, minutes=30),
            )
        )
    with sessions() as s:
        sev = s.execute(text("select severity from events")).scalar_one()
        state = s.execute(text("select state from deadlines")).scalar_one()
        assert (sev, state) == ("重大", DeadlineState.OPEN.value)


def test_due_deadlines_are_found_by_index(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as s:
        ev = models.Event(title="e", started_at=T0, first_seen_at=T0, updated_at=T0)
        s.add(ev)
        s.flush()
        for hours in (1, 2, 3):
            s.add(
                models.Deadline(
                    event_id=ev.id,
                    kind=f"k{hours}",
                    starts_at=T0,
                    deadline_at=T0 + timedelta(hours=hours),
                    original_deadline_at=T0 + timedelta(hours=hours),
                    due_at=T0 + timedelta(hours=hours),
                )
            )
    with sessions() as s:
        due = s.scalars(
            select(models.Deadline.kind)
            .where(models.Deadline.due_at <= T0 + timedelta(hours=2))
            .order_by(models.Deadline.due_at)
        ).all()
        assert due == ["k1", "k2"]
