"""The scheduler's digest step: queue the notification; the outbox flush sends it.

One outbox row per week, ``dedupe_key = "digest:<week>"``: a step that runs late, twice, or
after a restart writes nothing more. The row names roles (``leadership``, ``duty``), not
addresses, so a change in the directory applies to a digest still waiting to be sent; the
sender renders the message from the database at send time, and the figures are the same
whenever that is (they are taken as of the end of the week).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from storage.enums import OutboxKind
from storage.outbox import Recipient, write_outbox
from yuqing.digest.weeks import Period, previous_week

RECIPIENTS = (Recipient.LEADERSHIP, Recipient.DUTY)


def dedupe_key(period: Period) -> str:
    return f"{OutboxKind.DIGEST.value}:{period.label}"


def queue_digest(sessions: sessionmaker[Session], period: Period, now: datetime) -> bool:
    """Write the outbox row for ``period``; False if it was written before."""
    row = {
        "created_at": now,
        "kind": OutboxKind.DIGEST.value,
        "channel": "email",
        "dedupe_key": dedupe_key(period),
        "recipients": [str(r) for r in RECIPIENTS],
        "cc": [],
        "payload": {"week": period.label},
        "state": "pending",
        "attempts": 0,
        "next_attempt_at": now,
    }
    with sessions() as session, session.begin():
        return write_outbox(session, [row]) == 1


def queue_weekly_digest(settings: Settings, sessions: sessionmaker[Session], now: datetime) -> bool:
    """Queue the digest of the week that ended last (Monday 00:00 local time); idempotent."""
    return queue_digest(sessions, previous_week(now, ZoneInfo(settings.timezone)), now)
