"""Chinese numerals and the casualty / loss figures read from post text."""

from __future__ import annotations

import pytest

from classifier.figures import extract_figures
from classifier.numbers import parse_chinese_number, parse_number


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
        ("十来", 10),
        ("二十几", 20),
        ("好几十", 20),
        ("两三百", 200),
        ("12,000万", 120_000_000),
        ("150,000", 150_000),
        ("0.6亿", 60_000_000),
        ("上亿", 100_000_000),
        ("数千万", 20_000_000),
        ("近亿", 90_000_000),
        ("三千多万", 30_000_000),
        ("１２", 12),
        ("俩", 2),
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
        ("路口渣土车把三个行人撞死了", [("deaths", 3)]),
        ("撞死了11个人", [("deaths", 11)]),
        ("压死了一个骑电动车的大姐", [("deaths", 1)]),
        ("死了二十几个人", [("deaths", 20)]),
        ("3死5伤的消息", [("deaths", 3), ("injured", 5)]),
        ("一死两伤的车祸", [("deaths", 1), ("injured", 2)]),
        ("致6死多伤", [("deaths", 6), ("injured", 3)]),
        ("造成２人死亡、５６人受伤", [("deaths", 2), ("injured", 56)]),
        ("直接经济损失约12,000万元", [("loss_yuan", 120_000_000)]),
        ("造成15人伤亡", [("casualties", 15)]),
        ("60名游客均为轻伤", [("light_injured", 60)]),
        ("三个村民晕倒在里面，全部没救过来", [("deaths", 3)]),
        ("一男子持刀砍伤4名学生", [("injured", 4)]),
        ("还有十几个人没上来", [("trapped", 10)]),
        ("中国地震台网测定5.3级地震", [("magnitude", 5.3)]),
        ("新闻说地震六点一级", [("magnitude", 6.1)]),
        ("过火面积两千多亩", [("burned_ha", 2000 / 15)]),
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
        "九死一生",
        "我只能一死了之",
        "好几户养的猪都死了",  # households count only people moved or hit
        "抗8级地震设计的框架楼",
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


def test_denied_figures_are_kept_as_negated() -> None:
    (fig,) = extract_figures("车上28名乘客均未受伤")
    assert (fig.kind, fig.value, fig.negated) == ("injured", 28, True)
    (fig,) = extract_figures("无一人伤亡")
    assert fig.negated


def test_rescue_and_split_outcomes() -> None:
    (fig,) = extract_figures("被困的6人已全部获救")
    assert fig.kind == "trapped" and fig.rescued
    trapped, rescued = extract_figures("井下30名矿工被困，目前已救出5人")
    assert not trapped.rescued and (rescued.kind, rescued.value) == ("rescued", 5)
    total, serious = extract_figures("造成14人受伤，其中2人重伤")
    assert (total.kind, serious.kind, serious.value) == ("light_injured", "seriously_injured", 2)
    (fig,) = extract_figures("60余人受伤，以轻伤为主")
    assert (fig.kind, fig.note) == ("light_injured", "以轻伤为主")


@pytest.mark.parametrize(
    ("text", "value"),
    [("百把", 100), ("千把", 1000), ("十几二十", 10), ("几十上百", 20), ("几百上千", 200)],
)
def test_rough_counts_read_their_lower_bound(text: str, value: float) -> None:
    assert parse_chinese_number(text) == pytest.approx(value)


def test_many_without_a_number_is_a_few_that_may_be_more() -> None:
    from classifier.numbers import MANY_RE, VAGUE_COUNT

    for text in ("好多", "很多", "不少", "一车", "一船", "一屋子"):
        assert parse_number(text) == (VAGUE_COUNT, True)
        assert MANY_RE.match(text)
    assert parse_number("一家") == (VAGUE_COUNT, True)
    assert not MANY_RE.match("一家")
