"""The dashboard writes a deadline that ends a day as 24:00 of that day, never as 00:00 of
the next, on the duty office's event page and on the unit's own case page."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from response_sla.calendar import SHANGHAI
from storage.enums import Severity
from tests.web import factories as f
from tests.web.conftest import Clock, login


def test_a_working_day_deadline_reads_24_00(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    now = clock.now
    with db.begin() as s:
        ev = f.event(s, "小区路灯不亮", severity=Severity.GENERAL, started_at=now - timedelta(hours=3))
        f.post(s, ev, title="小区路灯坏了一个月", content="晚上出门看不见")
        f.assignment(s, ev, "jyj", assigned_at=now - timedelta(hours=1))
        resolve = next(d for d in f.clocks(s, ev, now - timedelta(hours=1)) if d.kind == "resolve")
        event_id, end = ev.id, resolve.deadline_at.astimezone(SHANGHAI)
    # 办结 counts working days and closes at 24:00: it ends at the start of a day
    assert (end.hour, end.minute) == (0, 0)
    last_day = end - timedelta(days=1)
    as_day_end = f"{last_day.month}月{last_day.day}日 24:00"
    as_next_day = f"{end.month}月{end.day}日 00:00"

    login(client, "duty1")
    page = client.get(f"/events/{event_id}").text
    assert as_day_end in page and as_next_day not in page
    assert f"{end:%Y-%m-%d} 00:00" not in page
    client.cookies.clear()

    login(client, "jyj_user")
    page = client.get(f"/unit/events/{event_id}").text
    assert as_day_end in page and as_next_day not in page
