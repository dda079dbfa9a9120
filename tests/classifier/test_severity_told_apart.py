"""Severity where a post tells its figure apart from what happened: a count in one clause and its
verb in another, people trapped told with 压 / 埋 / 困 around them, and a crowd that blocks a
company's or a factory's gate. Each class has its negative side: an old event, a hypothetical,
a count that is not of people, or people who were fine are never raised to 重大."""

from __future__ import annotations

import pytest

from classifier.severity import RANK
from tests.localities import sample_assess as assess

MAJOR = RANK["重大"]


def level(content: str) -> str:
    return assess("", content).level


def below_major(content: str) -> bool:
    return RANK[level(content)] < MAJOR


# --- 1. the count in one clause, the death, injury or trapped verb in another


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("矿上下井的十二个工人，昨天夜里全没了。", "重大"),
        ("窑厂里当时有十二个人在干活，窑塌了以后全都没了。", "重大"),
        ("化工厂爆炸，在车间里的十来个工人，当场就都没了。", "重大"),
        ("那趟客车上三十多名乘客，坠崖后无一生还。", "特别重大"),
        ("锅炉房炸了，当班的十一个工人，一个都没救回来。", "重大"),
        ("伤的有六十多个，救护车来回拉了好几趟。", "重大"),
        ("伤了的有五十几个，都拉到县医院去了。", "重大"),
        ("死的有十来个，伤的更多，医院走廊都躺满了。", "重大"),
        ("烧死的人，到现在已经数到十二个了。", "重大"),
        ("桥垮的时候死了人，据说十二个。", "重大"),
        ("车上的二十几个人，最后活下来的只有三个。", "重大"),
        ("客车翻进河里，车上三十二个人，最后只活下来一个。", "特别重大"),
        ("塌下来的时候里面有十几个人在吃饭，到现在还没挖出来。", "重大"),
        ("矿井透水，下面有十五个矿工，到现在一个也没救出来。", "重大"),
    ],
)
def test_a_count_told_apart_from_its_verb(content: str, expected: str) -> None:
    assert level(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        "车上二十多个人都没事，就是车翻到沟里了。",
        "六年前那场矿难，下井的十二个工人全没了。",
        "要是车上三十多个人翻下去，怕是一个都活不下来。",
        "停车场里二十多辆车，一把火全烧没了。",
        "车上二十多个人，翻下去以后都爬出来了，没一个受伤。",
        "船上十五个人，船翻了以后全部救上来了。",
        "伤的有三十几个，都是皮外伤，包扎一下就回去了。",
        "假如楼塌了，里面十几个人，到现在还没挖出来怎么办。",
    ],
)
def test_a_count_told_apart_is_not_raised_when_it_does_not_stand(content: str) -> None:
    assert below_major(content)


@pytest.mark.parametrize(
    "content",
    [
        "十几个工人的工资都没了，老板跑了。",  # the count owns what is gone
        "矿上十几个工人，昨天都回家了。",
        "我们村二十多个人，到现在还没拿到补偿款。",  # the verb has an object of its own
        "十几个工人，工资还没找到。",  # the clause has a subject of its own
        "一共有十来个人，后来都走了。",  # gone together, in no incident
        "车上拉了二十多只羊，翻下去以后一只都没活下来。",
        "养的三十多头猪，昨晚全没了。",
        "这么多年能活下来的企业只有三个。",  # survivors alone tell no incident
        "活下来的只有我们三个，其他人都搬走了。",
    ],
)
def test_no_people_harmed_is_no_incident(content: str) -> None:
    assert level(content) == "常规"


# --- 2. trapped or buried: 压 / 埋 / 困 around the people


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("楼塌了，压了十多个人在下面。", "重大"),
        ("煤矿冒顶，井下压了十几个矿工。", "重大"),
        ("底下还压着人，起码十来个。", "重大"),
        ("宿舍楼一下子垮了，人都压在底下，少说也有三十个。", "特别重大"),
        ("楼板塌下来，压着的人起码有十几个。", "重大"),
        ("脚手架倒了，压在底下的工人有十一个。", "重大"),
        ("商场顶棚塌了，砸下来压住了十多个顾客。", "重大"),
        ("土方塌下来，埋进去十几个人。", "重大"),
        ("塌方埋了人，起码十一二个。", "重大"),
        ("山体垮下来把几间房子埋了，底下还埋着人，少说十个。", "重大"),
        ("工棚被泥石流冲了，里面睡着的十来个工人，现在还埋着。", "重大"),
        ("煤矿透水，困在巷道里的还有十三个。", "重大"),
        ("隧道塌了，困在里头的有二十来个工人。", "重大"),
        ("房子垮了，埋了一家老小七八口人在里面。", "较大"),
    ],
)
def test_people_pressed_buried_or_trapped(content: str, expected: str) -> None:
    assert level(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        "车顶被树压了，好在车里的人都出来了。",
        "十几个人被困在电梯里半个小时，后来都救出来了。",
        "2008年那次地震，这栋楼里埋了几十个人。",
        "塌下来的土埋了十几辆车。",
        "要是这面墙塌了，起码得压十几个人在下面。",
        "那次矿难井下十二个人，到现在还没挖出来，已经过去十年了。",
    ],
)
def test_pressed_or_buried_not_raised_when_it_does_not_stand(content: str) -> None:
    assert below_major(content)


@pytest.mark.parametrize(
    "content",
    [
        "老板压了三百多个工人的工资，到现在还没发。",  # 压工资 withholds wages
        "厂里压着两百多个农民工的血汗钱不给。",
        "仓库里压了十几吨货，一直卖不出去。",
        "仓库压着十几个集装箱的货。",
        "困了十几个小时，终于等到救援队，大家都没事。",
        "领导压着十几份材料不批。",
    ],
)
def test_pressed_things_or_wages_are_no_trapped_people(content: str) -> None:
    assert level(content) == "常规"


# --- 3. a crowd that blocks a company's or a factory's gate: the 一般 / 较大 raise applies


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("一百多个工人堵在公司大门口要工钱，老板躲着不见。", "重大"),
        ("两百多名职工围着厂区大门，不让拉货的车出去。", "重大"),
        ("两百多个农民工把项目部的大门堵住了，要工钱。", "重大"),
        ("四五百号员工在厂区门口拉横幅，把大门封了，货车进不去也出不来。", "重大"),
        ("一百多个工人围住老板的车讨工钱，堵在工厂门口不让走。", "重大"),
        ("楼盘一百五十多个业主堵在售楼部门口讨说法。", "重大"),
        ("三百来个货车司机把物流园大门围了，讨运费。", "重大"),
        ("服装厂两百多名女工堵着厂门，不让老板把设备运走。", "重大"),
        ("三百多个矿工围在煤矿大门口，要求补发工资，不让车进出。", "重大"),
        ("一百二十多名员工拦在厂门口，不让老板的车离开，讨要欠薪。", "重大"),
        ("上百号人围堵公司大门讨要货款。", "重大"),
        ("几十个工人堵在工地门口讨工钱。", "较大"),
        # the raise lifts 一般 / 较大 only: 1000 people are 重大 by their count, and stay so
        ("上千名工人把厂大门堵了，讨要拖欠的工资。", "重大"),
    ],
)
def test_a_crowd_blocking_a_company_gate_is_raised(content: str, expected: str) -> None:
    assert level(content) == expected


def test_a_gate_blockade_carries_its_raise_in_the_evidence() -> None:
    a = assess("", "一百多个工人堵在公司大门口要工钱，老板躲着不见。")
    assert a.evidence["base_level"] == "重大"
    assert any(r.startswith("blockade:") for r in a.evidence["raised_by"])


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("上百名工人在公司大门口排队领工资。", "常规"),
        ("三百多名工人下班从厂门口出来，人挤人。", "常规"),
        ("厂门口堵了二十多辆货车，等着装货。", "常规"),
        ("厂门口围着几十个人看热闹。", "常规"),
        ("一百多个家长堵在学校门口接孩子，车都开不出来。", "常规"),  # no grievance
        ("一百多名员工在公司门口静坐讨薪，秩序良好，没有堵门。", "较大"),  # at the gate, not in it
        ("上百人聚集在公司门口讨薪。", "较大"),
        ("二十多个工人在厂门口讨薪，公司答应月底发。", "一般"),
    ],
)
def test_a_crowd_at_a_gate_without_blocking_it_is_not_raised(content: str, expected: str) -> None:
    assert level(content) == expected


@pytest.mark.parametrize(
    "content",
    [
        "去年三百多人围着厂门讨薪的事，到现在还没解决。",
        "如果再不发工资，我们一百多个工人就去堵公司大门。",
    ],
)
def test_a_gate_blockade_past_or_threatened_is_not_raised(content: str) -> None:
    assert below_major(content)
