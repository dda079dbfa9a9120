"""The digest as an email (HTML + text, the chart inline, the 台账 attached) or an HTML file.

The notification sender calls ``build_digest_email`` for an outbox row of kind ``digest``
(payload ``{"week": "2026-W47"}``) and turns the result into a MIME message: ``html``
refers to each inline image as ``cid:<cid>``; attachments are (filename, maintype, subtype,
data).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from sqlalchemy.orm import Session

from classifier.masking import mask_pii
from domain.settings import Settings
from domain.vocabulary import TOPICS
from yuqing.digest import chart, ledger
from yuqing.digest.figures import Rate, WeekFigures, Windows, compute_week
from yuqing.digest.history import Status
from yuqing.digest.weeks import Period, week

XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
LEVEL_LABELS = {1: "一级：督促责任单位", 2: "二级：抄送分管领导", 3: "三级：通报宣传部、政府办"}


@dataclass
class DigestEmail:
    subject: str
    html: str
    text: str
    inline_images: list[tuple[str, bytes, str]] = field(default_factory=list)  # cid, data, "png"
    attachments: list[tuple[str, str, str, bytes]] = field(default_factory=list)


def windows_for(settings: Settings) -> Windows:
    """Window labels and groups from the configured SLA policy; by name if it is unusable."""
    try:
        from response_sla.policy import load_policy

        return Windows(load_policy(settings.sla.policy or None))
    except Exception:  # noqa: BLE001 - the digest must still go out; labels fall back to names
        return Windows()


def week_figures(settings: Settings, session: Session, label: str) -> WeekFigures:
    tz = ZoneInfo(settings.timezone)
    return compute_week(
        session,
        week(label, tz),
        tz,
        bar=settings.digest.bar,
        topics=TOPICS,
        windows=windows_for(settings),
        mask=mask_pii,
    )


# ---------------------------------------------------------------- presentation helpers


def pct(rate: Rate | float | None) -> str:
    value = rate.value if isinstance(rate, Rate) else rate
    return "—" if value is None else f"{value * 100:.1f}%"


def late(delta: timedelta | None) -> str:
    if delta is None:
        return ""
    h = delta.total_seconds() / 3600
    if h < 48:
        return f"{h:.1f} 小时"
    days, rest = divmod(h, 24)
    return f"{int(days)} 天 {rest:.0f} 小时"


def period_title(period: Period) -> str:
    first, last = period.start.date(), period.last_day
    number = int(period.label.split("-W")[1])
    return f"{first.year}年第{number}周（{first.month}月{first.day}日—{last.month}月{last.day}日）"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("yuqing.digest", "templates"),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["pct"] = pct
    env.filters["late"] = late
    env.filters["status"] = lambda s: ledger.STATUS_LABELS[Status(s)]
    env.filters["level"] = lambda n: LEVEL_LABELS.get(int(n), f"{int(n)}级") if n else "—"
    env.filters["hours"] = lambda v: "—" if v is None else f"{v:.1f}"
    return env


def _context(settings: Settings, figures: WeekFigures, chart_src: str) -> dict[str, Any]:
    tz = ZoneInfo(settings.timezone)
    j = settings.jurisdiction

    def dt(value: datetime | None, pattern: str = "%m-%d %H:%M") -> str:
        return "" if value is None else value.astimezone(tz).strftime(pattern)

    return {
        "f": figures,
        "jurisdiction": j.full_name or j.name,
        "name": j.name,
        "period_title": period_title(figures.period),
        "as_of": dt(figures.as_of, "%Y年%m月%d日 %H:%M"),
        "bar": figures.bar,
        "chart_src": chart_src,
        "dt": dt,
        "scoreboard_url": settings.web.base_url.rstrip("/") + "/scoreboard",
        "event_url": settings.web.base_url.rstrip("/") + "/events/",
        "Status": Status,
    }


def subject(settings: Settings, figures: WeekFigures) -> str:
    return f"【每周舆情处置督办通报】{settings.jurisdiction.name} {period_title(figures.period)}"


def _render(settings: Settings, figures: WeekFigures, chart_src: str) -> tuple[str, str]:
    ctx = _context(settings, figures, chart_src)
    html = environment().get_template("digest.html").render(ctx)
    text = environment().get_template("digest.txt").render(ctx)
    return html, text


def chart_cid(figures: WeekFigures) -> str:
    return f"trend-{figures.period.label}@yuqing"


def build_digest_email(settings: Settings, session: Session, week: str) -> DigestEmail:
    """Everything the sender needs for the digest of ``week`` (e.g. "2026-W47")."""
    tz = ZoneInfo(settings.timezone)
    figures = week_figures(settings, session, week)
    png = chart.trend_png(figures.trend, figures.bar)
    cid = chart_cid(figures)
    html, text = _render(settings, figures, f"cid:{cid}")
    name = settings.jurisdiction.name
    stem = f"{name}舆情处置台账-{figures.period.label}"
    return DigestEmail(
        subject=subject(settings, figures),
        html=html,
        text=text,
        inline_images=[(cid, png, "png")],
        attachments=[
            (f"{stem}.xlsx", *XLSX, ledger.ledger_xlsx(figures, tz, name)),
            (f"{stem}.csv", "text", "csv", ledger.ledger_csv(figures, tz)),
        ],
    )


def render_digest_html_file(settings: Settings, session: Session, week: str, out: Path) -> Path:
    """The digest as one self-contained HTML file (the chart as a data: URI)."""
    figures = week_figures(settings, session, week)
    png = chart.trend_png(figures.trend, figures.bar)
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    html, _ = _render(settings, figures, src)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def render_digest_text(settings: Settings, session: Session, week: str) -> str:
    figures = week_figures(settings, session, week)
    return _render(settings, figures, "")[1]
