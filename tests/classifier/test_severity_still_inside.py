"""People still down a pit or under a fallen building, told without a verb beside their count,
and deaths told as "the fallen … numbered N": each class tested in words of its own, with the
readings that must stay routine or unhurt."""

from __future__ import annotations

import pytest

from classifier.figures import extract_figures
from classifier.severity import assess


def level(content: str) -> str:
    return assess("", content).level


def kinds(content: str) -> set[str]:
    return {f.kind for f in extract_figures(content) if not f.negated and not f.rescued}


# ------------------------------------------------- the rest of a count still down, owned by 剩下
STILL_DOWN = [
    ("矿上透水了，下去四十多个，出来了十来个，剩下三十几个工友还在井下", "特别重大"),
    ("井下冒顶，上来了五个，剩下十二个矿工还在下面，家属都在井口哭", "重大"),
    ("透水以后跑上来的只有七八个，其余二十几个兄弟仍在井下，救援队正在抽水", "重大"),
    ("煤矿瓦斯爆炸，救出来六个人，还有十一个工人还在下面！", "重大"),
    ("隧道塌方，跑出来的有二十个，剩下的八个工人还在里面，求救援", "较大"),
    ("矿井冒顶了，上来的不到十个，剩下三十多个弟兄都还在底下", "特别重大"),
    ("今早透水，升井的才五六个，剩下二十几个师傅还在井下没消息", "重大"),
]
# people where they belong, no incident: working, waiting, eating
NOT_STILL_DOWN = [
    "今天下井的一共五十多个，上来了二十个吃饭，剩下三十几个兄弟还在下面干活",
    "剩下三十几个工友还在井下作业，要到晚上十点才换班",
    "食堂还有三十几个工人在里面吃饭，我们先走了",
    "培训分两批，第一批上来了，剩下二十几个师傅还在下面听课，请领导安排车辆",
    "班车只坐得下二十个，剩下十几个兄弟还在下面等下一趟",
]


@pytest.mark.parametrize(("content", "want"), STILL_DOWN)
def test_the_rest_still_down_are_trapped(content: str, want: str) -> None:
    assert level(content) == want


@pytest.mark.parametrize("content", NOT_STILL_DOWN)
def test_people_at_work_below_are_no_trapped(content: str) -> None:
    assert "trapped" not in kinds(content)
    assert level(content) in ("常规", "一般")


# ------------------------- a count in a building or vehicle, still buried a few clauses later
STILL_BURIED = [
    (
        "那栋老楼下午塌了，听邻居说里面住了四十几个人，多数是老人，到现在还压在里面，挖掘机在挖",
        "特别重大",
    ),
    ("厂房倒了，车间里有二十多个工人，好多是外地的，现在还埋在里面", "重大"),
    ("山体滑坡把工棚冲垮了，工棚里住了十几个工人，都是四川来的，现在还埋在下面", "重大"),
    ("宿舍楼倒了，楼里住了五十多个学生，大部分都在睡午觉，到现在还困在里面", "特别重大"),
    ("客车被落石砸中，车上坐了三十多个人，很多是回家过年的，现在还压在里面", "特别重大"),
    ("自建房垮了，房东说楼上租了十几户，大概三十几个人，现在还压在里面，消防正在挖", "特别重大"),
]
# the people before are safe, or the later clause is about things, not them
NOT_STILL_BURIED = [
    "客车翻到沟里了，车上二十多个人都没事，现在车还压在里面",
    "仓库塌了，里面有三十几个人，都跑出来了，货还压在里面",
    "楼塌了，里面住了二十几个人，当时都在外面上班，家当还埋在里面",
    "车上二十多个人都没事，行李还压在里面，请派吊车",
    "食堂里有四十多个人在吃饭，大部分是学生，饭卡还压在里面",
    "大巴侧翻了，车上二十多个人都没事，到现在还压在里面的是货",
    "工棚塌了，里面住了十几个工人，当时都在外面干活，现在还埋在下面",
]


@pytest.mark.parametrize(("content", "want"), STILL_BURIED)
def test_the_people_counted_before_still_buried(content: str, want: str) -> None:
    assert level(content) == want


@pytest.mark.parametrize("content", NOT_STILL_BURIED)
def test_safe_people_or_things_buried_are_no_trapped(content: str) -> None:
    assert "trapped" not in kinds(content)
    assert "deaths" not in kinds(content)


# ------------------------------------------- the fallen, named by their roles, then the total
FALLEN_TOTAL = [
    ("通报说牺牲的消防员和民警一共31名，太惨了", "特别重大"),
    ("矿难遇难的矿工和管理人员共33名，省里来人了", "特别重大"),
    ("昨天那起车祸死亡的乘客和司机总共12人", "重大"),
    ("山洪遇难的村民和游客一共有5人", "较大"),
    ("爆炸事故遇难的工人、技术员和保安一共11名", "重大"),
    ("前天火灾死亡的住户一共3人，起火原因还在调查", "较大"),
]
# totals of things, of years past, or of honours: no deaths now
NOT_FALLEN_TOTAL = [
    "牺牲的休息时间一共3个小时，加班费谁出",
    "死亡的猪和牛一共300头，防疫站来看过了",
    "遇难的原因一共有3种说法，请官方澄清",
    "死亡的鸡鸭一共两千多只，养殖户损失惨重",
]


@pytest.mark.parametrize(("content", "want"), FALLEN_TOTAL)
def test_the_fallen_named_then_totalled(content: str, want: str) -> None:
    assert level(content) == want


@pytest.mark.parametrize("content", NOT_FALLEN_TOTAL)
def test_totals_of_no_people_are_no_deaths(content: str) -> None:
    assert "deaths" not in kinds(content)
