"""Who answers a post: 属地管理、分级负责、谁主管谁负责.

``route`` reads the post against the ``Directory`` and returns a lead unit (牵头), co-units
(配合), the units that coordinate (协调), a confidence and the reasons, one line each, in the
words a duty officer uses. The rules, strongest first:

0. **Emergency plan.** A 特别重大 / 重大 emergency whose type (自然灾害, 事故灾难, 公共卫生事件,
   社会安全事件) has a lead in the jurisdiction's ``emergency_leads`` is led by that unit (e.g.
   应急管理局), unless the board itself named a 处理部门; everything else below then assists.
1. **涉事责任部门.** The board's own 处理部门 column, when it names a unit, leads. Otherwise a
   department named in the post leads ("区住建局一直不回复"), and so does the department that
   runs an institution the post names (a school → 区教育局, a 卫生院 → 区卫健局, a river →
   区水务局: these are listed as the department's ``places``). Several named: the one that is
   also the competent department (below), else the first named. The 区政府办 and the 宣传部
   are the addressees of most posts ("尊敬的区长"), so naming them never makes them the lead.
2. **分级负责.** 特别重大 / 重大: the competent department leads even when the event happened in
   one town — such an event is beyond a 乡镇's means — and the 属地 units assist.
3. **Several 属地** (places of different 乡镇 / 街道): the competent department leads and every
   属地 unit assists; with no competent department the fallback unit leads, low-confidence.
4. **One 属地**: the 乡镇 / 街道 leads and the competent department assists — unless the matter
   is plainly the department's business (at least ``CLEAR_MATTER`` distinct terms of its
   派单目录, e.g. 物业 + 电梯), which it handles wherever it happens (谁主管谁负责). So
   night-time 噪音 in a community goes to the 街道 with the 环保局 assisting, while a school's
   老师 and 学生 go to the 教育局 with the town assisting.
5. **No place**: the competent department leads — by its 派单目录 terms, else by the topic.
6. **Nothing fits**: the fallback unit (兜底), ``low_confidence``.

The competent department (谁主管) is the unit with the most distinct 派单目录 terms in the
post; a tie goes to a term in the title (the title states the matter), then to the unit
competent for the topic, then to the earliest mention. The topic alone picks a department only
when no term matches; with no place either, that choice is low-confidence. A place that several
属地 units share (a river, a long road) counts for all of them, unless the post also names a
more specific place of one of them.

Co-units are the other named departments, the 属地 units that do not lead, and the competent
department when a 派单目录 term (not just the topic) points at it. On 特别重大 / 重大 the
government office and the 宣传部 coordinate on top of whoever leads; they are never co-units.
The core is pure: it reads only its arguments.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.vocabulary import is_major
from response_sla.directory import KEYWORD, NAME, PLACE, Directory, Mention

CLEAR_MATTER = 2  # distinct 派单目录 terms that make a matter the department's at any place
LOW_CONFIDENCE = 0.5


@dataclass(frozen=True)
class Routing:
    lead: str
    co_units: tuple[str, ...]
    coordinate: tuple[str, ...]
    confidence: float
    low_confidence: bool
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "lead": self.lead,
            "co_units": list(self.co_units),
            "coordinate": list(self.coordinate),
            "confidence": self.confidence,
            "low_confidence": self.low_confidence,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class _Competent:
    unit_id: str
    terms: tuple[str, ...]  # empty: chosen by topic
    tied: bool  # another unit has as much evidence


def _ordered(ids: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(ids))


def _first_per_unit(mentions: Iterable[Mention]) -> list[Mention]:
    first: dict[str, Mention] = {}
    for m in mentions:
        first.setdefault(m.unit_id, m)
    return list(first.values())


def _competent(
    directory: Directory,
    mentions: list[Mention],
    topic: str | None,
    skip: set[str],
    title_end: int,
) -> _Competent | None:
    terms: dict[str, list[str]] = {}
    first: dict[str, int] = {}
    for m in mentions:
        if m.what != KEYWORD or m.unit_id in skip:
            continue
        first.setdefault(m.unit_id, m.start)
        if m.text not in terms.setdefault(m.unit_id, []):
            terms[m.unit_id].append(m.text)
    by_topic = set(directory.competent_for(topic)) if topic else set()
    if terms:

        def key(uid: str) -> tuple[int, bool, bool, int]:
            return (-len(terms[uid]), first[uid] >= title_end, uid not in by_topic, first[uid])

        ranked = sorted(terms, key=key)
        tied = len(ranked) > 1 and key(ranked[1])[:3] == key(ranked[0])[:3]
        return _Competent(ranked[0], tuple(terms[ranked[0]]), tied)
    for uid in directory.competent_for(topic) if topic else []:
        if uid not in skip:
            return _Competent(uid, (), False)
    return None


def _locals(directory: Directory, mentions: list[Mention]) -> tuple[list[str], list[Mention]]:
    """The 属地 units in order of first mention. A shared place narrows to the units the post
    also names by a place or name of their own."""
    at: dict[int, list[Mention]] = {}
    for m in mentions:
        if m.what in (NAME, PLACE) and directory.unit(m.unit_id).is_local:
            at.setdefault(m.start, []).append(m)
    definite = {ms[0].unit_id for ms in at.values() if len(ms) == 1}
    chosen: list[Mention] = []
    for ms in at.values():
        narrowed = [m for m in ms if m.unit_id in definite]
        chosen.extend(narrowed or ms)
    return _ordered(m.unit_id for m in chosen), chosen


def route(
    directory: Directory,
    *,
    title: str,
    content: str,
    topic: str | None,
    severity: str,
    board_unit: str | None = None,
    emergency_type: str | None = None,
) -> Routing:
    d = directory
    coordinating = {d.government_office, d.propaganda_unit}
    mentions = d.scan(f"{title}\n{content}")
    reasons: list[str] = []

    def label(uid: str) -> str:
        return d.unit(uid).label

    board = d.resolve(board_unit) if board_unit else None
    if board in coordinating:
        board = None
    named_mentions = [
        m
        for m in mentions
        if m.what in (NAME, PLACE)
        and m.unit_id not in coordinating
        and not d.unit(m.unit_id).is_local
    ]
    named = _ordered(m.unit_id for m in named_mentions)
    local_ids, local_mentions = _locals(d, mentions)
    comp = _competent(d, mentions, topic, coordinating, len(title))

    for m in _first_per_unit(named_mentions):
        if m.what == NAME:
            reasons.append(f"点名 {m.text} → {label(m.unit_id)} (涉事责任部门)")
        else:
            reasons.append(f"提及 {m.text} → {label(m.unit_id)} (主管单位)")
    for m in _first_per_unit(local_mentions):
        reasons.append(f"提及 {m.text} → {label(m.unit_id)} (属地)")
    if comp is not None:
        if comp.terms:
            reasons.append(f"派单目录 {'、'.join(comp.terms)} → {label(comp.unit_id)} (谁主管)")
        else:
            reasons.append(f"领域 {topic} → {label(comp.unit_id)} (谁主管)")

    clear = comp is not None and len(comp.terms) >= CLEAR_MATTER
    lead: str
    if board is not None:
        lead, confidence = board, 0.95
        reasons.insert(0, f"留言板处理部门 {board_unit} → {label(board)} (涉事责任部门)")
    elif is_major(severity) and emergency_type in d.emergency_leads:
        # the response to a major emergency is led by the unit the plan names for its type;
        # the units the post names, the competent department and the 属地 assist
        lead = d.emergency_leads[str(emergency_type)]
        confidence = 0.85
        reasons.append(f"{severity}{emergency_type} → {label(lead)} 牵头处置 (分级负责)，"
                       "相关部门及属地配合")
    elif named:
        lead = named[0]
        if comp is not None and comp.unit_id in named:
            lead = comp.unit_id
        confidence = 0.9 if len(named) == 1 else 0.8
        reasons.append(f"→ {label(lead)} 牵头 (涉事责任部门先行)")
    elif comp is not None and local_ids and is_major(severity):
        lead = comp.unit_id
        confidence = 0.8 if comp.terms else 0.7
        reasons.append(f"{severity} → {label(lead)} 牵头 (分级负责)，属地配合")
    elif comp is not None and len(local_ids) > 1:
        lead = comp.unit_id
        confidence = 0.75 if comp.terms else 0.65
        places = "、".join(label(u) for u in local_ids)
        reasons.append(f"涉及 {len(local_ids)} 个属地 ({places}) → {label(lead)} 牵头，属地配合")
    elif len(local_ids) > 1:
        lead, confidence = d.fallback_unit, 0.4
        reasons.append(f"涉及 {len(local_ids)} 个属地且无主管部门 → 兜底 {label(lead)} 牵头")
    elif local_ids and comp is not None and clear:
        lead, confidence = comp.unit_id, 0.8
        reasons.append(f"事项明确属 {label(lead)} → {label(lead)} 牵头 (谁主管谁负责)，属地配合")
    elif local_ids:
        lead = local_ids[0]
        confidence = 0.85 if any(m.what == PLACE for m in local_mentions) else 0.75
        reasons.append(f"单一属地 → {label(lead)} 牵头 (属地管理)")
    elif comp is not None:
        lead = comp.unit_id
        confidence = (0.8 if clear else 0.7) if comp.terms else 0.45
        reasons.append(f"→ {label(lead)} 牵头 (谁主管谁负责)")
    else:
        lead, confidence = d.fallback_unit, 0.2
        reasons.append(f"无匹配 → 兜底 {label(lead)} (请值班员确认)")
    if comp is not None and comp.tied and lead == comp.unit_id and board is None:
        confidence -= 0.1
        reasons.append("派单目录与多个部门相符，请值班员确认")

    co = [u for u in named if u != lead]
    co += [u for u in local_ids if u != lead]
    if comp is not None and comp.terms and comp.unit_id != lead:
        co.append(comp.unit_id)
    co_units = tuple(u for u in _ordered(co) if u not in coordinating)

    coordinate: tuple[str, ...] = ()
    if is_major(severity):
        coordinate = tuple(u for u in (d.government_office, d.propaganda_unit) if u != lead)
        if coordinate:
            reasons.append(f"{severity} → {'、'.join(label(u) for u in coordinate)} 协调")
    confidence = round(confidence, 2)
    return Routing(
        lead=lead,
        co_units=co_units,
        coordinate=coordinate,
        confidence=confidence,
        low_confidence=confidence < LOW_CONFIDENCE,
        reasons=tuple(reasons),
    )
