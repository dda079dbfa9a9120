"""The digest as an email (HTML + text, the chart inline, the 台账 attached) or an HTML file.

The notification sender calls ``build_digest_email`` for an outbox row of kind ``digest``
(payload ``{"week": "2026-W47"}``) and turns the result into a MIME message: ``html``
refers to each inline image as ``cid:<cid>``; attachments are (filename, maintype, subtype,
data).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from classifier.masking import mask_pii
from domain.settings import Settings
from domain.vocabulary import TOPICS
from response_sla.policy import load_policy
from yuqing.digest import chart, ledger
from yuqing.digest.figures import WeekFigures, Windows, compute_week
from yuqing.digest.history import Status
from yuqing.digest.model_changes import model_changes
from yuqing.digest.weeks import Period, week
from yuqing.display import fmt_local
from yuqing.templating import html_environment, text_environment

log = logging.getLogger(__name__)

TEMPLATES = "digest"  # the digest's folder in the shared environments (yuqing.templating)
XLSX = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
LEVEL_LABELS = {1: "一级：督促责任单位", 2: "二级：抄送分管领导", 3: "三级：通报宣传部、政府办"}


@dataclass
class DigestEmail:
    subject: str
    html: str
    text: str
    inline_images: list[tuple[str, bytes, str]] = field(default_factory=list)  # cid, data, "png"
    attachments: list[tuple[str, str, str, bytes]] = field(default_factory=list)
    # (file name, error) of attachments that could not be built: the email goes without them
    missing: list[tuple[str, str]] = field(default_factory=list)


def windows_for(settings: Settings) -> Windows:
    """Window labels and groups from the configured SLA policy; by name if it is unusable."""
    try:
        return Windows(load_policy(settings.sla.policy or None))
    except Exception:  # noqa: BLE001 - the digest must still go out; labels fall back to names
        return Windows()


def week_figures(
    settings: Settings, session: Session, label: str, now: datetime | None = None
) -> WeekFigures:
    """The figures of week ``label`` as of its end, or as of ``now`` if it has not ended."""
    tz = ZoneInfo(settings.timezone)
    return compute_week(
        session,
        week(label, tz),
        tz,
        bar=settings.digest.bar,
        topics=TOPICS,
        windows=windows_for(settings),
        mask=mask_pii,
        now=now,
    )


# ---------------------------------------------------------------- presentation helpers


def period_title(period: Period) -> str:
    first, last = period.start.date(), period.last_day
    number = int(period.label.split("-W")[1])
    return f"{first.year}年第{number}周（{first.month}月{first.day}日—{last.month}月{last.day}日）"


def status_label(status: str) -> str:
    return ledger.STATUS_LABELS[Status(status)]


def level_label(level: int | None) -> str:
    """An escalation level as the digest names it; "—" for none."""
    return LEVEL_LABELS.get(int(level), f"{int(level)}级") if level else "—"


def _context(settings: Settings, figures: WeekFigures, chart_src: str) -> dict[str, Any]:
    tz = ZoneInfo(settings.timezone)
    j = settings.jurisdiction
    return {
        "f": figures,
        "jurisdiction": j.full_name or j.name,
        "name": j.name,
        "period_title": period_title(figures.period),
        "as_of": fmt_local(figures.as_of, tz, "%Y年%m月%d日 %H:%M"),
        "as_of_short": _short(figures.as_of, tz),
        "complete": figures.complete,
        "bar": figures.bar,
        "chart_src": chart_src,
        "tz": tz,
        "status_label": status_label,
        "level_label": level_label,
        "scoreboard_url": settings.web.base_url.rstrip("/") + "/scoreboard",
        "event_url": settings.web.base_url.rstrip("/") + "/events/",
        "model_changes": model_changes(
            settings.var_dir, figures.period.start, figures.period.end
        ),
    }


def _short(moment: datetime, tz: ZoneInfo) -> str:
    local = moment.astimezone(tz)
    return f"{local.month}月{local.day}日 {local:%H:%M}"


def subject(settings: Settings, figures: WeekFigures) -> str:
    return f"【每周舆情处置督办通报】{settings.jurisdiction.name} {period_title(figures.period)}"


def _render(settings: Settings, figures: WeekFigures, chart_src: str) -> tuple[str, str]:
    ctx = _context(settings, figures, chart_src)
    html = html_environment().get_template(f"{TEMPLATES}/digest.html").render(ctx)
    text = text_environment().get_template(f"{TEMPLATES}/digest.txt").render(ctx)
    return html, text


def chart_cid(figures: WeekFigures) -> str:
    return f"trend-{figures.period.label}@yuqing"


def build_digest_email(
    settings: Settings, session: Session, week: str, now: datetime | None = None
) -> DigestEmail:
    """Everything the sender needs for the digest of ``week`` (e.g. "2026-W47")."""
    tz = ZoneInfo(settings.timezone)
    figures = week_figures(settings, session, week, now)
    png = chart.trend_png(figures.trend, figures.bar)
    cid = chart_cid(figures)
    html, text = _render(settings, figures, f"cid:{cid}")
    name = settings.jurisdiction.name
    stem = f"{name}舆情处置台账-{figures.period.label}"
    attachments: list[tuple[str, str, str, bytes]] = []
    missing: list[tuple[str, str]] = []
    builders: list[tuple[str, str, str, Callable[[], bytes]]] = [
        (f"{stem}.xlsx", *XLSX, lambda: ledger.ledger_xlsx(figures, tz, name)),
        (f"{stem}.csv", "text", "csv", lambda: ledger.ledger_csv(figures, tz)),
    ]
    for filename, main, sub, build in builders:
        # no attachment may hold back the week's 督办通报: it goes without, and the duty
        # officers are told (yuqing.notify.compose)
        try:
            attachments.append((filename, main, sub, build()))
        except Exception as exc:  # noqa: BLE001 - any failure of one file, reported
            log.exception("digest attachment %s could not be built", filename)
            missing.append((filename, f"{type(exc).__name__}: {exc}"[:300]))
    return DigestEmail(
        subject=subject(settings, figures),
        html=html,
        text=text,
        inline_images=[(cid, png, "png")],
        attachments=attachments,
        missing=missing,
    )


def _self_contained(settings: Settings, figures: WeekFigures) -> str:
    png = chart.trend_png(figures.trend, figures.bar)
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return _render(settings, figures, src)[0]


def render_digest_html_file(
    settings: Settings, session: Session, week: str, out: Path, now: datetime | None = None
) -> Path:
    """The digest as one self-contained HTML file (the chart as a data: URI)."""
    html = _self_contained(settings, week_figures(settings, session, week, now))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(html, encoding="utf-8")
    return out


def write_digest_folder(
    settings: Settings, session: Session, week: str, folder: Path, now: datetime | None = None
) -> list[Path]:
    """The digest of ``week`` into ``folder``: the HTML (chart included), the XLSX 台账 and the
    CSV, the files a leader is sent, named as in the email."""
    tz = ZoneInfo(settings.timezone)
    figures = week_figures(settings, session, week, now)
    name = settings.jurisdiction.name
    folder.mkdir(parents=True, exist_ok=True)
    html = folder / f"{name}每周舆情处置督办通报-{figures.period.label}.html"
    html.write_text(_self_contained(settings, figures), encoding="utf-8")
    stem = f"{name}舆情处置台账-{figures.period.label}"
    xlsx = folder / f"{stem}.xlsx"
    xlsx.write_bytes(ledger.ledger_xlsx(figures, tz, name))
    csv = folder / f"{stem}.csv"
    csv.write_bytes(ledger.ledger_csv(figures, tz))
    return [html, xlsx, csv]


def render_digest_text(
    settings: Settings, session: Session, week: str, now: datetime | None = None
) -> str:
    figures = week_figures(settings, session, week, now)
    return _render(settings, figures, "")[1]
