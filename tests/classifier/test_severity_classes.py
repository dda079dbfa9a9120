"""Severity on text as people write it: one test per class of failure found on unseen posts."""

from __future__ import annotations

import json

import pytest

from classifier.severity import RANK, combine
from tests.localities import sample_assess as assess  # the posts name the 七星关区 sample's places


def level(content: str, title: str = "") -> str:
    return assess(title, content).level


# --- a casualty figure is an incident by itself, whatever the verb


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("路口一辆渣土车把三个行人撞死了。", "较大"),
        ("工地上一块预制板掉下来，砸死了两个工人。", "一般"),
        ("河边淹死了四个游泳的小伙子。", "较大"),
        ("听说昨晚那边死了十几个人，烟冒得老高。", "重大"),
        ("货车冲进集市，撞死了11个人。", "重大"),
        ("一辆水泥罐车压死了一个骑电动车的大姐。", "一般"),
        ("那个厂子3死5伤的消息已经传开了。", "较大"),
        ("一家作坊锅炉爆了，工人罹难5名。", "较大"),
        ("造成20余人伤亡。", "较大"),
    ],
)
def test_a_death_or_injury_figure_is_an_incident(content: str, expected: str) -> None:
    assert level(content) == expected


def test_an_animal_or_a_game_death_is_no_incident() -> None:
    assert level("楼下的流浪猫被车撞死了，小区车开太快。") == "常规"
    assert level("打游戏被人打死了十几次，心态崩了。") == "常规"


# --- a cue belongs to its clause; a current figure wins over context elsewhere


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("继去年透水事故之后，今天该镇另一煤矿又发生瓦斯爆炸，已造成11人死亡。", "重大"),
        (
            "【情况通报】今日一在建商场发生坍塌，截至目前已造成10人死亡。请广大网民不信谣、不传谣。",
            "重大",
        ),
        ("这个路口去年就撞死过人，今天又出事了，一辆大巴翻了，死了6个。", "较大"),
        ("上午刚搞完消防演练，下午一栋居民楼就真着火了，目前已造成3人死亡。", "较大"),
        ("网传大桥垮塌死亡30人系谣言，经核实，事故造成3人死亡、5人受伤。", "较大"),
    ],
)
def test_a_current_figure_wins_over_context_elsewhere(content: str, expected: str) -> None:
    assert level(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        "今年以来全区共发生生产安全事故8起，死亡9人，同比下降20%。",
        "区应急局开展透水事故应急演练，模拟32名矿工被困井下。",
        "卫生院组织消防演练。演练模拟住院部起火，转移病人40余名。",
        "【辟谣】网传“某镇化工厂爆炸致30人死亡”系谣言，当地未发生爆炸。",
        "三年前那场大火死了5个人，赔偿款至今没到位。",
        "今天是那次矿难十周年，当年28名矿工遇难。",
        "看了《唐山大地震》，几十万人遇难的画面太震撼。",
        "根据规定，造成30人以上死亡的为特别重大事故。",
        "这座危桥如果不及时处理，可能造成上百人伤亡。",
        "群里都在传镇上中毒死了十几个人，应该是假的吧。",
        "山西一个煤矿透水死了21个人，我们这边的煤矿也要查一查。",
    ],
)
def test_a_cue_rules_out_its_own_clause_and_sentence(content: str) -> None:
    assert level(content) == "常规"


def test_a_lowered_major_figure_is_kept_as_a_candidate() -> None:
    debunk = assess("", "【辟谣】网传“某镇化工厂爆炸致30人死亡”系谣言，当地未发生爆炸。")
    assert debunk.level == "常规"
    assert debunk.evidence["candidate_level"] == "特别重大"
    assert any(
        c.startswith("debunk") or c.startswith("claim") for c in debunk.evidence["candidate_cues"]
    )
    doubted = assess("", "群里都在传镇上中毒死了十几个人，应该是假的吧。")
    assert RANK[doubted.evidence["candidate_level"]] >= RANK["重大"]
    ambiguous = assess("", "商场火灾已造成30余人伤亡。")
    assert ambiguous.level == "较大"  # 伤亡 read as injured
    assert ambiguous.evidence["candidate_level"] == "特别重大"  # and as deaths
    assert "candidate_level" not in assess("", "两车相撞，2人受伤。").evidence
    event = combine([debunk, assess("", "两车相撞，2人受伤。")], heat=0)
    assert event.evidence["candidate_level"] == "特别重大"


# --- negated and rescued figures are no casualties; the incident still happened


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("一辆公交车侧翻，车上28名乘客均未受伤。", "一般"),
        ("校车滑进沟里，车上35名学生均未受伤，已换车送到学校。", "一般"),
        ("厂房昨晚起火，好在无一人伤亡。", "一般"),
        ("本次强降雨全区死亡人数为零。", "一般"),
        ("餐馆后厨起火，所幸无人员伤亡。", "一般"),
        ("电梯卡在8楼，被困的6人已全部获救。", "一般"),
        ("煤矿局部冒顶，被困的12名矿工已全部安全升井。", "一般"),
        ("井下30名矿工被困，目前已救出5人。", "重大"),  # 25 still trapped
    ],
)
def test_negated_and_rescued_figures(content: str, expected: str) -> None:
    assert level(content) == expected


def test_missing_people_found_again_are_no_incident() -> None:
    assert level("失联的8名矿工已全部联系上，系手机没信号。") == "常规"


# --- number forms


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("煤矿透水事故已确认１２人遇难。", "重大"),
        ("大客车侧翻，造成３人死亡、５２人受伤。", "重大"),
        ("仓库大火，直接经济损失约12,000万元。", "特别重大"),
        ("暴雨致直接经济损失达0.6亿元。", "重大"),
        ("这次暴雨把乡里冲得稀烂，损失估计上亿了。", "特别重大"),
        ("板材厂失火，损失三千多万。", "较大"),
        ("工厂爆炸，已造成二十余人死亡。", "重大"),
        ("隧道塌方，十来个人被埋在下面。", "重大"),
        ("山洪暴发，三四十名游客被困在河心岛上。", "特别重大"),
        ("一起一死两伤的车祸，司机逃逸了。", "一般"),
        ("工地坍塌，目前已致6死多伤。", "较大"),
    ],
)
def test_number_forms(content: str, expected: str) -> None:
    assert level(content) == expected


# --- legal counting: 重伤 counts, 轻伤 does not, an unqualified 受伤 leans up


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("公交车急刹，车内60多名乘客摔倒，均为轻伤。", "一般"),
        ("商场扶梯故障，55人受轻伤。", "一般"),
        ("锅炉爆炸，造成25人受伤，其中重伤12人。", "较大"),
        ("大巴侧翻，导致51人受伤。", "重大"),
        ("企业硫化氢泄漏，造成16名工人急性中毒。", "较大"),
        ("氨气泄漏，一百多名工人中毒送医。", "特别重大"),
        ("斗殴中6人受伤，均为轻微伤。", "一般"),
    ],
)
def test_legal_counting_of_the_injured(content: str, expected: str) -> None:
    assert level(content) == expected


def test_mostly_light_injuries_are_a_candidate_not_a_grade() -> None:
    result = assess("", "音乐节护栏倒塌，60余人受伤，以轻伤为主。")
    assert result.level == "一般"
    assert result.evidence["candidate_level"] == "重大"


# --- each kind is graded by its own plan


@pytest.mark.parametrize(
    ("content", "expected", "kind"),
    [
        ("本地发生5.0级地震，城区震感强烈，未收到人员伤亡报告。", "重大", "earthquake"),
        ("地震已造成我区12人遇难。", "较大", "earthquake"),
        ("滑坡体持续变形，威胁下方600余名群众，已全部转移。", "重大", "geological"),
        ("泥石流冲毁公路和农田，直接经济损失800余万元。", "重大", "geological"),
        ("山体滑坡掩埋民房，3人遇难。", "较大", "geological"),
        ("森林火灾过火面积约120公顷。", "重大", "forest_fire"),
        ("山火烧了三十来亩林子。", "较大", "forest_fire"),
        ("升学宴110人食物中毒，无死亡病例。", "较大", "food_poisoning"),
        ("食堂120余名学生食物中毒，1名学生死亡。", "重大", "food_poisoning"),
        ("婚宴后四十多人食物中毒。", "一般", "food_poisoning"),
        ("一周内报告霍乱病例31例。", "重大", "public_health"),
        ("一名婴儿接种疫苗后第二天死亡。", "重大", "public_health"),
        ("村里出现十几例不明原因的高热病人。", "较大", "public_health"),
        ("一千多名家长聚集在区教育局门口。", "重大", "crowd"),
        ("两村村民发生械斗，已致3人死亡。", "重大", "crowd"),
        ("男子持刀行凶，致3人死亡。", "较大", "social_other"),
        ("化工企业泄漏，周边8000余名群众紧急疏散。", "较大", "production_safety"),
    ],
)
def test_each_kind_by_its_plan(content: str, expected: str, kind: str) -> None:
    result = assess("", content)
    assert (result.level, result.evidence["kind"]) == (expected, kind)


def test_sixty_light_injuries_are_not_major_under_the_regulation() -> None:
    assert level("旅游大巴与货车刮擦，车上60名游客均为轻伤。") == "一般"


# --- evidence a duty officer can read


def test_evidence_names_the_figure_its_clause_the_rule_and_the_article() -> None:
    result = assess("", "今早赶场天，一辆大货车刹车失灵冲进集市，撞死了11个人。")
    assert result.level == "重大"
    (entry,) = [m for m in result.evidence["measures"] if m["level"] == "重大"]
    assert entry["figure"] == "撞死了11个"
    assert "撞死了11个人" in entry["clause"]
    assert "11 ≥ 10" in entry["rule"]
    assert "第三条" in entry["basis"]
    assert "条例" in result.evidence["plan"]
    json.dumps(result.evidence, ensure_ascii=False)


def test_ruled_out_words_say_which_cue() -> None:
    result = assess("", "今天上午开展地震应急疏散演练，1200余名师生安全撤离。")
    assert result.level == "常规"
    assert "演练" in result.evidence["suppressed_by"]["drill"]
