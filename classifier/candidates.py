"""待核实: a possible 特别重大 / 重大 emergency that the grade in force does not show.

The severity rules (``classifier.severity``) lower a figure that a cue rules out — past,
elsewhere, a drill, a debunk, a claim the post itself doubts — and read an ambiguous figure
("20余人伤亡", "以轻伤为主", "听说") at its lower reading. When the figure would have made the
post 重大 or worse, the assessment's evidence keeps ``candidate_level``, ``candidate_cues``
and sometimes ``candidate_type``. This module turns that evidence into the one question a duty
officer answers: is this a major emergency? A post whose grade in force is already 重大 or
above needs no such question: its clocks and alert are those of a major already.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from classifier.severity import SeverityAssessment
from domain.vocabulary import SEVERITY_ORDER, Severity

_RANK: Final = {s.value: s.rank for s in SEVERITY_ORDER}
_MAJOR: Final = Severity.MAJOR.rank

# what each cue of the severity rules means, in the words of a duty officer
CUE_LABELS: Final[dict[str, str]] = {
    "past": "说的是过去的事",
    "history": "说的是历史事件",
    "remote": "发生在辖区以外",
    "drill": "演练或模拟",
    "debunk": "帖中称已辟谣",
    "claim": "帖中对说法存疑",
    "court": "案件审理或判决",
    "ambiguous": "数字含混",
    "hearsay": "传闻（听说）",
    "many": "人数说不准（好几个、好多）",
    "moved": "转移人数（该预案不按转移人数分级）",
}


@dataclass(frozen=True)
class Candidate:
    """What a person is asked to check: the grade the figure would give, and why it did not."""

    level: str  # 特别重大 / 重大
    cues: tuple[str, ...]  # as the severity rules wrote them ("debunk: 系谣言 (死亡30人)")
    emergency_type: str | None  # the type the figure's incident would have

    @property
    def severity(self) -> Severity:
        return Severity(self.level)

    @property
    def reasons(self) -> list[str]:
        """The cues as a duty officer reads them ("帖中称已辟谣：系谣言 (死亡30人)")."""
        return [cue_label(c) for c in self.cues]


def cue_label(cue: str) -> str:
    """One cue of ``candidate_cues`` in Chinese; an unknown cue is shown as written."""
    name, sep, rest = cue.partition(":")
    label = CUE_LABELS.get(name.strip())
    if label is None or not sep:
        return cue
    return f"{label}：{rest.strip()}"


def candidate(
    level: str, emergency_type: str | None, evidence: Mapping[str, Any]
) -> Candidate | None:
    """The 待核实 candidate of an assessment (its level, type and evidence), or None when the
    evidence holds no figure at 重大 or above that the grade in force lacks."""
    wanted = evidence.get("candidate_level")
    if not isinstance(wanted, str) or _RANK.get(wanted, 0) < _MAJOR:
        return None
    if _RANK.get(level, 0) >= _MAJOR:
        return None
    cues = evidence.get("candidate_cues") or ()
    kind = evidence.get("candidate_type")
    return Candidate(
        level=wanted,
        cues=tuple(str(c) for c in cues) if isinstance(cues, list | tuple) else (),
        emergency_type=(str(kind) if kind else None) or emergency_type,
    )


def strongest(candidates: Iterable[Candidate | None]) -> Candidate | None:
    """The highest candidate of several posts (the first of equals)."""
    best: Candidate | None = None
    for c in candidates:
        if c is not None and (best is None or c.severity.rank > best.severity.rank):
            best = c
    return best


def of_assessment(assessment: SeverityAssessment) -> Candidate | None:
    """The candidate of one post's (or one event's) severity assessment."""
    return candidate(assessment.level, assessment.emergency_type, assessment.evidence)
