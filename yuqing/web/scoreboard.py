"""Per-unit rates for the dashboard (domain: 签收率, 按时回应率, 按时办结率, 退单, 延期).

The figures are the weekly digest's (``yuqing.digest.figures``, where the rules are
written down), taken live: as of ``now`` over the last weeks. The clock is an argument: the
same figures come out for the same ``now``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from yuqing.digest.figures import TREND_WEEKS as WEEKS
from yuqing.digest.figures import Rate, live_scores, week_starts
from yuqing.digest.figures import UnitFigures as UnitScore

__all__ = ["WEEKS", "Rate", "UnitScore", "compute", "sparkline", "week_starts"]


def compute(
    session: Session, now: datetime, tz: ZoneInfo, period_weeks: int = 4
) -> tuple[list[UnitScore], list[datetime]]:
    return live_scores(session, now, tz, period_weeks)


def sparkline(rates: list[Rate], width: int = 120, height: int = 28) -> str:
    """SVG polyline points for a trend (weeks without data are skipped)."""
    n = len(rates)
    pts = []
    for i, r in enumerate(rates):
        if r.value is None:
            continue
        x = 4 + i * (width - 8) / max(n - 1, 1)
        y = height - 4 - r.value * (height - 8)
        pts.append(f"{x:.1f},{y:.1f}")
    return " ".join(pts)
