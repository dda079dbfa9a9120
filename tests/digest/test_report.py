"""The quarterly 舆情应对情况 report (HTML and XLSX)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook

from domain.settings import Settings
from tests.digest.conftest import Built
from tests.digest.htmltables import parse
from yuqing.digest.report import write_quarter_report
from yuqing.digest.weeks import PeriodError, quarter

NOW = datetime(2027, 1, 5, tzinfo=UTC)


def _indicators(path: Path) -> dict[str, tuple[object, object, object]]:
    ws = load_workbook(path)["指标统计"]
    return {
        str(r[0]): (r[1], r[2], r[3]) for r in ws.iter_rows(min_row=3, values_only=True) if r[0]
    }


def test_quarter_report(built: Built, settings: Settings, tmp_path: Path) -> None:
    with built.sessions() as s:
        paths = write_quarter_report(settings, s, "2026Q4", tmp_path, NOW)
    assert [p.name for p in paths] == [
        "七星关区舆情应对情况-2026Q4.html",
        "七星关区舆情应对情况-2026Q4.xlsx",
    ]
    got = _indicators(paths[1])
    # as of 1 January 2027: everything that happened after W47 counts now
    expected = {
        "监测帖文数": ("条", 15, 15),
        "其中：咨询类": ("条", 3, 3),
        "其中：投诉/求助类": ("条", 4, 4),
        "其中：建言类": ("条", 2, 2),
        "其中：其他类": ("条", 6, 6),
        "研判舆情事件数": ("个", 6, 6),  # e6 merged, e7 not relevant
        "其中：重大": ("个", 2, 2),  # e3, and e4 after its regrade
        "其中：较大": ("个", 1, 1),
        "其中：一般": ("个", 2, 2),
        "其中：常规": ("个", 1, 1),
        "其中：特别重大": ("个", 0, 0),
        "交办事件数": ("个", 6, 6),
        "交办责任单位": ("件次", 8, 8),
        "签收率": ("%", "87.5%", "87.5%"),
        # e0, e2 and e3's press conference late; e4's 发布权威信息 opened by the regrade, late
        "按时回应率": ("%", "50.0%", "50.0%"),
        "按时办结率": ("%", "0.0%", "0.0%"),  # e1 and e4's 办结 both passed unmet
        "已回应事件数": ("个", 5, 5),
        "已办结事件数": ("个", 0, 0),
        "超期": ("次", 8, 8),
        "升级督办": ("次", 3, 3),
        "退单": ("次", 1, 1),
        "延期": ("次", 2, 2),
    }
    for name, values in expected.items():
        assert got[name] == values, name
    assert got["其中：召开新闻发布会（按时/应完成）"] == ("次", "0/1", "0/1")
    assert got["其中：予以回应（按时/应完成）"] == ("次", "3/5", "3/5")

    html = paths[0].read_text(encoding="utf-8")
    tables, ids = parse(html)
    assert "七星关区2026年第4季度舆情应对情况报告" in html
    assert (
        "研判形成舆情事件 6 个，其中特别重大 0 个、重大 2 个、较大 1 个、一般 2 个、常规 1 个"
        in ids["summary"]
    )
    assert ["监测帖文数", "条", "15", "15"] in tables["indicators"]
    units = {r[0]: r for r in tables["units"][1:]}
    assert units["区教育局"][3] == "0.0%"


def test_an_empty_quarter(built: Built, settings: Settings, tmp_path: Path) -> None:
    with built.sessions() as s:
        paths = write_quarter_report(settings, s, "2026Q3", tmp_path, NOW)
    got = _indicators(paths[1])
    assert got["监测帖文数"] == ("条", 0, 0) and got["签收率"] == ("%", "—", "—")
    assert "本季度没有交办或到期的案件" in paths[0].read_text(encoding="utf-8")


@pytest.mark.parametrize("label", ["2026Q5", "2026-Q3", "Q3"])
def test_bad_quarter(label: str) -> None:
    from zoneinfo import ZoneInfo

    with pytest.raises(PeriodError):
        quarter(label, ZoneInfo("Asia/Shanghai"))
