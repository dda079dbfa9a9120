"""Severity rules: thresholds, hard negatives, raises, evidence and per-event combination."""

from __future__ import annotations

import json

import pytest

from classifier.severity import HEAT_RAISE, LEVELS, SeverityAssessment, combine
from storage.enums import Severity
from tests.localities import sample_assess as assess  # the posts name the 七星关区 sample's places


def level(content: str, title: str = "", heat: float = 0.0) -> str:
    return assess(title, content, heat=heat).level


def test_levels_are_the_stored_enum_values() -> None:
    assert set(LEVELS) == {s.value for s in Severity}


@pytest.mark.parametrize(
    ("content", "expected", "etype"),
    [
        ("长春堡煤矿发生透水事故，已确认32人遇难。", "特别重大", "事故灾难"),
        ("长春堡煤矿发生透水事故，已确认12人遇难。", "重大", "事故灾难"),
        ("长春堡煤矿发生透水事故，已确认3人遇难。", "较大", "事故灾难"),
        ("长春堡煤矿发生透水事故，1人遇难。", "一般", "事故灾难"),
        ("化工厂爆炸，重伤105人。", "特别重大", "事故灾难"),
        ("客车侧翻，造成55人受伤。", "重大", "事故灾难"),
        ("客车侧翻，造成12人受伤。", "较大", "事故灾难"),
        ("暴雨导致多个小区被淹，直接经济损失约1.2亿元。", "特别重大", "自然灾害"),
        ("暴雨导致多个小区被淹，直接经济损失约6000万元。", "重大", "自然灾害"),
        ("暴雨导致多个小区被淹，直接经济损失约2000万元。", "较大", "自然灾害"),
        ("山洪暴发，紧急转移群众1.5万人。", "重大", "自然灾害"),
        ("隧道塌方，六名工人被困。", "较大", "事故灾难"),
        ("隧道塌方，十五名工人被困。", "重大", "事故灾难"),
        ("上千名村民聚集在区政府门口讨要征地补偿款。", "重大", "社会安全事件"),
        ("两百多名工人聚集在项目部门口讨薪。", "较大", "社会安全事件"),
        ("婚宴后120余人上吐下泻送医，疑似食物中毒。", "较大", "公共卫生事件"),
        ("不明原因肺炎病例增多，其中1人死亡。", "较大", "公共卫生事件"),
        ("厨房起火，消防及时扑灭，无人受伤。", "一般", "事故灾难"),
    ],
)
def test_national_thresholds(content: str, expected: str, etype: str) -> None:
    result = assess("", content)
    assert (result.level, result.emergency_type) == (expected, etype)


@pytest.mark.parametrize(
    "content",
    [
        "研究表明长期吸烟者肺癌死亡率是不吸烟者的10倍以上。",
        "重温电影《2012》，洪水滔天、几十亿人死亡的场面很震撼。",
        "唐山大地震47周年，24万同胞罹难，铭记历史。",
        "区应急局在长春堡煤矿开展瓦斯爆炸事故应急演练，模拟15名矿工被困井下。",
        "土耳其发生7.8级强烈地震，已造成数千人死亡。",
        "山西吕梁一煤矿发生事故致11人遇难，我们这边的煤矿也要吸取教训。",
        "今年以来全区共发生生产安全事故8起，死亡9人，同比下降20%。",
        "区公安分局辟谣：网传七星关区发生绑架儿童事件系谣言。",
        "意外险每年只需99元，交通事故、火灾、溺水全保障，详询客服。",
        "三年前东关坡那场大火造成5人死亡，至今赔偿款还没到位。",
        "小区消防通道被占，万一发生火灾消防车都进不来。",
        "疫情防控期间小区封控，买菜太难了。",
        "个人信息泄露，天天接到诈骗电话。",
        "每天晚上碧阳湖广场跳广场舞的聚集了上百人，音响太大声。",
        "笑死了，今天的标题太搞笑。",
        "爆炸性消息！毕节到重庆的高铁要开工了。",
        "区地震局搬到哪里去了？",
        "",
    ],
)
def test_hard_negatives_stay_routine(content: str) -> None:
    result = assess("", content)
    assert result.level == Severity.ROUTINE.value
    assert result.emergency_type is None
    assert result.score == 0.0


def test_vulnerable_victims_raise_one_level() -> None:
    assert level("持刀伤人，造成3名幼儿死亡。") == "重大"  # 较大 raised
    assert level("校车翻车，6名学生受伤。") == "较大"  # 一般 raised
    assert level("车祸，一名骑电动车的老人当场死亡。") == "一般"  # one person is no group
    result = assess("", "客车侧翻，造成2人死亡、15人受伤，其中多数是学生。")
    assert result.level == "重大"
    assert any("学生" in v for v in result.evidence["vulnerable"])


def test_road_blockade_raises_a_crowd() -> None:
    assert level("上百名家长聚集，要求解决校车问题。") == "较大"
    assert level("上百名家长聚集堵塞威宁路，交通已经中断。") == "重大"


def test_rescue_cancels_trapped_figures() -> None:
    assert level("隧道塌方，15名工人被困。") == "重大"
    assert level("电梯故障，15人被困，半小时后全部被救出。") == "一般"


def test_heat_raises_a_borderline_emergency_only() -> None:
    assert level("两车相撞，2人受伤。", heat=HEAT_RAISE) == "较大"
    assert level("两车相撞，2人受伤。", heat=HEAT_RAISE - 1) == "一般"
    assert level("小区垃圾没人清运。", heat=100) == "常规"
    assert level("隧道塌方，15名工人被困。", heat=100) == "重大"  # never into 特别重大


def test_evidence_names_words_figures_and_thresholds() -> None:
    result = assess("长春堡煤矿透水事故", "长春堡煤矿今天发生透水事故，目前已确认遇难33人。")
    ev = result.evidence
    assert result.level == "特别重大" and result.is_major
    assert {"term": "透水", "type": "事故灾难", "strength": "strong"} in ev["terms"]
    assert ev["figures"][0]["text"] == "遇难33人"
    assert any("≥ 30" in rule and "特别重大" in rule for rule in ev["rules"])
    assert result.model_version
    json.dumps(ev, ensure_ascii=False)  # storable as JSON


def test_suppressed_incident_says_why() -> None:
    result = assess("", "麻园街道开展燃气泄漏应急演练，模拟疏散居民500余人。")
    assert result.level == "常规"
    assert "演练" in result.evidence["suppressed_by"]["drill"]


def test_claims_are_graded_as_claimed() -> None:
    # fifty deaths in an earthquake are 重大 under 《国家地震应急预案》 (50–299)
    result = assess("", "紧急扩散！听说城区已经有五十多人遇难了。房子倒了，是地震！")
    assert result.level == "重大"
    # hearsay that alone makes a post 重大 is flagged for a person to check
    assert result.evidence["candidate_level"] == "重大"
    assert any(c.startswith("hearsay") for c in result.evidence["candidate_cues"])


def _post(level: str, *, crowd: bool = False) -> SeverityAssessment:
    rank = LEVELS.index(level)
    evidence: dict[str, object] = {"base_level": level}
    if crowd:
        evidence["crowd_words"] = ["聚集"]
    etype = None if rank == 0 else "社会安全事件"
    return SeverityAssessment(level, etype, rank / 4, evidence)


def test_combine_takes_the_highest_level() -> None:
    event = combine([_post("一般"), _post("较大"), _post("常规")], heat=0)
    assert (event.level, event.emergency_type) == ("较大", "社会安全事件")
    assert event.evidence["posts"] == 3


def test_combine_raises_once_for_heat_and_for_a_crowd_seen_three_times() -> None:
    assert combine([_post("一般")], heat=HEAT_RAISE).level == "较大"
    # a post already raised by heat is not raised again: base levels are combined
    raised = SeverityAssessment("较大", "事故灾难", 0.5, {"base_level": "一般"})
    assert combine([raised], heat=HEAT_RAISE).level == "较大"
    crowd = [_post("一般", crowd=True) for _ in range(3)]
    assert combine(crowd, heat=0).level == "较大"
    assert combine(crowd, heat=HEAT_RAISE).level == "重大"
    assert combine([_post("常规")], heat=100).level == "常规"
    assert combine([], heat=10).level == "常规"


def test_assess_is_fast_on_ordinary_posts() -> None:
    import time

    texts = ["松山社区垃圾堆了一个星期没人清运，臭气熏天，希望尽快处理。" * 3] * 2000
    start = time.perf_counter()
    for t in texts:
        assess("小区垃圾无人清运", t)
    per_post = (time.perf_counter() - start) / len(texts)
    assert per_post < 0.001  # generous: well under this on an idle machine
