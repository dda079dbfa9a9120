"""The quarterly 舆情应对情况 report (the 县委宣传部 reports 舆情应对 every quarter).

Shaped like the indicator table of a 政府信息公开 annual report: one row per indicator with its
unit of measure, the quarter's figure and the year to date (1 January to the quarter's end).
The figures are the digest's (``yuqing.digest.figures``), taken as of the quarter's end.
Written as HTML and XLSX into a folder.
"""

from __future__ import annotations

import io
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from domain.settings import Settings
from domain.vocabulary import TOPICS, HandlingType
from storage import models
from storage.enums import AssignmentRole
from yuqing.digest import history as hist
from yuqing.digest import ledger
from yuqing.digest.figures import (
    Count,
    Rate,
    UnitFigures,
    Windows,
    new_counts,
    total,
    unit_directory,
    unit_figures,
    worst_first,
)
from yuqing.digest.history import History, Status
from yuqing.digest.render import TEMPLATES, windows_for
from yuqing.digest.weeks import Period, quarter, year_to
from yuqing.display import pct
from yuqing.templating import html_environment

# the boards' own types, in the order the report lists them; posts of any other type (or
# none) count as 其他
BOARD_KINDS: tuple[HandlingType, ...] = (
    HandlingType.ENQUIRY,
    HandlingType.COMPLAINT,
    HandlingType.SUGGESTION,
)
OTHER_KIND = "其他"


@dataclass
class WindowStat:
    label: str
    decided: int = 0
    on_time: int = 0

    @property
    def rate(self) -> Rate:
        return Rate(self.on_time, self.decided)


@dataclass
class Column:
    """One period's figures, as of its end."""

    period: Period
    posts: int
    posts_by_kind: list[tuple[str, int]]
    events: int
    by_topic: list[tuple[str, Count]]
    by_severity: list[tuple[str, Count]]
    units: list[UnitFigures]
    totals: UnitFigures
    events_assigned: int  # events given to a unit in the period
    events_responded: int  # events with a response window closed in the period
    events_closed: int  # events with a 办结 window closed in the period
    escalations: int  # windows escalated to level 2 or above in the period
    by_window: list[WindowStat]


@dataclass
class Indicator:
    name: str
    measure: str
    quarter: Any
    year: Any
    level: int = 0  # 0: a main row, 1: "其中"


@dataclass
class QuarterReport:
    quarter: Column
    year: Column
    indicators: list[Indicator]


def _posts_by_kind(session: Session, period: Period) -> list[tuple[str, int]]:
    p = models.Post
    kinds = [k.label for k in BOARD_KINDS]
    counts: Counter[str] = Counter()
    for kind, n in session.execute(
        select(p.board_type, func.count())
        .where(p.first_seen_at >= period.start, p.first_seen_at < period.end)
        .group_by(p.board_type)
    ):
        counts[kind if kind in kinds else OTHER_KIND] += int(n)
    return [(k, counts[k]) for k in (*kinds, OTHER_KIND)]


def column(session: Session, h: History, period: Period, units: Any, windows: Windows) -> Column:
    t, start = period.end, period.start
    figures = unit_figures(h, start, t, t, units, windows)
    posts, events, by_topic, by_severity = new_counts(h, start, t, t, TOPICS)
    assigned = {
        a.event_id
        for a in h.assignments
        if a.role is not AssignmentRole.COORDINATE and start <= a.assigned_at < t
    }
    responded: set[int] = set()
    closed: set[int] = set()
    escalated = 0
    by_window: dict[str, WindowStat] = {}
    for c in h.clocks:
        o = h.outcome(c, t)
        group = windows.group(c.kind)
        if o.met_at is not None and start <= o.met_at < t:
            if group == "close":
                closed.add(c.event_id)
            elif group == "respond":
                responded.add(c.event_id)
        if any(lvl >= 2 and start <= at < t for at, lvl in c.levels):
            escalated += 1
        if o.status in hist.DECIDED and o.decided_at is not None and start <= o.decided_at < t:
            stat = by_window.setdefault(windows.label(c.kind), WindowStat(windows.label(c.kind)))
            stat.decided += 1
            stat.on_time += o.status is Status.MET
    return Column(
        period=period,
        posts=posts,
        posts_by_kind=_posts_by_kind(session, period),
        events=events,
        by_topic=by_topic,
        by_severity=by_severity,
        units=worst_first(f for f in figures.values() if f.active),
        totals=total(figures.values()),
        events_assigned=len(assigned),
        events_responded=len(responded),
        events_closed=len(closed),
        escalations=escalated,
        by_window=sorted(by_window.values(), key=lambda s: -s.decided),
    )


def indicators(q: Column, y: Column) -> list[Indicator]:
    rows = [Indicator("监测帖文数", "条", q.posts, y.posts)]
    for (kind, nq), (_, ny) in zip(q.posts_by_kind, y.posts_by_kind, strict=True):
        rows.append(Indicator(f"{kind}类", "条", nq, ny, 1))
    rows.append(Indicator("研判舆情事件数", "个", q.events, y.events))
    for (sev, cq), (_, cy) in zip(q.by_severity, y.by_severity, strict=True):
        rows.append(Indicator(sev, "个", cq.events, cy.events, 1))
    tq, ty = q.totals, y.totals
    rows += [
        Indicator("交办事件数", "个", q.events_assigned, y.events_assigned),
        Indicator("交办责任单位", "件次", tq.assignments, ty.assignments),
        Indicator("签收率", "%", pct(tq.ack), pct(ty.ack)),
        Indicator("按时回应率", "%", pct(tq.respond), pct(ty.respond)),
        Indicator("按时办结率", "%", pct(tq.close), pct(ty.close)),
        Indicator("已回应事件数", "个", q.events_responded, y.events_responded),
        Indicator("已办结事件数", "个", q.events_closed, y.events_closed),
        Indicator("超期", "次", tq.breaches, ty.breaches),
        Indicator("升级督办", "次", q.escalations, y.escalations),
        Indicator("退单", "次", tq.returns, ty.returns),
        Indicator("延期", "次", tq.extensions, ty.extensions),
    ]
    year_windows = {s.label: s for s in y.by_window}
    for s in q.by_window:
        ys = year_windows.get(s.label, WindowStat(s.label))
        rows.append(
            Indicator(
                f"{s.label}（按时/应完成）",
                "次",
                f"{s.on_time}/{s.decided}",
                f"{ys.on_time}/{ys.decided}",
                1,
            )
        )
    return rows


def quarter_report(settings: Settings, session: Session, label: str) -> QuarterReport:
    tz = ZoneInfo(settings.timezone)
    q = quarter(label, tz)
    y = year_to(q, tz)
    windows = windows_for(settings)
    units = unit_directory(session)
    h = hist.load(session, y.start, y.end)
    qc = column(session, h, q, units, windows)
    yc = column(session, h, y, units, windows)
    return QuarterReport(qc, yc, indicators(qc, yc))


def _title(settings: Settings, q: Period) -> str:
    year, number = q.label.split("Q")
    return f"{settings.jurisdiction.name}{year}年第{number}季度舆情应对情况报告"


def report_html(settings: Settings, report: QuarterReport, generated: datetime) -> str:
    tz = ZoneInfo(settings.timezone)
    q = report.quarter.period
    return (
        html_environment()
        .get_template(f"{TEMPLATES}/report.html")
        .render(
            title=_title(settings, q),
            r=report,
            q=report.quarter,
            y=report.year,
            span=f"{q.start:%Y年%m月%d日}至{q.last_day:%Y年%m月%d日}",
            generated=generated.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
            bar=settings.digest.bar,
            jurisdiction=settings.jurisdiction.full_name or settings.jurisdiction.name,
        )
    )


def report_xlsx(settings: Settings, report: QuarterReport) -> bytes:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "指标统计"
    ws.append([_title(settings, report.quarter.period)])
    ws.merge_cells("A1:D1")
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(
        ["指标名称", "计量单位", report.quarter.period.label, f"{report.year.period.label}年累计"]
    )
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE5F0")
    for ind in report.indicators:
        ws.append([("其中：" if ind.level else "") + ind.name, ind.measure, ind.quarter, ind.year])
        ws.cell(ws.max_row, 1).alignment = Alignment(indent=2 * ind.level)
    for col, width in zip("ABCD", (34, 10, 14, 14), strict=True):
        ws.column_dimensions[col].width = width

    topics = wb.create_sheet("按领域")
    topics.append(["领域", "帖文（本季度）", "事件（本季度）", "帖文（年累计）", "事件（年累计）"])
    year_topics = dict(report.year.by_topic)
    for name, c in report.quarter.by_topic:
        yc = year_topics.get(name, Count())
        topics.append([name, c.posts, c.events, yc.posts, yc.events])

    units = wb.create_sheet("按单位")
    units.append([h for h, _ in ledger.UNIT_COLUMNS])
    for u in [*report.quarter.units, report.quarter.totals]:
        units.append(ledger.unit_values(u))
    for row in units.iter_rows(min_row=2, min_col=3, max_col=5):
        for cell in row:
            cell.number_format = "0.0%"
    for i, (_, width) in enumerate(ledger.UNIT_COLUMNS, 1):
        units.column_dimensions[units.cell(1, i).column_letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def write_quarter_report(
    settings: Settings, session: Session, label: str, out_dir: Path, now: datetime
) -> list[Path]:
    """Write the report of quarter ``label`` (e.g. "2026Q3") as HTML and XLSX into
    ``out_dir``; returns the paths written."""
    report = quarter_report(settings, session, label)
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{settings.jurisdiction.name}舆情应对情况-{report.quarter.period.label}"
    html = out_dir / f"{stem}.html"
    html.write_text(report_html(settings, report, now), encoding="utf-8")
    xlsx = out_dir / f"{stem}.xlsx"
    xlsx.write_bytes(report_xlsx(settings, report))
    return [html, xlsx]
