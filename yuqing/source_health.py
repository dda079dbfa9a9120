"""Sources that went silent.

A crawl that fails or is blocked flags its source itself (``crawlers.extensions``). A source
whose crawls stopped happening at all — the crawler process dies before it can record
anything, the job is stuck — says nothing; this check notices the silence.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from domain.event_actions import EventAction, LogEntity
from domain.settings import Settings
from storage import models
from storage.enums import OutboxKind
from storage.event_log import LogEntry, write_log
from storage.outbox import Recipient, notify

# a source is silent when nothing succeeded for this many of its intervals (and at least
# SILENT_MIN): one slow or failed run is not yet worth waking anybody
SILENT_INTERVALS = 3
SILENT_MIN = timedelta(minutes=15)


def silent_after(interval_s: int) -> timedelta:
    return max(SILENT_MIN, timedelta(seconds=interval_s * SILENT_INTERVALS))


def check_sources(session: Session, settings: Settings, now: datetime, *,
                  started_at: datetime) -> list[str]:
    """Flag enabled sources with no successful crawl for too long and alert the duty officers
    once per silence (the row names their role; the sender looks up who they are when it
    sends). ``started_at`` is when the service started: a source is not silent before it had
    the chance to run. Returns the ids flagged now."""
    flagged = []
    for cfg in settings.sources:
        if not cfg.enabled:
            continue
        row = session.get(models.Source, cfg.id)
        if row is None or row.unhealthy:
            continue
        limit = silent_after(cfg.interval_s)
        last = max(t for t in (row.last_ok_at, started_at) if t is not None)
        if now - last < limit:
            continue
        minutes = int((now - last).total_seconds() // 60)
        reason = f"no successful crawl for {minutes} min (expected every {cfg.interval_s} s)"
        row.unhealthy, row.unhealthy_since, row.last_error = True, now, reason
        write_log(session, [LogEntry(now, "health", EventAction.SOURCE_UNHEALTHY,
                                     LogEntity.SOURCE, None, None,
                                     detail={"source_id": cfg.id, "status": "silent"},
                                     reason=reason)])
        notify(session, OutboxKind.SOURCE_UNHEALTHY, f"source_unhealthy:{cfg.id}:{now.isoformat()}",
               now, payload={"source_id": cfg.id, "reason": reason}, recipients=[Recipient.DUTY])
        flagged.append(cfg.id)
    return flagged
