"""What routing and the policy would give one analysed post, without a database: the fields
``yuqing analyze`` adds to each output line (lead and co-units with the reasons, and every
deadline counted from the post's published time)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, time
from typing import Any

from response_sla.calendar import WorkCalendar, to_shanghai
from response_sla.deadlines import deadlines_for
from response_sla.directory import Directory
from response_sla.policy import Policy
from response_sla.routing import route
from storage.enums import Severity

Enrich = Callable[[Mapping[str, Any], dict[str, Any]], None]


def routing_fields(
    directory: Directory,
    policy: Policy,
    calendar: WorkCalendar,
    *,
    title: str,
    content: str,
    topic: str | None,
    severity: str,
    handling: str | None,
    start: datetime,
    close: time | None = None,
    emergency_type: str | None = None,
) -> dict[str, Any]:
    decision = route(directory, title=title, content=content, topic=topic, severity=severity,
                     emergency_type=emergency_type)
    specs = deadlines_for(Severity(severity), start, policy, calendar, handling=handling,
                          close=close)
    return {
        "lead_unit": decision.lead,
        "co_units": list(decision.co_units),
        "coordinate_units": list(decision.coordinate),
        "routing_reasons": list(decision.reasons),
        "routing_confidence": round(decision.confidence, 3),
        "routing_low_confidence": decision.low_confidence,
        "deadlines": [
            {"kind": s.kind, "label": s.label, "due_at": to_shanghai(s.due_at).isoformat(),
             "provisional": s.provisional}
            for s in specs
        ],
    }


def enricher(directory: Directory, policy: Policy, calendar: WorkCalendar, now: datetime,
             *, close: time | None = None,
             parse_time: Callable[[Any], datetime | None]) -> Enrich:
    """An ``enrich`` hook for ``classifier.analyze.analyze_records``: windows start at the
    post's published time, ``now`` when it has none."""

    def enrich(record: Mapping[str, Any], result: dict[str, Any]) -> None:
        start = parse_time(record.get("published_at")) or now
        result.update(routing_fields(
            directory, policy, calendar, title=str(record.get("title") or ""),
            content=str(record.get("content") or ""), topic=result.get("topic"),
            severity=str(result.get("severity") or Severity.ROUTINE.value),
            handling=result.get("handling"), start=start, close=close,
            emergency_type=result.get("emergency_type")))

    return enrich
