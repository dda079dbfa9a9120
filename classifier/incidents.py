"""What incident a post tells, as far as grouping follow-ups needs it.

A follow-up of an incident rarely repeats its first report's wording: "海子街镇客车坠河事故最新：
死亡人数升至13人" shares a town and a kind of accident with "海子街镇新开田村附近一辆客车侧翻坠入
河道，已造成3人死亡", little else. ``classifier.events`` joins such a post to the open event when
the two tell the same kind of incident at the same place and the later one reads as an update.
This module holds the words for that:

- **families** of incidents, finer than the four emergency types (a bus crash and a factory fire
  are both 事故灾难, but one cannot be the follow-up of the other);
- **update words** (升至, 上升到, 最新, 续报, 又有 …), and **new-incident words** (又发生一起,
  另一起 …) that say the opposite even when an update word is there too;
- the casualty **figures** of a post, taken from its severity assessment's evidence, so that a
  changed count reads as news about the same incident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from classifier.severity import CASUALTY_KINDS as INCIDENT_KINDS
from classifier.severity import SeverityAssessment

# One family per kind of incident a follow-up can be about. A post may name several (a bus that
# fell into a river is a crash and a drowning): two posts tell the same kind of incident when
# their families meet.
FAMILIES: Final[dict[str, tuple[str, ...]]] = {
    "交通": (
        "车祸", "相撞", "追尾", "侧翻", "翻车", "撞死", "撞伤", "撞倒", "坠河", "坠崖", "冲出护栏",
        "刹车失灵", "客车", "大巴", "中巴", "货车", "公交车", "面包车", "校车", "渣土车", "罐车",
        "轿车", "摩托车", "三轮车", "交通事故", "车辆",
    ),
    "火灾": ("火灾", "起火", "失火", "大火", "着火", "火情", "烧毁", "浓烟", "明火", "烧死", "烧伤"),
    "爆炸": ("爆炸", "燃爆", "闪爆", "爆燃", "炸死", "炸伤"),
    "坍塌": ("坍塌", "垮塌", "倒塌", "塌方", "塌陷", "垮了", "塌了"),
    "地质灾害": ("山体滑坡", "滑坡", "泥石流", "落石", "崩塌", "山垮", "危岩"),
    "洪涝": ("洪水", "洪涝", "洪灾", "山洪", "被淹", "淹没", "冲毁", "冲垮", "内涝", "溃坝", "决堤"),
    "矿山": ("透水", "冒顶", "瓦斯", "矿难", "煤矿", "矿井", "井下", "矿工"),
    "溺水": ("溺水", "溺亡", "落水"),
    "中毒": ("中毒", "毒蘑菇", "腹泻", "呕吐", "上吐下泻"),
    "泄漏": ("泄漏", "泄露", "氯气", "液氨", "毒气"),
    "疫情": ("疫情", "感染", "病例", "确诊", "传染"),
    "聚集": ("聚集", "堵路", "围堵", "拉横幅", "群体"),
    "暴力": ("持刀", "砍人", "行凶", "砍伤", "捅伤", "伤人"),
    "地震": ("地震", "余震", "震感", "震中"),
    "山火": ("森林火灾", "山火", "林火"),
    "触电": ("触电",),
    "坠落": ("坠楼", "高空坠落", "坠落", "高空坠物"),
    "踩踏": ("踩踏",),
}
_FAMILY_OF: Final = {w: f for f, words in FAMILIES.items() for w in words}
_FAMILY_RE: Final = re.compile("|".join(sorted(map(re.escape, _FAMILY_OF), key=len, reverse=True)))

# "死亡人数升至13人", "最新进展", "续报", "又有2人在医院去世", "仍有3人失联"
UPDATE_RE: Final = re.compile(
    r"升至|上升到|上升至|增至|增加到|增加至|已增加|已上升|攀升|最新|续报|续[:：]|【续】|（续）|\(续\)"
    r"|(?:后续|跟进|追踪|更新|进展)(?:[:：]|报道|来了)|有新进展|又有|又发现|又找到|又救出|仍有"
    r"|仍在搜救|搜救仍在|已全部救出|遇难者身份"
)
# "又发生一起", "另一起", "又有一辆": a second incident, whatever else the post says
NEW_INCIDENT_RE: Final = re.compile(
    r"又发生|又出现|又一起|再次发生|另一起|另有一起|又有一(?:起|辆|处|栋|家|座|个)|又出事|"
    r"又起火|又着火|又塌|又炸|同一天还|与此同时.{0,6}(?:也|还)发生"
)
# figures that tell what happened to people: a changed one is news about the incident
CASUALTY_KINDS: Final = INCIDENT_KINDS | {"sick", "rescued", "evacuated"}


def families(text: str) -> frozenset[str]:
    """The incident families a text names."""
    return frozenset(_FAMILY_OF[m.group(0)] for m in _FAMILY_RE.finditer(text))


def update_word(text: str) -> str | None:
    """The word that makes ``text`` read as an update of an incident, or None — also when it
    reports another incident ("又发生一起")."""
    if NEW_INCIDENT_RE.search(text):
        return None
    found = UPDATE_RE.search(text)
    return found.group(0) if found else None


def reports_new_incident(text: str) -> bool:
    return NEW_INCIDENT_RE.search(text) is not None


@dataclass(frozen=True)
class IncidentFacts:
    """What the severity assessment found in a post: the emergency type of the incident it
    tells (or of the candidate a cue lowered) and its casualty figures (kind, count)."""

    emergency_type: str | None = None
    figures: frozenset[tuple[str, float]] = frozenset()

    @property
    def is_incident(self) -> bool:
        return self.emergency_type is not None

    def changed_from(self, earlier: IncidentFacts) -> list[tuple[str, float]]:
        """This post's figures that the earlier one did not tell (a new count or a new kind)."""
        return sorted(f for f in self.figures if f not in earlier.figures)

    @classmethod
    def of(cls, severity: SeverityAssessment) -> IncidentFacts:
        """What the event index reads of a post's severity: its incident's type and figures."""
        return cls.from_evidence(severity.level, severity.emergency_type, severity.evidence)

    @classmethod
    def from_evidence(cls, level: str, emergency_type: str | None,
                      evidence: Mapping[str, Any]) -> IncidentFacts:
        """From a severity assessment (or a stored severity label): its level, type and
        evidence. A 常规 post is an incident only through a 待核实 candidate's type."""
        kind = emergency_type or evidence.get("emergency_type")
        if level == "常规":
            kind = evidence.get("candidate_type") if evidence.get("candidate_level") else None
        return cls(str(kind) if kind else None, _figures(evidence.get("figures") or ()))


def _figures(items: Iterable[Any]) -> frozenset[tuple[str, float]]:
    out: set[tuple[str, float]] = set()
    for f in items:
        if not isinstance(f, Mapping) or f.get("negated"):
            continue
        kind, value = f.get("kind"), f.get("value")
        if kind in CASUALTY_KINDS and isinstance(value, int | float) and value > 0:
            out.add((str(kind), float(value)))
    return frozenset(out)


FIGURE_LABELS: Final[dict[str, str]] = {
    "deaths": "死亡",
    "missing": "失联",
    "trapped": "被困",
    "seriously_injured": "重伤",
    "injured": "受伤",
    "light_injured": "轻伤",
    "casualties": "伤亡",
    "sick": "发病",
    "rescued": "获救",
    "evacuated": "转移",
}


def figure_text(figures: Iterable[tuple[str, float]]) -> str:
    """Figures as a duty officer reads them, the highest count of each kind: "死亡 13 人、失联
    2 人"."""
    highest: dict[str, float] = {}
    for kind, value in figures:
        highest[kind] = max(value, highest.get(kind, 0.0))
    return "、".join(
        f"{FIGURE_LABELS.get(kind, kind)} {value:g} 人" for kind, value in sorted(highest.items())
    )
