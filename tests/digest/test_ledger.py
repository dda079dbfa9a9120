"""The 台账 attachments: XLSX cells and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from openpyxl import load_workbook

from domain.settings import Settings
from tests.digest import dataset
from tests.digest.conftest import Built
from tests.digest.dataset import SH
from yuqing.digest.figures import WeekFigures
from yuqing.digest.ledger import CASE_COLUMNS, UNIT_COLUMNS, ledger_csv, ledger_xlsx
from yuqing.digest.render import week_figures

HEAD = [h for h, _ in CASE_COLUMNS]


def _figures(built: Built, settings: Settings) -> WeekFigures:
    with built.sessions() as s:
        return week_figures(settings, s, dataset.WEEK)


def test_xlsx_cells(built: Built, settings: Settings) -> None:
    wb = load_workbook(io.BytesIO(ledger_xlsx(_figures(built, settings), SH, "七星关区")))
    assert wb.sheetnames == ["台账", "单位统计"]
    ws = wb["台账"]
    assert ws["A1"].value == "七星关区舆情处置台账 2026-W47（2026年11月16日—11月22日）"
    assert [c.value for c in ws[2]] == HEAD
    rows = {r[1]: r for r in ws.iter_rows(min_row=3, values_only=True)}
    ids = built.ids
    assert set(rows) == {ids[k] for k in ("e0", "e1", "e2", "e3", "e4", "e5", "e7")}
    e2 = dict(zip(HEAD, rows[ids["e2"]], strict=True))
    assert (
        e2["事件标题"] == "某中学食堂饭菜变质" and e2["等级"] == "较大" and e2["领域"] == "教育文体"
    )
    assert e2["牵头单位"] == "区教育局"
    assert e2["交办时间"] == datetime(2026, 11, 17, 9, 0)  # local time, no zone
    assert e2["签收时间"] == datetime(2026, 11, 17, 14, 0)
    assert e2["回应时限"] == datetime(2026, 11, 19, 8, 0)
    assert e2["回应时间"] == datetime(2026, 11, 20, 20, 0)
    assert (e2["回应情况"], e2["最长超期（小时）"], e2["督办级别"], e2["退单"]) == (
        "超期完成",
        36.0,
        2,
        1,
    )
    assert e2["周末状态"] == "已回应"
    e3 = dict(zip(HEAD, rows[ids["e3"]], strict=True))
    assert e3["配合单位"] == "七星关公安分局" and e3["回应情况"] == "按时完成"
    assert e3["其他时限"] == "召开新闻发布会：超期未完成（时限 11月20日 14:00）"
    assert e3["最长超期（小时）"] == 58.0 and e3["周末状态"] == "超期未办"
    e4 = dict(zip(HEAD, rows[ids["e4"]], strict=True))
    assert e4["办结时限"] == datetime(2026, 11, 25, 18, 0) and e4["办结情况"] == "计时中"
    e1 = dict(zip(HEAD, rows[ids["e1"]], strict=True))
    assert str(e1["事件标题"]).startswith("城南小区污水外溢 联系电话") and e1["延期"] == 1
    assert "13812345678" not in str(e1["事件标题"])  # personal data masked
    # a title shaped like a formula stays text
    row7 = next(r for r in ws.iter_rows(min_row=3) if r[1].value == ids["e7"])
    assert row7[2].data_type == "s" and str(row7[2].value).startswith("=HYPERLINK(")
    assert ws.cell(3, 4).number_format == "yyyy-mm-dd hh:mm"

    units = wb["单位统计"]
    assert [c.value for c in units[2]] == [h for h, _ in UNIT_COLUMNS]
    by = {r[0]: r for r in units.iter_rows(min_row=3, values_only=True)}
    assert by["区教育局"] == ("区教育局", 1, 1.0, 0.0, None, 1, 1, 0, 2, 0, 0, 84.0)
    assert by["合计"][1:5] == (7, 5 / 7, 0.6, None)
    assert units.cell(3, 3).number_format == "0.0%"


def test_csv_opens_in_excel(built: Built, settings: Settings) -> None:
    data = ledger_csv(_figures(built, settings), SH)
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: Excel reads it as UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == HEAD and len(rows) == 8
    e2 = dict(zip(HEAD, next(r for r in rows if r[1] == str(built.ids["e2"])), strict=True))
    assert (e2["签收时间"], e2["回应情况"], e2["最长超期（小时）"]) == (
        "2026-11-17 14:00",
        "超期完成",
        "36",
    )
    e7 = next(r for r in rows if r[1] == str(built.ids["e7"]))
    assert e7[2].startswith("'=HYPERLINK(")  # never evaluated as a formula
    assert data.count(b"\r\n") == 8


def test_a_deadline_that_ends_a_day_reads_24_00_in_sheets_and_csv() -> None:
    from datetime import UTC

    from openpyxl import Workbook

    from yuqing.digest.ledger import DayEnd, _text, deadline_cell, write_sheet

    day_end = deadline_cell(datetime(2026, 12, 29, 16, 0, tzinfo=UTC), SH)  # 30日 00:00 local
    office = deadline_cell(datetime(2026, 12, 29, 9, 30, tzinfo=UTC), SH)
    assert day_end == DayEnd(datetime(2026, 12, 30, 0, 0))
    assert office == datetime(2026, 12, 29, 17, 30) and deadline_cell(None, SH) is None
    assert _text(day_end) == "2026-12-29 24:00" and _text(office) == "2026-12-29 17:30"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    write_sheet(ws, "时限", (("截止", 17), ("截止", 17)), [[day_end, office]])
    read = load_workbook(io.BytesIO(_saved(wb))).active
    assert read is not None
    ends, closes = read["A3"], read["B3"]
    # the last second of the 29th: it sorts before the 30th and filters as the 29th
    assert ends.value == datetime(2026, 12, 29, 23, 59, 59)
    assert ends.number_format == 'yyyy-mm-dd "24:00"'
    assert closes.value == datetime(2026, 12, 29, 17, 30)
    assert closes.number_format == "yyyy-mm-dd hh:mm"


def _saved(wb: object) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)  # type: ignore[attr-defined]
    return buf.getvalue()
