"""The queue as a spreadsheet: the rows the duty officer's filters select, as the queue shows
them (times in local time, countdowns as of the moment of export)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from classifier.masking import mask_pii
from storage.enums import Verification
from yuqing.digest.ledger import deadline_cell, write_sheet
from yuqing.display import remaining
from yuqing.web.queue import QueueRow

EXPORT_MAX = 5000  # rows; a queue longer than this is exported in part (the title says so)

COLUMNS: tuple[tuple[str, int], ...] = (
    ("序号", 6),
    ("级别", 8),
    ("事件", 48),
    ("最近时限", 20),
    ("截止时间", 17),
    ("剩余", 14),
    ("时限所属", 24),
    ("发布权威信息截止", 17),
    ("新闻发布会截止", 17),
    ("热度", 8),
    ("帖子数", 8),
    ("领域", 14),
    ("牵头单位", 26),
    ("始发时间", 17),
    ("状态", 10),
)


def _local(moment: datetime | None, tz: ZoneInfo) -> datetime | None:
    # openpyxl writes naive datetimes: the sheet's times are local, as the title says
    return moment.astimezone(tz).replace(tzinfo=None) if moment is not None else None


def queue_xlsx(
    rows: list[QueueRow],
    now: datetime,
    tz: ZoneInfo,
    labels: Mapping[str, str],
    *,
    masked: bool,
    partial: bool,
    title: str,
) -> bytes:
    out = []
    for i, r in enumerate(rows, 1):
        n = r.nearest
        by_kind = {w.kind: w for w in r.statutory}
        publish = next((w for k, w in by_kind.items() if "publish" in k), None)
        press = next((w for k, w in by_kind.items() if "press" in k), None)
        pending = r.candidate is not None and r.verification is Verification.PENDING
        grade = (
            f"待核实（疑似{r.candidate.label}）" if pending and r.candidate else r.severity.label
        )
        out.append(
            [
                i,
                grade,
                mask_pii(r.title) if masked else r.title,
                labels.get(n.kind, n.kind) if n else "",
                deadline_cell(r.next_deadline_at, tz),
                remaining(r.next_deadline_at, now) if r.next_deadline_at else "",
                r.nearest_unit or ("值班室" if n else ""),
                deadline_cell(publish.deadline_at, tz) if publish else None,
                deadline_cell(press.deadline_at, tz) if press else None,
                round(r.heat, 1),
                r.post_count,
                r.topic or "未分类",
                r.lead_unit_name or "未分派",
                _local(r.started_at, tz),
                r.state.label,
            ]
        )
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "舆情队列"
    stamp = now.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    more = f"；仅前 {EXPORT_MAX} 条" if partial else ""
    heading = f"{title}（导出时间 {stamp}，北京时间{more}）"
    write_sheet(ws, heading, COLUMNS, out)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
