"""The fire rescue team, the natural resources, forestry and agriculture departments and the
power company: a post about a matter of each one's remit reaches it, in both sample
jurisdictions, following the README's conventions (one 属地 leads with the department
assisting unless the matter is plainly the department's; a business's regulator leads; a
department the post names leads; who must be told by kind)."""

from __future__ import annotations

from pathlib import Path

import pytest

from domain.settings import Settings, load_settings
from domain.vocabulary import UnitKind
from response_sla.directory import Directory
from response_sla.routing import Routing, route
from tests.localities import JIANNING

NEW_UNITS = ("xfdd", "zrzyj", "lyj", "nyj", "gdj")


@pytest.fixture
def d(settings: Settings) -> Directory:
    return Directory.from_jurisdiction(settings.jurisdiction)


def _route(d: Directory, title: str, content: str, severity: str = "常规") -> Routing:
    return route(d, title=title, content=content, topic=None, severity=severity)


# (title, content, severity, lead, co-units): two to four posts a unit, in wording of their own
CASES = [
    # 消防救援大队: fire-safety hazards (《消防法》第五十三条) and every fire that happened
    ("网吧安全出口被锁", "德溪大道一家网吧把安全出口锁了，灭火器也过期了，里面天天坐满人。",
     "常规", "xfdd", {"dexi"}),
    ("海子街集市一排商铺着火", "今天下午海子街集市一排商铺着火，烧了四五间，好在没人受伤。",
     "一般", "yjj", {"haizijie", "xfdd"}),
    ("楼道堆满杂物", "碧阳社区好几栋楼的楼道堆满杂物，存在火灾隐患。",
     "常规", "biyang", {"xfdd"}),
    # 自然资源局: land and its misuse, 不动产登记, geological hazards, illegal mining
    ("石桥村有人占用耕地建房", "鸭池镇石桥村有人在耕地上建了三层楼，村里说没有审批。",
     "常规", "yachi", {"zrzyj"}),
    ("不动产登记两个月没拿到证",
     "在区自然资源局办不动产登记，材料交了两个月还没拿到证，打电话也没人接。",
     "常规", "zrzyj", set()),
    ("冲锋村后山有滑坡隐患",
     "撒拉溪镇冲锋村后山裂了好几道缝，一下雨就往下掉石头，担心有滑坡隐患，请派人来看看。",
     "常规", "salaxi", {"zrzyj"}),
    ("双堰村后山有人私挖滥采", "朱昌镇双堰村后山有人私挖滥采煤炭，晚上拉煤的车来来往往。",
     "常规", "zhuchang", {"zrzyj"}),
    # 林业局: felling, old trees, wild animals, forest fires
    ("高原村后山有人偷伐松树", "梨树镇高原村后山有人偷伐松树，一车一车往外拉，护林员也不管。",
     "常规", "lyj", {"lishu"}),
    ("洪山国家森林公园有人捕鸟", "洪山国家森林公园里有人张网捕鸟，一张网上挂了几十只。",
     "常规", "hongshan", {"lyj"}),
    ("大坝村后山松林着火", "长春堡镇大坝村后山的松林着火了，已经烧了好几亩。",
     "一般", "yjj", {"changchunpu", "xfdd", "lyj"}),
    # 农业农村局: seeds and farm inputs, animal disease, farm machinery, 宅基地
    ("买到假种子", "在海子街集市的农资店买的玉米种子，种下去一半没出苗，怀疑是假种子。",
     "常规", "nyj", {"haizijie"}),
    ("朱昌村有人乱扔病死猪", "朱昌村有人把病死猪扔进小河沟，一到中午臭得不得了。",
     "常规", "zhuchang", {"nyj"}),
    ("农机购置补贴一年没下来", "去年买了一台旋耕机，农机购置补贴到现在都没下来，到底找谁？",
     "常规", "nyj", set()),
    ("翻建房子宅基地怎么审批", "想在自己家宅基地上翻建房子，要到哪里审批？",
     "常规", "nyj", set()),
    # 供电局: supply, voltage, charges and meters, lines and transformers
    ("茶店村电压低", "田坎乡茶店村一到晚上电压低得电饭锅都煮不熟饭，灯一闪一闪的。",
     "常规", "tiankan", {"gdj"}),
    ("电费突然多了三倍", "这个月电费比平时多了三倍，电表是不是有问题？打供电局电话也不给解释。",
     "常规", "gdj", set()),
    ("麻园社区门口变压器冒火花", "麻园社区门口的变压器整天嗡嗡响，昨晚还冒火花，路过的人都怕。",
     "常规", "mayuan", {"gdj"}),
]


@pytest.mark.parametrize(
    ("title", "content", "severity", "lead", "co"), CASES, ids=[c[0] for c in CASES]
)
def test_a_matter_of_a_new_unit_reaches_it(
    d: Directory, title: str, content: str, severity: str, lead: str, co: set[str]
) -> None:
    r = _route(d, title, content, severity)
    assert (r.lead, set(r.co_units)) == (lead, co), r.reasons


def test_every_new_unit_has_posts_that_reach_it() -> None:
    reached = {u for c in CASES for u in (c[3], *c[4])}
    assert set(NEW_UNITS) <= reached
    for uid in NEW_UNITS:
        assert sum(uid in (c[3], *c[4]) for c in CASES) >= 2, uid


def test_each_kind_rule_quotes_its_basis(d: Directory) -> None:
    r = _route(d, "大坝村后山松林着火", "长春堡镇大坝村后山的松林着火了，已经烧了好几亩。", "一般")
    assert any("《消防法》" in x for x in r.reasons)
    assert any("《森林防火条例》" in x for x in r.reasons)
    r = _route(d, "龙凤村山体滑坡", "撒拉溪镇龙凤村昨晚山体滑坡，冲垮了两间猪圈。", "一般")
    assert r.lead == "yjj" and "zrzyj" in r.co_units
    assert any("《地质灾害防治条例》" in x for x in r.reasons)


def test_a_hazard_is_no_disaster_that_happened(d: Directory) -> None:
    # a slope that may slide is the natural resources department's, not yet 应急's
    r = _route(d, "后山有地灾隐患", "梨树镇高原村后山有地灾隐患，下雨天村民都不敢在家住。")
    assert r.lead == "lishu" and "yjj" not in r.co_units and "zrzyj" in r.co_units


def test_an_epidemic_among_pigs_is_no_human_epidemic(d: Directory) -> None:
    r = _route(d, "海子街村发现猪瘟疫情", "海子街村有几户的猪得了猪瘟疫情，死了好几头。")
    assert r.lead != "wsj" and "wsj" not in r.co_units
    assert "nyj" in {r.lead, *r.co_units}


def test_the_new_units_kinds(settings: Settings) -> None:
    units = {u.id: u for u in settings.jurisdiction.units}
    assert units["xfdd"].kind is UnitKind.VERTICAL
    assert units["gdj"].kind is UnitKind.UTILITY
    assert not any(units[u].kind.is_place for u in NEW_UNITS)


def test_the_second_county_has_them_too(tmp_path: Path) -> None:
    settings = load_settings(JIANNING, environ={"YUQING_VAR_DIR": str(tmp_path / "var")})
    d = Directory.from_jurisdiction(settings.jurisdiction)
    assert {u.id for u in d.units()} >= set(NEW_UNITS)
    r = _route(d, "蒋坊村停电三天了", "溪源乡蒋坊村停电三天了，冰箱里的东西全坏了。")
    assert (r.lead, set(r.co_units)) == ("xiyuan", {"gdj"})
    r = _route(d, "制种款拖了半年", "去年给公司制种的制种款拖了半年还没结，县农业农村局能不能管管？")
    assert r.lead == "nyj"
    r = _route(d, "黄坊村后山着火", "黄坊乡黄坊村后山的树林着火了，烟很大。", "一般")
    assert r.lead == "yjj" and {"huangfang", "xfdd", "lyj"} <= set(r.co_units)
