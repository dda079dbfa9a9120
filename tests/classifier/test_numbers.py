"""Chinese numerals and the casualty / loss figures read from post text."""

from __future__ import annotations

import pytest

from classifier.numbers import extract_figures, parse_chinese_number, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("三", 3),
        ("十二", 12),
        ("二十一", 21),
        ("三十一", 31),
        ("两百", 200),
        ("一百零二", 102),
        ("一万二", 12_000),
        ("两千万", 20_000_000),
        ("1.2万", 12_000),
        ("2.3亿", 230_000_000),
        ("8000余万", 80_000_000),
        ("数十", 20),
        ("几十", 20),
        ("数百", 200),
        ("上百", 100),
        ("上千", 1000),
        ("上万", 10_000),
        ("十余", 10),
        ("十几", 10),
        ("40余", 40),
        ("三四十", 30),
        ("近万", 9000),
        ("约五千余", 5000),
        ("多", 3),
        ("好几", 3),
    ],
)
def test_parse_chinese_number(text: str, value: float) -> None:
    assert parse_chinese_number(text) == pytest.approx(value)


def test_vague_and_prefixed_counts_are_marked_approximate() -> None:
    assert parse_number("33") == (33.0, False)
    assert parse_number("三十余") == (30.0, True)
    assert parse_number("约2000") == (2000.0, True)
    assert parse_number("") is None
    assert parse_number("abc") is None


def _figures(text: str) -> list[tuple[str, float]]:
    return [(f.kind, f.value) for f in extract_figures(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("井下共有43名矿工，目前已确认遇难33人。", [("deaths", 33)]),
        ("造成三人死亡", [("deaths", 3)]),
        ("祖孙三人不幸遇难", [("deaths", 3)]),
        ("一家五口不幸遇难", [("deaths", 5)]),
        ("12人受伤", [("injured", 12)]),
        ("数十人被困", [("trapped", 20)]),
        ("十余名矿工被困井下", [("trapped", 10)]),
        ("死亡人数已升至十人", [("deaths", 10)]),
        ("造成9人死亡62人受伤", [("deaths", 9), ("injured", 62)]),
        ("已致6死，数十人受伤", [("deaths", 6), ("injured", 20)]),
        ("1死3伤", [("deaths", 1), ("injured", 3)]),
        ("重伤110人", [("seriously_injured", 110)]),
        ("失联人员达37人", [("missing", 37)]),
        ("打捞出5具遗体", [("deaths", 5)]),
        ("下游紧急转移群众1.2万人", [("evacuated", 12_000)]),
        ("下游几万人有危险", [("endangered", 20_000)]),
        ("上千名村民聚集在区政府门前", [("crowd", 1000)]),
        ("130多名学生出现呕吐腹泻", [("sick", 130)]),
        ("十几个孩子送医", [("sick", 10)]),
        ("中毒死了好几个", [("deaths", 3)]),
        ("直接经济损失约2000万元", [("loss_yuan", 20_000_000)]),
        ("直接经济损失两千万元", [("loss_yuan", 20_000_000)]),
        ("损失达8000余万元", [("loss_yuan", 80_000_000)]),
        ("损失上亿", [("loss_yuan", 100_000_000)]),
    ],
)
def test_extract_figures(text: str, expected: list[tuple[str, float]]) -> None:
    assert _figures(text) == [(k, pytest.approx(v)) for k, v in expected]


@pytest.mark.parametrize(
    "text",
    [
        "万一死了怎么办",  # 万一 is no numeral here
        "昨晚打游戏死了十几次",  # 次 is no person
        "多个水渠都被掩埋",  # 个 before a thing
        "今年是建党100周年",
        "带动就业三百多人",  # no casualty verb
        "",
    ],
)
def test_no_figure(text: str) -> None:
    assert extract_figures(text) == []


def test_figure_keeps_its_span_and_offset() -> None:
    text = "昨晚三板桥一民房失火，3人死亡。"
    (fig,) = extract_figures(text)
    assert fig.span == "3人死亡"
    assert text[fig.start : fig.start + len(fig.span)] == fig.span
