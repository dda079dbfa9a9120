"""The duty office's 值班早报: the open majors with their statutory windows, the windows due
today, the administrator's warnings; queued once a day."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from response_sla.configured import HORIZON, from_settings
from storage import models
from storage.enums import OutboxKind
from tests.web.conftest import played as played  # noqa: F401 - the demo, played once
from tests.web.demo_data import Played
from tests.web.readable import leaks, visible_text
from yuqing.notify.compose import compose
from yuqing.notify.morning import queue_morning_brief


def test_the_morning_brief_of_the_demo(played: Played) -> None:
    now = played.now
    assert queue_morning_brief(played.settings, played.sessions, now)
    assert not queue_morning_brief(played.settings, played.sessions, now)  # once a day
    with played.sessions() as s:
        rows = list(
            s.scalars(
                select(models.Outbox).where(models.Outbox.kind == OutboxKind.MORNING_BRIEF.value)
            )
        )
        assert len(rows) == 1
        notice = compose(played.settings, s, rows[0], now)
        major = s.scalars(select(models.Event.title).where(models.Event.severity == "重大")).one()
        open_windows = s.scalar(
            select(func.count())
            .select_from(models.Deadline)
            .where(
                models.Deadline.state.in_(["open", "breached"]),
                models.Deadline.deadline_at >= now,
            )
        )
    assert [m.address for m in notice.to] == [
        c.email for c in played.settings.jurisdiction.duty_contacts
    ]
    assert notice.subject.startswith("【值班早报】") and "重大 1 起" in notice.subject
    text = notice.text
    assert major in text
    assert "发布权威信息：" in text and "召开新闻发布会：" in text
    # the 签收 windows are each unit's: the majors list shows the event's own windows only
    majors_part = text.split("二、")[0]
    assert "签收" not in majors_part
    assert open_windows and "今日到期的时限" in text
    # a year near today without its holiday arrangement is the administrator's warning
    today = now.astimezone(ZoneInfo(played.settings.timezone)).date()
    missing = from_settings(played.settings).calendar.years_without_data(today, today + HORIZON)
    warnings = text.split("三、")[1]
    for year in missing:
        assert f"{year} 年的节假日安排尚未发布" in warnings
    if not missing:
        assert "无。" in warnings
    assert leaks(text) == [] and leaks(visible_text(notice.html)) == []
