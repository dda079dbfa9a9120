"""The suspected-false-information (不实信息) flag."""

from __future__ import annotations

import json

import pytest

from classifier.rumour import THRESHOLD, assess_rumour


@pytest.mark.parametrize(
    ("title", "content"),
    [
        (
            "七星关区强烈地震",
            "刚刚七星关区发生6.1级地震，听说城区已经有五十多人遇难了，房子倒了好多。",
        ),
        ("", "紧急扩散！据说碧阳湖大坝出现裂缝马上要垮了，下游几万人有危险，赶紧转发让家人撤离！"),
        ("", "网传朱昌镇一小学发生投毒事件，十几个孩子送医，有人知道真假吗？"),
        ("", "朋友圈疯传明天全城停水三天，不知道是不是真的。"),
        ("", "网传朱昌工业园化工厂爆炸死了上百人，政府封锁消息，赶紧转发！"),
        ("", "震惊！听说鸭池中学有学生中毒死了好几个，学校还在捂着，不转不是中国人！"),
    ],
)
def test_rumour_marks_are_flagged(title: str, content: str) -> None:
    flag = assess_rumour(title, content)
    assert flag.suspected
    assert flag.score >= THRESHOLD
    assert flag.evidence["cues"]
    json.dumps(flag.evidence, ensure_ascii=False)


@pytest.mark.parametrize(
    "content",
    [
        # one hearsay word is a citizen's worry, not a rumour
        "听说要在梨树镇建垃圾焚烧厂，村民都很担心，希望公开环评。",
        # an official report
        "据区应急局通报：今天凌晨长春堡煤矿井下发生瓦斯爆炸，已造成32人死亡。",
        # the debunk notice itself
        "区公安分局辟谣：网传七星关区发生绑架儿童事件系谣言，造谣者已被依法处理。",
        "松山社区垃圾堆了一个星期没人清运，臭气熏天。",
        "",
    ],
)
def test_ordinary_and_official_posts_are_not_flagged(content: str) -> None:
    assert not assess_rumour("", content).suspected


def test_evidence_names_the_cues_and_the_unverified_figure() -> None:
    flag = assess_rumour("", "听说城区已经有五十多人遇难了")
    assert flag.evidence["cues"]["hearsay"] == ["听说"]
    assert flag.evidence["cues"]["unverified_figure"] == ["五十多人遇难"]


def test_debunk_notice_is_explained() -> None:
    flag = assess_rumour("辟谣", "网传撒拉溪水库溃坝的消息系谣言，请大家不信谣不传谣。")
    assert not flag.suspected
    assert "debunk_notice" in flag.evidence["cues"]
    assert "note" in flag.evidence
