"""A source that went silent: flagged once, logged with a typed action, the duty role alerted."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.event_actions import EventAction, LogEntity
from domain.jurisdiction import Contact
from domain.settings import Settings
from storage import models
from storage.enums import OutboxKind
from storage.outbox import Recipient
from yuqing.bootstrap import sync_directory
from yuqing.notify.compose import compose
from yuqing.source_health import check_sources

NOW = datetime(2026, 11, 20, 2, 0, tzinfo=UTC)


def test_a_silent_source_alerts_whoever_is_on_duty_when_it_is_sent(
    sqlite_sessions: sessionmaker[Session], settings: Settings
) -> None:
    enabled = [s.id for s in settings.sources if s.enabled]
    with sqlite_sessions.begin() as s:
        sync_directory(s, settings)
        assert check_sources(s, settings, NOW, started_at=NOW - timedelta(hours=1)) == enabled
        # still silent a minute later: already flagged, nothing more
        assert check_sources(s, settings, NOW + timedelta(minutes=1),
                             started_at=NOW - timedelta(hours=1)) == []

    with sqlite_sessions() as s:
        rows = s.scalars(select(models.Outbox).order_by(models.Outbox.id)).all()
        logs = s.scalars(select(models.EventLog)).all()
        assert [r.kind for r in rows] == [OutboxKind.SOURCE_UNHEALTHY.value] * len(enabled)
        assert all(r.recipients == [Recipient.DUTY.value] for r in rows)  # a role, no address
        assert {(log.entity, log.action) for log in logs} == {
            (LogEntity.SOURCE.value, EventAction.SOURCE_UNHEALTHY.value)
        }

        # the roster changed after the row was written: the officer on duty now gets it
        j = settings.jurisdiction
        on_duty = Contact(name="新值班员", email="new-duty@qxg.example")
        now_settings = settings.model_copy(
            update={"jurisdiction": j.model_copy(update={"duty_contacts": [on_duty]})}
        )
        notice = compose(now_settings, s, rows[0], NOW)
    assert [box.address for box in notice.to] == ["new-duty@qxg.example"]
