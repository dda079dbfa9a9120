"""The week's 台账 (ledger of every case) as XLSX and CSV, and the per-unit table.

Times are local (Asia/Shanghai) and written without a zone: Excel has none. The CSV is UTF-8
with a byte-order mark so that Excel opens Chinese text correctly. Text from posts is hostile:
a cell that starts like a formula is kept as text (XLSX) or prefixed with an apostrophe (CSV).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from domain.safe_text import csv_cell, xlsx_cell
from storage.enums import DeadlineState
from yuqing.digest.figures import CaseRow, UnitFigures, WeekFigures, WindowCell
from yuqing.digest.history import Status
from yuqing.display import deadline

# A clock's status at the week's end: the states a deadline can be in read as the dashboard and
# the emails show them; the two the digest alone distinguishes are named here.
STATUS_LABELS: dict[Status, str] = {
    Status.MET: DeadlineState.MET.label,
    Status.CLOSED_LATE: DeadlineState.CLOSED_LATE.label,
    Status.OVERDUE: "超期未完成",
    Status.RUNNING: DeadlineState.OPEN.label,
    Status.CANCELLED_LATE: "超期后取消",
    Status.CANCELLED: DeadlineState.CANCELLED.label,
    Status.ABSENT: "",
}
CASE_COLUMNS: tuple[tuple[str, int], ...] = (  # header, width
    ("序号", 6),
    ("事件编号", 9),
    ("事件标题", 40),
    ("首次发现时间", 17),
    ("领域", 12),
    ("等级", 8),
    ("牵头单位", 16),
    ("配合单位", 20),
    ("交办时间", 17),
    ("签收时间", 17),
    ("回应时限", 17),
    ("回应时间", 17),
    ("回应情况", 11),
    ("办结时限", 17),
    ("办结时间", 17),
    ("办结情况", 11),
    ("其他时限", 36),
    ("最长超期（小时）", 10),
    ("督办级别", 8),
    ("退单", 6),
    ("延期", 6),
    ("周末状态", 10),
)
UNIT_COLUMNS: tuple[tuple[str, int], ...] = (
    ("单位", 22),
    ("交办", 7),
    ("签收率", 9),
    ("按时回应率", 11),
    ("按时办结率", 11),
    ("应签收", 8),
    ("应回应", 8),
    ("应办结", 8),
    ("超期", 7),
    ("退单", 7),
    ("延期", 7),
    ("回应用时中位数（小时）", 12),
)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
TIME_FORMAT = "yyyy-mm-dd hh:mm"
# a deadline at local midnight ends the day before: its cell holds the last second of that day
# (so it sorts and filters as a time) and reads "24:00", as pages and emails write it
DAY_END_FORMAT = 'yyyy-mm-dd "24:00"'


@dataclass(frozen=True)
class DayEnd:
    """A deadline that ends a day: ``midnight`` is the local (naive) midnight after it."""

    midnight: datetime

    def cell(self) -> datetime:
        return self.midnight - timedelta(seconds=1)

    def text(self) -> str:
        return f"{self.midnight - timedelta(days=1):%Y-%m-%d} 24:00"


def deadline_cell(moment: datetime | None, tz: ZoneInfo) -> datetime | DayEnd | None:
    """A deadline for a sheet: local and naive, or a ``DayEnd`` when it ends a day."""
    local = _local(moment, tz)
    if local is not None and local.time() == time(0):
        return DayEnd(local)
    return local


def hours(delta: timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 1)


def _local(dt: datetime | None, tz: ZoneInfo) -> datetime | None:
    return None if dt is None else dt.astimezone(tz).replace(tzinfo=None)


def _other(cell: WindowCell, tz: ZoneInfo) -> str:
    due = deadline(cell.deadline_at, tz)
    return f"{cell.label}：{STATUS_LABELS[cell.status]}（时限 {due}）"


def case_values(row: CaseRow, index: int, tz: ZoneInfo) -> list[Any]:
    """One ledger row; times as naive local datetimes, a deadline that ends a day as
    ``DayEnd``."""
    r, c = row.respond, row.close
    return [
        index,
        row.event_id,
        row.title,
        _local(row.first_seen_at, tz),
        row.topic,
        row.severity.label,
        row.lead,
        "、".join(row.co_units),
        _local(row.assigned_at, tz),
        _local(row.acknowledged_at, tz),
        deadline_cell(r.deadline_at, tz) if r else None,
        _local(r.met_at, tz) if r else None,
        STATUS_LABELS[r.status] if r else "",
        deadline_cell(c.deadline_at, tz) if c else None,
        _local(c.met_at, tz) if c else None,
        STATUS_LABELS[c.status] if c else "",
        "；".join(_other(o, tz) for o in row.others),
        hours(row.late_by),
        row.level or None,
        row.returns,
        row.extensions,
        row.state,
    ]


def unit_values(u: UnitFigures) -> list[Any]:
    median = u.median_response_hours
    return [
        u.display_name,
        u.assignments,
        u.ack.value,
        u.respond.value,
        u.close.value,
        u.ack.total,
        u.respond.total,
        u.close.total,
        u.breaches,
        u.returns,
        u.extensions,
        round(median, 1) if median is not None else None,
    ]


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, DayEnd):
        return value.text()
    if isinstance(value, float):
        return f"{value:g}"
    text = csv_cell(str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def ledger_csv(figures: WeekFigures, tz: ZoneInfo) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([h for h, _ in CASE_COLUMNS])
    for i, row in enumerate(figures.cases, 1):
        writer.writerow([_text(v) for v in case_values(row, i, tz)])
    return out.getvalue().encode("utf-8-sig")


def _write_sheet(
    ws: Any, title: str, columns: Sequence[tuple[str, int]], rows: Sequence[Sequence[Any]]
) -> None:
    ws.append([xlsx_cell(title)])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(columns))
    ws.cell(1, 1).font = Font(bold=True, size=13)
    ws.append([h for h, _ in columns])
    for i, (_, width) in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = width
        head = ws.cell(2, i)
        head.font = Font(bold=True)
        head.fill = PatternFill("solid", fgColor="DDE5F0")
        head.alignment = Alignment(wrap_text=True, vertical="center")
    for r, row in enumerate(rows, 3):  # counted here: ws.max_row scans the sheet
        # a control character in one crawled title would stop the whole workbook
        values = [xlsx_cell(v) if isinstance(v, str) else v for v in row]
        ws.append([v.cell() if isinstance(v, DayEnd) else v for v in values])
        for i, value in enumerate(values, 1):
            cell = ws.cell(r, i)
            if isinstance(value, DayEnd):
                cell.number_format = DAY_END_FORMAT
            elif isinstance(value, datetime):
                cell.number_format = TIME_FORMAT
            elif isinstance(value, str) and value.startswith("="):
                cell.data_type = "s"  # hostile text is never a formula
    ws.freeze_panes = "A3"


write_sheet = _write_sheet  # a titled sheet with a header row, for other exports


def ledger_xlsx(figures: WeekFigures, tz: ZoneInfo, jurisdiction: str) -> bytes:
    wb = Workbook()
    cases = wb.active
    assert cases is not None
    cases.title = "台账"
    span = period_text(figures)
    _write_sheet(
        cases,
        f"{jurisdiction}舆情处置台账 {figures.period.label}（{span}）",
        CASE_COLUMNS,
        [case_values(row, i, tz) for i, row in enumerate(figures.cases, 1)],
    )
    units = wb.create_sheet("单位统计")
    _write_sheet(
        units,
        f"{jurisdiction}各单位处置时效 {figures.period.label}（{span}）",
        UNIT_COLUMNS,
        [unit_values(u) for u in [*figures.units, figures.totals]],
    )
    for row in units.iter_rows(min_row=3, min_col=3, max_col=5):
        for cell in row:
            cell.number_format = "0.0%"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def period_text(figures: WeekFigures) -> str:
    first, last = figures.period.start.date(), figures.period.last_day
    return f"{first.year}年{first.month}月{first.day}日—{last.month}月{last.day}日"
