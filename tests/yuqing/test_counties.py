"""The same scenarios under both sample configurations: a post is graded and routed by the
county it is about, and is remote — 常规, no 属地 unit — for the other county."""

from __future__ import annotations

import csv
from functools import lru_cache
from pathlib import Path

import pytest

from classifier.labelling import PostInput
from domain.settings import load_settings
from tests.localities import JIANNING, QIXINGGUAN, locality_of
from yuqing.pipeline import Models, PostAnalysis, analyze_posts

ROOT = Path(__file__).resolve().parent.parent.parent
CONFIGS = {"七星关区": QIXINGGUAN, "建宁县": JIANNING}

# (county it happens in, title, content, the 属地 unit that answers, the lowest grade expected).
# For the other county a post is remote because it names a division elsewhere (the county, or a
# city where the victims worked), as posts about another county do; a township alone is not
# enough (see test_an_unlisted_township_is_not_taken_for_elsewhere).
SCENARIOS = [
    (
        "七星关区",
        "海子街镇一客车侧翻坠入河道，已造成11人死亡",
        "今天上午七星关区海子街镇新开田村附近一辆客车侧翻坠入河道，已造成11人死亡、23人受伤。",
        "haizijie",
        "重大",
    ),
    (
        "七星关区",
        "",
        "在合肥打工的鸭池镇村民回乡途中，车辆在鸭池村附近侧翻，造成3人死亡。",
        "yachi",
        "较大",
    ),
    (
        "建宁县",
        "均口镇一客车侧翻坠入河道，已造成11人死亡",
        "今天上午建宁县均口镇修竹村附近一辆客车侧翻坠入河道，已造成11人死亡、23人受伤。",
        "junkou",
        "重大",
    ),
    (
        "建宁县",
        "",
        "在福州打工的溪源乡村民回乡途中，车辆在蒋坊村附近侧翻，造成3人死亡。",
        "xiyuan",
        "较大",
    ),
    (
        "建宁县",
        "黄埠乡一养殖场发生火灾",
        "今天凌晨建宁县黄埠乡黄埠村一养殖场起火，已造成4人死亡。",
        "huangbu",
        "较大",
    ),
]
RANK = {"常规": 0, "一般": 1, "较大": 2, "重大": 3, "特别重大": 4}


@lru_cache(maxsize=2)
def models(county: str) -> Models:
    settings = load_settings(CONFIGS[county], environ={"YUQING_VAR_DIR": "/nonexistent"})
    return Models.from_settings(settings)


def analyse(county: str, title: str, content: str) -> PostAnalysis:
    return analyze_posts([PostInput(title, content)], models(county))[0]


@pytest.mark.parametrize("county", list(CONFIGS))
@pytest.mark.parametrize(("where", "title", "content", "unit", "level"), SCENARIOS)
def test_a_post_is_graded_and_routed_by_its_own_county(
    county: str, where: str, title: str, content: str, unit: str, level: str
) -> None:
    found = analyse(county, title, content)
    routed = {found.routing.lead, *found.routing.co_units}
    if county == where:
        assert RANK[found.labels.severity.level] >= RANK[level], found.labels.severity
        assert unit in routed, found.routing
    else:
        assert found.labels.severity.level == "常规", found.labels.severity.evidence
        assert found.labels.severity.evidence["suppressed_by"].keys() == {"remote"}
        jurisdiction = load_settings(CONFIGS[county], environ={}).jurisdiction
        towns = {u.id for u in jurisdiction.units if u.kind.is_place}
        assert not routed & towns, found.routing
        assert found.labels.places == ()


@pytest.mark.parametrize("county", list(CONFIGS))
def test_an_unlisted_township_is_not_taken_for_elsewhere(county: str) -> None:
    """The division data names no townships: a township the configuration does not list may
    be one of the jurisdiction's own that nobody entered, and a major there must not be
    dropped as news from elsewhere."""
    found = analyse(county, "", "今天上午石门坎镇一辆客车侧翻坠入河道，已造成11人死亡。")
    assert found.labels.severity.level == "重大", found.labels.severity.evidence


def remote_posts() -> list[dict[str, str]]:
    with (ROOT / "tests" / "data" / "remote_posts.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


@pytest.mark.parametrize("config", [QIXINGGUAN, JIANNING], ids=["七星关区", "建宁县"])
def test_no_false_local_emergency_on_other_counties(config: Path) -> None:
    """Posts naming other provinces, prefectures and counties — the neighbours of both sample
    counties among them — the ways people write them."""
    from classifier.severity import assess

    rows = remote_posts()
    assert len(rows) >= 60
    locality = locality_of(config)
    graded = [
        (r["id"], a.level)
        for r in rows
        if (a := assess(r["title"], r["content"], locality=locality)).level != "常规"
    ]
    assert graded == []
