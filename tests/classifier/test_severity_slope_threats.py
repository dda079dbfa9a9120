"""A slope about to come down — cracked, shedding stones, sliding, loose earth above a gully —
is a 险情 of the geological plan, graded by the people to be moved (分级（1）–（3）: 1000, 500,
100), however plainly the moving is told (要搬, 在搬, 搬到安置点). Without people moved or
threatened it is a report of a hazard, not an emergency."""

from __future__ import annotations

import pytest

from tests.localities import sample_assess as assess


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("寨子后头那片山坡裂开了一道大口子，镇里说坡下一百二十多个人这几天都要搬。", "较大"),
        ("水库边的山体这两天在往下滑，下面六百多个村民都要搬，安置点还没定。", "重大"),
        ("村后那匹坡天天掉石头，乡里排查说受威胁的有一千一百多人，已经开始搬了。", "特别重大"),
        ("沟上游堆的松土越来越多，下游两个组三百来个人今天搬到安置点去了。", "较大"),
    ],
)
def test_a_threatening_slope_is_graded_by_the_people_moved(content: str, expected: str) -> None:
    a = assess("", content)
    assert a.level == expected, (content, a.evidence.get("rules"))
    assert a.evidence.get("kind") == "geological"


@pytest.mark.parametrize(
    "content",
    [
        "后山有一条裂缝，麻烦国土局的来看一下。",
        "后山那片坡的土有点松，下雨天走路要小心。",
        "我们家下个月要搬到城里去，山上的老房子空着。",
        "小区围墙开裂了好长一条，物业一直不管。",
    ],
)
def test_a_hazard_with_nobody_moved_is_no_emergency(content: str) -> None:
    assert assess("", content).level == "常规", content
