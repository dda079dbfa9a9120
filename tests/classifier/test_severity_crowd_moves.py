"""A crowd told by where it went or sat rather than by the word 聚集: people flocking to a
square, sitting down on a road or in a government's courtyard, standing at a department's gate,
onlookers who turn on the officers; and a crowd that wants 说法. Without a grievance or a
blockade such a crowd is no incident: a queue, a show, a market day."""

from __future__ import annotations

import pytest

from classifier.severity import RANK
from tests.localities import sample_assess as assess


def level(content: str) -> str:
    return assess("", content).level


@pytest.mark.parametrize(
    ("content", "at_least"),
    [
        ("为了征收补偿，今天一千二百多个村民涌到区政府广场，一直在喊口号。", "重大"),
        ("两千来个被骗的投资人今天涌进镇里的安置点讨要本金。", "重大"),
        ("因为拆迁款没到位，五百多个村民坐在国道上，车子过不去。", "较大"),
        ("一百多个工人为了讨薪，今天上午坐到区政府院坝里。", "较大"),
        ("一千三百多个家长为了划片的事，在区教育局门口等结果。", "重大"),
        ("交警处理的时候，围观的两百多个人和执法人员起了冲突。", "较大"),
        ("小区交不了房，今天四百多个业主聚在开发商门口要说法。", "较大"),
    ],
)
def test_a_crowd_told_by_where_it_went_is_graded(content: str, at_least: str) -> None:
    assert RANK[level(content)] >= RANK[at_least], content


@pytest.mark.parametrize(
    "content",
    [
        "周末的灯光秀，五千多个市民涌到广场上看，场面很热闹。",
        "办证大厅今天人多，三百多个人坐在大厅里排号。",
        "赶场天，几千个人涌进老街买东西，停车都难。",
        "街上有人表演魔术，围观的一百多个人把路口都挤满了。",
    ],
)
def test_a_crowd_without_a_grievance_is_no_incident(content: str) -> None:
    assert level(content) == "常规", content
