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
        ("一个头被打破，伤者送鸭池镇卫生院缝针", "鸭池镇卫生院", DEPARTMENT_PLACE, TAKEN_TO),
        ("伤员送往区人民医院", "医院", TERM, TAKEN_TO),  # the hospital's name in between
        ("撒拉溪镇卫生院收治了三十多个病人", "撒拉溪镇卫生院", LOCAL, TAKEN_TO),
        ("我家在田坎乡，在城里打工", "田坎乡", LOCAL, HOME),
        ("今天去市西派出所办身份证", "市西派出所", LOCAL, VISITED),
        ("我在鸭池镇政府反映过梨树镇的事", "鸭池镇政府", LOCAL, VISITED),
        ("本人在七星关区人民医院上班，住", "七星关区人民医院", DEPARTMENT_PLACE, HOME),
        ("从城区去田坎乡的公路太烂", "田坎乡", LOCAL, ENDPOINT),
        ("碧阳大道上跑去德溪新区的渣土车", "德溪新区", LOCAL, ENDPOINT),
        ("增开到德溪新区的公交", "德溪新区", LOCAL, ENDPOINT),
        ("到碧阳社区的路灯坏了", "碧阳社区", LOCAL, MATTER),  # a lamp, not a road to it
        ("把户口从鸭池镇迁过来", "鸭池镇", LOCAL, ORIGIN),
        ("区教育局的人说这不归他们管", "区教育局", DEPARTMENT_NAME, QUOTED),
        ("住建局回复说这个归环保局管", "住建局", DEPARTMENT_NAME, QUOTED),
        ("这个归环保局管", "环保局", DEPARTMENT_NAME, QUOTED),
        ("区住建局说好的补偿没有兑现", "区住建局", DEPARTMENT_NAME, MATTER),
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
    r = _route(d, "楼下油烟", "我家住在双井社区，楼下邻居天天熏腊肉油烟太大。")
    assert r.lead == "hongshan"


def test_rumours_are_handed_to_police_and_cyberspace(d: Directory) -> None:
    r = _route(d, "有人造谣麻园街道要拆迁", "有人在抖音造谣说麻园街道下个月要整体拆迁。")
    assert {"gaj", "wxb"} <= set(r.co_units)
    assert any("(七)3" in x for x in r.reasons)
    # a rumour nobody else answers for is led by the 网信办
    r = _route(d, "虚假信息称全区放假", "有人在网上散布虚假信息说明天全区放假三天。")
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


def test_a_town_is_found_by_its_bare_name(d: Directory) -> None:
    r = _route(d, "好几个镇低保评定不公", "撒拉溪、梨树、鸭池几个地方都有村干部亲戚吃低保。")
    assert r.lead == "mzj"
    assert set(r.co_units) == {"salaxi", "lishu", "yachi"}


def test_a_post_asking_whether_a_rumour_is_true_reaches_police_and_cyberspace(
    d: Directory,
) -> None:
    r = _route(d, "群里都在传长春堡要修机场", "群里都在传长春堡镇要修机场，真的假的？")
    assert r.lead == "changchunpu"
    assert {"gaj", "wxb"} <= set(r.co_units)


def test_poisoning_is_led_by_health_from_grade_jiaoda_and_by_the_regulator_below(
    d: Directory,
) -> None:
    title, content = "酒席后多人上吐下泻", "三道水村一户人家办酒席，六十多人吃完上吐下泻。"
    big = _route(d, title, content, "较大")
    assert big.lead == "wsj"
    assert {"scjgj", "changchunpu"} <= set(big.co_units)
    small = _route(d, title, content, "一般")
    assert small.lead == "scjgj"
    assert "wsj" in small.co_units
    # vomiting with nothing eaten is no poisoning
    r = _route(d, "学校出现诺如病毒", "好几所学校出现诺如病毒，学生呕吐发烧。", "一般")
    assert (r.lead, "scjgj" in r.co_units) == ("wsj", False)


def test_a_crowd_graded_jiaoda_is_led_by_the_police(d: Directory) -> None:
    content = "七十多名业主在德溪新区售楼部门口拉横幅，要求开发商退房。"
    r = _route(d, "业主拉横幅维权", content, "较大")
    assert r.lead == "gaj"
    assert {"zjj", "dexi"} <= set(r.co_units)
    # the same words on a routine post are no 群体性事件
    assert _route(d, "业主拉横幅维权", content).lead != "gaj"


def test_a_departments_own_hospital_or_station_leaves_the_town_out(d: Directory) -> None:
    r = _route(d, "鸭池镇卫生院医生收红包", "鸭池镇卫生院有医生做手术前收红包。")
    assert (r.lead, r.co_units) == ("wsj", ())
    assert any("下属机构" in x for x in r.reasons)
    # a school's town shares its duty and assists
    r = _route(d, "鸭池中学乱收资料费", "鸭池中学每个学生收两百元资料费。")
    assert (r.lead, r.co_units) == ("jyj", ("yachi",))
    # an incident at the hospital brings the town in
    r = _route(d, "鸭池镇卫生院门口有人打架", "鸭池镇卫生院门口两伙人打架。", "一般")
    assert "yachi" in r.co_units


def test_kinds_that_tell_another_department(d: Directory) -> None:
    r = _route(d, "工地老板欠工资", "在碧阳社区一个工地干了半年，老板欠工资不给。")
    assert {"rsj", "zjj"} <= {r.lead, *r.co_units}  # 工程建设领域欠薪
    r = _route(d, "安置房墙体开裂", "德溪社区的安置房才住一年，客厅墙体开裂。")
    assert "zjj" in {r.lead, *r.co_units}  # 房屋质量
    r = _route(d, "工人手被机器绞伤", "朱昌工业园一个厂的工人手被机器绞伤，厂里没有安全防护。")
    assert {"yjj", "rsj"} <= set(r.co_units)  # 生产安全事故


def test_accidents_and_disasters_that_happened_are_led_by_emergency_at_every_grade(
    d: Directory,
) -> None:
    r = _route(d, "桂花路餐馆起火", "桂花路一家餐馆后厨起火，一人烧伤。", "一般")
    assert (r.lead, r.co_units) == ("yjj", ("mayuan", "xfdd"))  # 消防 puts it out
    assert any("事故灾害" in x for x in r.reasons)
    r = _route(d, "朱昌镇刚才地震了", "朱昌镇这边房子晃了几下，是不是地震了？")
    assert (r.lead, r.co_units) == ("yjj", ("zhuchang",))
    # a hazard reported before anything happened is no accident: two matters of the fire
    # rescue team's 派单目录 make it the team's, one leaves it with the 属地
    r = _route(d, "楼道充电火灾隐患", "碧阳社区楼道里给电瓶车充电，火灾隐患很大。")
    assert (r.lead, r.co_units) == ("xfdd", ("biyang",))
    r = _route(d, "楼道堆满杂物", "碧阳社区好几栋楼的楼道堆满杂物，存在火灾隐患。")
    assert (r.lead, r.co_units) == ("biyang", ("xfdd",))
    r = _route(d, "无证幼儿园", "双井社区有家无证幼儿园开在二楼，万一起火怎么跑？")
    assert r.lead == "jyj"  # an unlicensed business: its regulator, no fire


def test_a_unit_that_sends_the_matter_elsewhere_is_no_party(d: Directory) -> None:
    r = _route(
        d,
        "环保局说归城管管",
        "海子街集市门口的摊贩占道，打电话给区环保局，环保局的人说这个归城管管。",
    )
    assert (r.lead, r.co_units) == ("cgdd", ("haizijie",))
    # named in the title as a party to the shirking, it stays one
    r = _route(
        d,
        "区住建局和区城管局互相推诿违建",
        "洪山路顶楼业主私自加盖，住建局说归城管管，城管说要住建局先认定。",
    )
    assert "zjj" in {r.lead, *r.co_units}


def test_violence_at_a_hospital_is_the_polices_but_a_schools_pupils_are_the_schools(
    d: Directory,
) -> None:
    r = _route(d, "醉汉打护士", "鸭池镇卫生院有个病人把值班护士打得满脸是血。", "一般")
    assert r.lead == "gaj"
    assert {"wsj", "yachi"} <= set(r.co_units)
    r = _route(d, "学生在校内被打伤", "我孩子在鸭池中学被几个同学围着打伤了。")
    assert r.lead == "jyj"


def test_businesses_their_regulator_answers_for(d: Directory) -> None:
    r = _route(d, "朱昌村养鸡场", "朱昌村有个养鸡场鸡粪乱堆，粪水流进田里。")
    assert (r.lead, r.co_units) == ("hbj", ("zhuchang",))
    r = _route(d, "海子街集市黑车", "海子街集市每天都有黑车拉客，不打表乱要价。")
    assert (r.lead, r.co_units) == ("jtj", ("haizijie",))
    r = _route(d, "麻园路有人搞传销", "麻园路有栋楼里一群年轻人天天被带去上课，就是传销。")
    assert r.lead == "gaj"
    assert "scjgj" in r.co_units


def test_a_kind_rule_may_require_a_second_word() -> None:
    rule = KindRule("食物中毒", ("呕吐",), "m", True, (), "basis", requires=("吃", "饭"))
    assert rule.found_in("吃完午饭后呕吐", "一般") == "呕吐"
    assert rule.found_in("发烧呕吐", "一般") is None


def test_synonyms_of_one_entry_count_once(d: Directory) -> None:
    # 自来水 and 吃水 name one matter: the town still leads its own village's water
    r = _route(d, "梨树村吃水难", "梨树村好几个组没通自来水，吃水要到山下去挑。")
    assert (r.lead, r.co_units) == ("lishu", ("swj",))
    # 垃圾桶 and 环卫 tell the 城管 (环卫) without making the matter the 城管's
    r = _route(d, "市西社区垃圾桶满了", "市西社区几个垃圾桶堆满了，环卫好几天没来。")
    assert (r.lead, r.co_units) == ("shixi", ("cgdd",))
    assert d.same_term("cgdd", "环卫") == d.same_term("cgdd", "垃圾桶")


def test_a_rumour_about_no_units_matter_goes_to_the_network_office(d: Directory) -> None:
    r = route(d, title="群里说七星关要改名是真的吗", content="群里说七星关区明年要改名，是真的吗？",
              topic="城乡建设", severity="常规")
    assert (r.lead, set(r.co_units)) == ("wxb", {"gaj"})
    # a matter the power company answers for is its own to refute
    r = route(d, title="群里说要全城停电是真的吗", content="群里说后天全城停电一天，是真的吗？",
              topic="城乡建设", severity="常规")
    assert (r.lead, set(r.co_units)) == ("gdj", {"gaj", "wxb"})


def test_building_without_a_permit_in_a_street_or_in_a_village(d: Directory) -> None:
    # 《城乡规划法》第六十四条 in a city 街道, 第六十五条 in a village
    r = _route(d, "麻园社区有人在楼顶搭违建", "麻园社区有户人家在楼顶搭了一层违建。")
    assert (r.lead, r.co_units) == ("cgdd", ("mayuan",))
    r = _route(d, "高原村有人违建", "高原村有户人家没审批就违建了三层楼。")
    assert (r.lead, r.co_units) == ("lishu", ("cgdd",))


@pytest.mark.parametrize(
    ("text", "term", "of", "expected"),
    [
        ("我是梨树镇的，在城里", "梨树镇", LOCAL, HOME),
        ("在三板桥社区打了辆出租车", "三板桥社区", LOCAL, ENDPOINT),
        ("坐出租车到麻园社区，司机", "麻园社区", LOCAL, ENDPOINT),
        ("我去区人社局问过，说不归", "区人社局", DEPARTMENT_NAME, QUOTED),
    ],
)
def test_roles_of_the_fourth_round(text: str, term: str, of: str, expected: str) -> None:
    assert role(text, text.index(term), term, of) == expected


def test_a_schools_gate_tells_education_a_landmark_school_does_not(d: Directory) -> None:
    r = _route(d, "田坎小学门口车开得太快", "田坎小学门口的路上车开得飞快，建议交警来管一下。")
    assert "jyj" in r.co_units
    r = _route(d, "鸭池村养猪场臭", "离鸭池中学不到三百米的养猪场臭得要命，粪水乱排。")
    assert "jyj" not in {r.lead, *r.co_units}


def test_kinds_of_the_fourth_round(d: Directory) -> None:
    r = _route(d, "燕子口镇大雨转移群众", "燕子口镇下了一夜大雨，大河村转移群众三百多人。", "较大")
    assert r.lead == "yjj"
    assert {"yanzikou", "swj"} <= set(r.co_units)
    r = _route(d, "碧阳大道工地灰尘大", "碧阳大道有个工地从早到晚灰尘大，也不洒水。")
    assert (r.lead, set(r.co_units)) == ("hbj", {"biyang", "zjj"})
    r = _route(d, "洪山社区有人养狗不拴绳", "洪山社区有户人家养狗从来不拴绳，狗主人还骂人。")
    assert r.lead == "gaj"
