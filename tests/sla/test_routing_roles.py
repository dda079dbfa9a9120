"""The role of a mention and who must be told by kind, one decision each, on the sample
jurisdiction (its units, places and ``kind_rules``)."""

from __future__ import annotations

import pytest

from domain.settings import Settings
from response_sla.directory import Directory, DirectoryUnit, KindRule
from response_sla.roles import (
    ASKED,
    DEPARTMENT_NAME,
    DEPARTMENT_PLACE,
    ENDPOINT,
    HOME,
    LANDMARK,
    LOCAL,
    MATTER,
    ORIGIN,
    QUOTED,
    TAKEN_TO,
    TERM,
    VISITED,
    role,
)
from response_sla.routing import Routing, route


@pytest.fixture
def d(settings: Settings) -> Directory:
    return Directory.from_jurisdiction(settings.jurisdiction)


def _route(d: Directory, title: str, content: str, severity: str = "常规") -> Routing:
    return route(d, title=title, content=content, topic=None, severity=severity)


@pytest.mark.parametrize(
    ("text", "term", "of", "expected"),
    [
        ("伤者被送往七星关区人民医院抢救", "七星关区人民医院", DEPARTMENT_PLACE, TAKEN_TO),
        ("伤者已被120拉往区人民医院", "区人民医院", DEPARTMENT_PLACE, TAKEN_TO),
        ("被紧急送医至区人民医院", "区人民医院", DEPARTMENT_PLACE, TAKEN_TO),
        ("在区人民医院抢救无效去世", "区人民医院", DEPARTMENT_PLACE, TAKEN_TO),
        ("区人民医院住院部乱收费", "区人民医院", DEPARTMENT_PLACE, MATTER),
        ("本人系麻园社区居民，在", "麻园社区", LOCAL, HOME),
        ("双井社区居民楼下烧烤", "双井社区", LOCAL, MATTER),
        ("麻园街道工作人员态度差", "麻园街道", LOCAL, MATTER),
        ("我家住在麻园社区，楼下", "麻园社区", LOCAL, HOME),
        ("我在朱昌工业园上班", "朱昌工业园", LOCAL, HOME),
        ("我们是来自海子街镇的农民工", "海子街镇", LOCAL, ORIGIN),
        ("从撒拉溪镇搬到柏杨林社区", "撒拉溪镇", LOCAL, ORIGIN),
        ("通往石桥村的路塌了", "石桥村", LOCAL, ENDPOINT),
        ("燕子口镇到城区的班车太少", "燕子口镇", LOCAL, ENDPOINT),
        ("鸭池村到石桥村的路年久失修", "石桥村", LOCAL, MATTER),  # a road between two villages
        ("到洪山派出所报案", "洪山派出所", LOCAL, VISITED),
        ("据区市场监管局公众号说", "区市场监管局", DEPARTMENT_NAME, QUOTED),
        ("区网信办已经辟谣了", "区网信办", DEPARTMENT_NAME, QUOTED),
        ("建议交通部门增设红绿灯", "交通部门", DEPARTMENT_NAME, ASKED),
        ("区住建局一直不回复", "区住建局", DEPARTMENT_NAME, MATTER),
        ("人民医院旁边的工地", "人民医院", DEPARTMENT_PLACE, LANDMARK),
        ("医院旁工地", "医院", TERM, LANDMARK),
        ("三板桥农贸市场有人持刀伤人", "三板桥农贸市场", LOCAL, MATTER),
    ],
)
def test_the_role_of_a_mention(text: str, term: str, of: str, expected: str) -> None:
    assert role(text, text.index(term), term, of) == expected


def test_the_hospital_the_injured_were_taken_to_is_no_party(d: Directory) -> None:
    r = _route(
        d,
        "清毕路货车撞摩托车两人死亡",
        "清毕路路口一辆货车撞上摩托车，两人当场死亡，伤者被送往七星关区人民医院抢救。",
        "一般",
    )
    assert r.lead == "gaj"  # 交通事故: 公安 (交警)
    assert r.co_units == ("shidong",)
    assert "wsj" not in r.co_units
    assert any("送医地点" in x for x in r.reasons)


def test_what_the_post_asks_names_the_competent_department(d: Directory) -> None:
    r = _route(d, "学生过马路很危险", "学生过马路很危险，建议交通部门增设红绿灯。")
    assert r.lead == "jtj"
    assert any("诉求指向" in x for x in r.reasons)


def test_a_river_through_several_streets_goes_to_the_competent_department(d: Directory) -> None:
    r = _route(
        d,
        "倒天河一路生活污水直排",
        "倒天河从市西街道流到观音桥街道再到市东街道，沿河都是生活污水直排。",
    )
    assert r.lead == "hbj"  # 污染 → 环保局, not the river's 水务局
    assert set(r.co_units) == {"shixi", "guanyinqiao", "shidong", "swj"}


def test_the_posters_home_is_not_the_place_of_the_matter(d: Directory) -> None:
    r = _route(d, "农贸市场卖注水肉", "我家住在麻园社区，昨天在三板桥农贸市场买到注水肉。")
    assert r.lead == "sanbanqiao"
    assert "mayuan" not in r.co_units
    # with no other place, home is where the matter is
    r = _route(d, "楼下烧烤油烟", "我家住在双井社区，楼下烧烤店油烟太大。")
    assert r.lead == "hongshan"


def test_rumours_are_handed_to_police_and_cyberspace(d: Directory) -> None:
    r = _route(d, "有人造谣麻园街道要拆迁", "有人在抖音造谣说麻园街道下个月要整体拆迁。")
    assert {"gaj", "wxb"} <= set(r.co_units)
    assert any("(七)3" in x for x in r.reasons)
    # a rumour nobody else answers for is led by the 网信办
    r = _route(d, "虚假信息称全区停电", "有人在网上散布虚假信息说明天全面停电三天。")
    assert (r.lead, r.co_units) == ("wxb", ("gaj",))


def test_violence_brings_in_the_police_at_any_grade(d: Directory) -> None:
    r = _route(d, "农贸市场持刀伤人", "三板桥农贸市场今天上午有人持刀伤人，两人受伤。", "一般")
    assert (r.lead, r.co_units) == ("gaj", ("sanbanqiao",))
    # a department the post names as the one involved still leads; 公安 is told
    r = _route(d, "城管在东升路殴打卖菜老人", "城管队员在东升路殴打一位卖菜的老人。")
    assert r.lead == "cgdd"
    assert "gaj" in r.co_units


def test_food_poisoning_at_a_school(d: Directory) -> None:
    r = _route(
        d, "梨树镇中心小学学生食物中毒", "梨树镇中心小学三十名学生吃了午饭后食物中毒。", "一般"
    )
    assert r.lead == "scjgj"
    assert {"wsj", "jyj", "lishu"} <= set(r.co_units)  # 卫健, 教育 (a school incident), 属地


def test_infectious_disease_is_led_by_health_even_when_education_is_named(d: Directory) -> None:
    r = _route(d, "区教育局隐瞒学校流感", "听说区教育局隐瞒了好几所学校的流感情况。")
    assert r.lead == "wsj"
    assert r.co_units == ("jyj",)


def test_education_is_told_of_school_incidents_but_leads_schooling(d: Directory) -> None:
    r = _route(d, "鸭池中学乱收补课费", "鸭池中学强制学生参加补课，每学期收八百元补课费。")
    assert r.lead == "jyj"
    # a pupil elsewhere is no school incident
    r = _route(d, "电梯困住小学生", "观音桥社区一个小区的电梯坏了，困住了一个小学生，物业半天才来。")
    assert "jyj" not in r.co_units


def test_kind_rules_refer_to_known_units() -> None:
    units = [
        DirectoryUnit("gov", "某区政府办", "政府", None, ("某区政府办",), (), (), ()),
        DirectoryUnit("pro", "某区委宣传部", "党委部门", None, ("某区委宣传部",), (), (), ()),
    ]
    rule = KindRule("不实信息", ("谣言",), None, False, ("police",), "seed 001 (七)3")
    with pytest.raises(ValueError, match="police"):
        Directory(
            units, fallback_unit="gov", government_office="gov", propaganda_unit="pro",
            kind_rules=[rule],
        )
