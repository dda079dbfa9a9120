"""The duty office's morning brief (值班早报): one short email a day to the duty contacts with
the open 特别重大 / 重大 events and their statutory windows, the windows due today, and what
an administrator must put right (a year without its holiday arrangement, a silent source).

Queued once a day (``dedupe_key = "morning_brief:<date>"``) and rendered at send time like
every notification, so it shows the day as it stands when it goes out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from response_sla.clock import OPEN_STATES
from response_sla.configured import HORIZON, from_settings
from response_sla.errors import SlaConfigError
from storage import models
from storage.enums import EventState, OutboxKind, Severity
from storage.outbox import Recipient, write_outbox
from yuqing.display import missing_holidays
from yuqing.notify import views

MAJORS = (Severity.EXTRAORDINARY, Severity.MAJOR)
SHOWN = 30  # lines per list; the dashboard has the rest


def dedupe_key(day: date) -> str:
    return f"{OutboxKind.MORNING_BRIEF.value}:{day.isoformat()}"


def queue_morning_brief(settings: Settings, sessions: sessionmaker[Session], now: datetime) -> bool:
    """Write today's brief to the outbox; False if today's was written before."""
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    row = {
        "created_at": now,
        "kind": OutboxKind.MORNING_BRIEF.value,
        "channel": "email",
        "dedupe_key": dedupe_key(today),
        "recipients": [str(Recipient.DUTY)],
        "cc": [],
        "payload": {"date": today.isoformat()},
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": now,
    }
    with sessions() as session, session.begin():
        return write_outbox(session, [row]) == 1


@dataclass(frozen=True)
class MajorLine:
    title: str
    severity: str
    lead: str
    windows: list[views.DeadlineView]
    link: str


@dataclass(frozen=True)
class DueLine:
    title: str
    window: views.DeadlineView
    unit: str
    link: str


@dataclass(frozen=True)
class Brief:
    day: str
    majors: list[MajorLine]
    due_today: list[DueLine]
    more_due: int
    overdue: int
    warnings: list[str]


def _event_wide(settings: Settings, kind: str) -> bool:
    """The event's own windows (发布权威信息, 新闻发布会, 予以回应, 办结), not each unit's 签收."""
    k = views.policy_kind(settings, kind)
    return k is not None and k.scope == "event"


def brief(settings: Settings, session: Session, now: datetime) -> Brief:
    tz = ZoneInfo(settings.timezone)
    today = now.astimezone(tz).date()
    end = datetime.combine(today + timedelta(days=1), time(), tz)
    majors = []
    for ev in session.scalars(
        select(models.Event)
        .where(models.Event.state == EventState.OPEN, models.Event.severity.in_(MAJORS))
        .order_by(models.Event.started_at)
        .limit(SHOWN)
    ):
        windows = [
            w
            for w in views.deadline_views(settings, session, ev.id, None, now)
            if w.open and _event_wide(settings, w.kind)
        ]
        majors.append(
            MajorLine(
                title=views.mask(ev.title),
                severity=ev.severity.label,
                lead=views.unit_name(settings, session, ev.lead_unit_id) or "未分派",
                windows=windows,
                link=views.dashboard_url(settings, ev.id),
            )
        )
    D = models.Deadline
    due = list(
        session.scalars(
            select(D)
            .join(models.Event, models.Event.id == D.event_id)
            .where(
                D.state.in_(list(OPEN_STATES)),
                D.deadline_at >= now,
                D.deadline_at < end,
                models.Event.state == EventState.OPEN,
            )
            .order_by(D.deadline_at, D.id)
        )
    )
    overdue = session.scalar(
        select(func.count())
        .select_from(D)
        .join(models.Event, models.Event.id == D.event_id)
        .where(
            D.state.in_(list(OPEN_STATES)),
            D.deadline_at < now,
            models.Event.state == EventState.OPEN,
        )
    )
    due_lines = []
    for d in due[:SHOWN]:
        event = session.get(models.Event, d.event_id)
        assert event is not None
        due_lines.append(
            DueLine(
                title=views.mask(event.title),
                window=views.deadline_view(settings, d, now),
                unit=views.unit_name(settings, session, d.unit_id) or "值班室",
                link=views.dashboard_url(settings, event.id),
            )
        )
    try:
        setup = from_settings(settings)
        missing = setup.calendar.years_without_data(today, today + HORIZON)
        warnings = [missing_holidays(year) for year in missing]
    except SlaConfigError:
        warnings = ["时限配置文件有误，请管理员检查配置"]
    for source in session.scalars(
        select(models.Source).where(models.Source.unhealthy.is_(True)).order_by(models.Source.id)
    ):
        since = views.local_time(source.unhealthy_since, tz)
        warnings.append(f"监测源“{source.name}”{f'自 {since} 起' if since else ''}采集异常")
    return Brief(
        day=f"{today.month}月{today.day}日",
        majors=majors,
        due_today=due_lines,
        more_due=max(0, len(due) - SHOWN),
        overdue=int(overdue or 0),
        warnings=warnings,
    )
