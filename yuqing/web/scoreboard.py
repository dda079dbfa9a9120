"""Per-unit rates for the dashboard (domain: 签收率, 按时回应率, 按时办结率, 退单, 延期).

The figures are the weekly digest's (``yuqing.digest.figures``, where the rules are
written down), taken live: as of ``now`` over the last weeks. The clock is an argument: the
same figures come out for the same ``now``.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup, escape
from sqlalchemy.orm import Session

from yuqing.digest.figures import TREND_WEEKS as WEEKS
from yuqing.digest.figures import Rate, live_scores, week_starts
from yuqing.digest.figures import UnitFigures as UnitScore

__all__ = ["WEEKS", "Rate", "UnitScore", "compute", "sparkline", "trend_svg", "week_starts"]


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
        x = 6 + i * (width - 12) / max(n - 1, 1)
        y = height - 5 - r.value * (height - 10)
        pts.append(f"{x:.1f},{y:.1f}")
    return " ".join(pts)


def trend_svg(
    rates: list[Rate], bar: float, starts: list[datetime], width: int = 132, height: int = 30
) -> Markup:
    """A unit's weekly 按时回应率 as a small chart: a point per week that had windows to count
    (hover: the week and its figure), joined by a line, over a faint line at the bar; "—"
    when no week had any."""
    n = len(rates)
    if not any(r.value is not None for r in rates):
        return Markup('<span class="muted">—</span>')

    def x(i: int) -> float:
        return 6 + i * (width - 12) / max(n - 1, 1)

    def y(v: float) -> float:
        return height - 5 - v * (height - 10)

    parts = [
        f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' role="img" aria-label="近8周按时回应率">',
        f'<line x1="4" x2="{width - 4}" y1="{y(bar):.1f}" y2="{y(bar):.1f}" class="bar"/>',
        f'<polyline points="{sparkline(rates, width, height)}" class="trend"/>',
    ]
    for i, r in enumerate(rates):
        if r.value is None:
            continue
        week = starts[i].strftime("%m-%d") if i < len(starts) else ""
        css = "below" if r.value < bar else "ok"
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(r.value):.1f}" r="2.5" class="{css}">'
            f"<title>{escape(week)} 起一周：{r.value * 100:.0f}%（{r.done}/{r.total}）</title>"
            "</circle>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
