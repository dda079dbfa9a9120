"""The words yuqing sorts posts and units into: topics, handling types, severity, unit kinds.

Each term is defined once here, with the Chinese wording people read; storage keeps the
values, the classifier predicts them, the dashboard and the emails show them. The enums' values
are already the Chinese words; their ``label`` says so, so that every enum a person sees can
be shown the same way (``storage.enums`` labels the rest).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final

# 一级标签 of the topic model; a unit's ``topics`` (谁主管) take these values
TOPICS: Final[tuple[str, ...]] = (
    "城乡建设",
    "劳动和社会保障",
    "教育文体",
    "商贸旅游",
    "环境保护",
    "卫生计生",
    "交通运输",
)


class HandlingType(StrEnum):
    """处置类型: the three types the 人民网 留言板 and most 12345 boards use (typeName)."""

    SUGGESTION = "建言"
    ENQUIRY = "咨询"
    COMPLAINT = "投诉/求助"

    @property
    def label(self) -> str:
        """The value is the word people read."""
        return self.value


HANDLING_TYPES: Final[tuple[str, ...]] = tuple(h.value for h in HandlingType)
# what an emergency shows where a handling type would be: it has none (建言 / 咨询 / 投诉 sort
# citizens' requests, not accidents)
EMERGENCY_HANDLING: Final = "突发事件"

# the suspected-false-information flag (不实信息) and its clearance
RUMOUR_FLAG: Final = "不实信息"
RUMOUR_CLEAR: Final = "非不实信息"
RUMOUR_LABELS: Final[tuple[str, ...]] = (RUMOUR_FLAG, RUMOUR_CLEAR)

# the emergency types of 《突发事件应对法》, each led by the unit the configuration names
EMERGENCY_TYPES: Final[tuple[str, ...]] = ("自然灾害", "事故灾难", "公共卫生事件", "社会安全事件")

# population density classes of 《国家地震应急预案》 (2012) 3.1: the magnitude that makes an
# earthquake 特别重大 / 重大 / 较大 at first judgement depends on them; 其他 is neither
POPULATION_DENSITIES: Final[tuple[str, ...]] = ("人口密集", "人口较密集", "其他")

SPIDER_KINDS: Final[tuple[str, ...]] = ("people_liuyan", "gov_board", "discuz", "tieba")


class Severity(StrEnum):
    """The grades of 《突发事件应对法》, plus 常规 for a post that is no emergency."""

    EXTRAORDINARY = "特别重大"  # I
    MAJOR = "重大"  # II
    LARGE = "较大"  # III
    GENERAL = "一般"  # IV
    ROUTINE = "常规"  # not an emergency

    @property
    def label(self) -> str:
        """The value is the word people read; the grade's name in 《突发事件应对法》."""
        return self.value

    @property
    def rank(self) -> int:
        """常规 0 … 特别重大 4: a higher rank is more severe."""
        return _RANK[self]

    @property
    def is_major(self) -> bool:
        """特别重大 and 重大 open the statutory 5 h / 24 h windows and run round the clock."""
        return self in MAJOR_SEVERITIES


# most severe first: the order of the queue, of filters and of reports
SEVERITY_ORDER: Final[tuple[Severity, ...]] = tuple(Severity)
MAJOR_SEVERITIES: Final[frozenset[Severity]] = frozenset({Severity.EXTRAORDINARY, Severity.MAJOR})
_RANK: Final[dict[Severity, int]] = {
    s: len(SEVERITY_ORDER) - 1 - i for i, s in enumerate(SEVERITY_ORDER)
}


def handling_label(handling: str | None, severity: Severity) -> str:
    """The handling type as people read it: 突发事件 for an emergency (一般 or above), else the
    type, "" when there is none."""
    if severity is not Severity.ROUTINE:
        return EMERGENCY_HANDLING
    return handling or ""


def is_major(level: str) -> bool:
    """For labels held as plain strings (classifier output, stored evidence)."""
    return level in (Severity.EXTRAORDINARY.value, Severity.MAJOR.value)


def severity_rank(level: str) -> int:
    return Severity(level).rank


class UnitKind(StrEnum):
    DEPARTMENT = "区直部门"
    TOWN = "乡镇"
    STREET = "街道"
    COORDINATION = "议事协调机构"
    PARTY = "党委部门"
    GOVERNMENT = "政府"
    # answers to the level above, not to the district government (消防救援大队), yet is
    # dispatched to like a department
    VERTICAL = "垂直管理"
    # a company that supplies a public service (供电) and takes 12345 work orders
    UTILITY = "公共服务企业"

    @property
    def label(self) -> str:
        """The value is the word people read."""
        return self.value

    @property
    def is_place(self) -> bool:
        """乡镇 and 街道 are 属地 units: they answer for a place, not for a matter."""
        return self in (UnitKind.TOWN, UnitKind.STREET)
