"""What routing and the policy give one analysed post, without a database: the fields
``yuqing analyze`` adds to each output line (lead and co-units with the reasons, and every
deadline counted from the post's published time)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from response_sla.calendar import to_shanghai
from response_sla.configured import SlaSetup
from response_sla.deadlines import deadlines_for
from response_sla.routing import Routing
from storage.enums import Severity


def routing_fields(
    decision: Routing,
    engine: SlaSetup,
    *,
    severity: str,
    handling: str | None,
    start: datetime,
) -> dict[str, Any]:
    """The routing decision and the windows of the grade, counted from ``start``."""
    specs = deadlines_for(
        Severity(severity),
        start,
        engine.policy,
        engine.calendar,
        handling=handling,
        close=engine.close,
        office=engine.office,
    )
    return {
        "lead_unit": decision.lead,
        "co_units": list(decision.co_units),
        "coordinate_units": list(decision.coordinate),
        "routing_reasons": list(decision.reasons),
        "routing_confidence": round(decision.confidence, 3),
        "routing_low_confidence": decision.low_confidence,
        "deadlines": [
            {
                "kind": s.kind,
                "label": s.label,
                "due_at": to_shanghai(s.due_at).isoformat(),
                "clock": s.clock,
                "provisional": s.provisional,
            }
            for s in specs
        ],
    }
