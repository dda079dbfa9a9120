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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from domain.vocabulary import is_major
from response_sla.directory import KEYWORD, NAME, PLACE, Directory, KindRule, Mention
from response_sla.roles import (
    ASKED,
    DEPARTMENT_NAME,
    DEPARTMENT_PLACE,
    ENDPOINT,
    HOME,
    LANDMARK,
    LOCAL,
    MATTER,
    ORIGIN,
    QUOTED,
    TAKEN_TO,
    TERM,
    VISITED,
    role,
)

CLEAR_MATTER = 2  # distinct 派单目录 terms that make a matter the department's at any place
# a business or its people: a complaint against one is a matter of the department that
# regulates it (谁执法谁负责), wherever it happens — a 乡镇 / 街道 cannot fine a factory
_OPERATOR = re.compile(
    r"(?<!建)厂(?!房)|(?<![茶酒])店(?!村)|超市|商家|商户|摊(?!派)|司机|公司|企业|老板|渣土车|餐馆|饭馆"
    r"|网吧|排污口|无证|黑车|(养猪|养鸡|养鸭|养牛|养羊|养殖)场|网箱养|工地|景区"
    r"|夜市|小吃街|健身房|培训机构|农贸市场|摆摊"
)
# building without a permit: in a city 街道 the 城管 enforcing planning law stops it
# (《城乡规划法》第六十四条); in a village the 乡镇 does (第六十五条)
_ILLEGAL_BUILDING = re.compile(r"违建|违章建筑|私自加?盖|楼顶加盖|私搭乱建|乱搭乱建")
STREET = "街道"
# a department's own office with staff: a 卫生院, a hospital, a 派出所 (not a river or a
# reservoir; and not a school, whose town shares the duty for compulsory schooling)
_INSTITUTION = re.compile(r"(院|所|站)$")
# an accident with casualties is an emergency the 属地 handles first, whoever runs the place
_CASUALTY = re.compile(r"受伤|伤者|死亡|身亡|遇难|丧生")
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
    buildings: frozenset[tuple[str, str]] = frozenset(),
) -> _Competent | None:
    """The competent department (谁主管). ``buildings`` are (unit, place) pairs of institutions
    counted as terms: on a tie, a department with a matter term beats one with only its
    building."""
    terms: dict[str, list[str]] = {}
    first: dict[str, int] = {}
    seen: set[tuple[str, str]] = set()  # synonyms of one 派单目录 entry count once
    for m in mentions:
        if m.what != KEYWORD or m.unit_id in skip:
            continue
        first.setdefault(m.unit_id, m.start)
        entry = (m.unit_id, directory.same_term(m.unit_id, m.text))
        terms.setdefault(m.unit_id, [])
        if entry not in seen:
            seen.add(entry)
            terms[m.unit_id].append(m.text)
    by_topic = set(directory.competent_for(topic)) if topic else set()
    if terms:

        def key(uid: str) -> tuple[int, bool, bool, bool, int]:
            only_building = all((uid, t) in buildings for t in terms[uid])
            return (
                -len(terms[uid]),
                only_building,
                first[uid] >= title_end,
                uid not in by_topic,
                first[uid],
            )

        ranked = sorted(terms, key=key)
        tied = len(ranked) > 1 and key(ranked[1])[:4] == key(ranked[0])[:4]
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


_ROLE_WORDS = {
    TAKEN_TO: "送医地点",
    HOME: "发帖人住处或工作地",
    ORIGIN: "来源地",
    ENDPOINT: "道路或线路的一端",
    VISITED: "发帖人前往办事的地点",
    LANDMARK: "参照地点",
    QUOTED: "仅被引述",
}
_JOINED = ("和", "、", "及", "与", "跟")
_GATE = ("门口", "校门口", "大门口")
# a post asking for a bus line or more buses between places
_LINE_ASKED = re.compile(r"(开通|增开|加开|新开|开一条|加密)[^。！？\n]{0,12}(公交|班车|线路|专线)")
# what a quoted unit says when it sends the matter elsewhere ("环保局的人说这个归城管管")
_REFERRAL = re.compile(r"不归|归[^，。,.；;]{1,8}管|找[^，。,.；;]{1,6}|推给|转给|不是我们")


@dataclass(frozen=True)
class _Read:
    """The mentions of a post sorted by role."""

    matter: list[Mention]  # names, places and terms in the matter's role
    asked: set[str]  # departments the post asks to act
    set_aside: list[tuple[Mention, str]]  # incidental names and places and their role
    institutions: set[str]  # departments whose school, hospital … is where the matter is
    buildings: frozenset[tuple[str, str]]  # (department, place) counted as one of its terms
    masked: str  # the text without the incidental places, for the kind rules


def _read(d: Directory, text: str, coordinating: set[str], title_end: int) -> _Read:
    matter: list[Mention] = []
    asked: set[str] = set()
    aside: list[tuple[Mention, str]] = []
    homes: list[Mention] = []
    last_end, last_role = -1, MATTER
    referring: set[str] = set()  # units quoted sending the matter elsewhere
    for m in d.scan(text):
        unit = d.unit(m.unit_id)
        if m.what == KEYWORD:
            of = TERM
        elif unit.is_local:
            of = LOCAL
        else:
            of = DEPARTMENT_NAME if m.what == NAME else DEPARTMENT_PLACE
        r = role(text, m.start, m.text, of)
        joined = m.start - 1 == last_end and text[m.start - 1] in _JOINED
        if of == LOCAL and r == MATTER and joined and last_role in (HOME, ORIGIN):
            r = last_role  # 来自海子街镇和燕子口镇
        if of == LOCAL:
            last_end, last_role = m.start + len(m.text), r
        if r == QUOTED and of == DEPARTMENT_NAME:
            clause = re.split(r"[。！？!?；;\n]", text[m.start + len(m.text) :], maxsplit=1)[0]
            if _REFERRAL.search(clause[:24]):
                referring.add(m.unit_id)
        if r == ASKED:
            asked.add(m.unit_id)
            matter.append(m)
        elif r == MATTER:
            matter.append(m)
        elif r == HOME and of == LOCAL:
            homes.append(m)
        elif m.unit_id not in coordinating and of != TERM:
            aside.append((m, r))
    # a unit that says the matter is another's is no party to it, wherever else it is named,
    # unless the title names it as one (区住建局和区城管局互相推诿)
    referring -= {m.unit_id for m in matter if m.what == NAME and m.start < title_end}
    for m in [m for m in matter if m.unit_id in referring and m.what == NAME]:
        matter.remove(m)
        asked.discard(m.unit_id)
        aside.append((m, QUOTED))
    # where the poster lives is the place of the matter unless the post places it elsewhere
    # (a 乡镇 / 街道, or a department's hospital or school: "我是田坎乡的，在区人民医院住院")
    # or gives places only in other roles (the ends of a bus line)
    elsewhere = any(
        m.what == PLACE or (m.what == NAME and d.unit(m.unit_id).is_local) for m in matter
    )
    if elsewhere or any(d.unit(m.unit_id).is_local for m, _ in aside):
        aside.extend((m, HOME) for m in homes)
    else:
        matter.extend(homes)
        matter.sort(key=lambda m: m.start)
    # a department is competent for the matter, not for the building: its school, hospital or
    # river stands for it only when no other department's matter is in the post; otherwise it
    # counts as one term of its 派单目录 and the department is told
    keyed = {m.unit_id for m in matter if m.what == KEYWORD and m.unit_id not in coordinating}
    institutions: set[str] = set()
    buildings: set[tuple[str, str]] = set()
    for i, m in enumerate(matter):
        if m.what == PLACE and not d.unit(m.unit_id).is_local and keyed - {m.unit_id}:
            matter[i] = Mention(m.text, m.unit_id, KEYWORD, m.start)
            institutions.add(m.unit_id)
            buildings.add((m.unit_id, m.text))
    # a place that is an end of a bus or taxi line in the post is an end wherever else the
    # post names it ("开通德溪新区到碧阳湖的公交 … 德溪新区现在住的人越来越多")
    ends = {m.unit_id for m, r in aside if r == ENDPOINT and d.unit(m.unit_id).is_local}
    if ends and _LINE_ASKED.search(text):
        for m in [m for m in matter if m.unit_id in ends and m.what != KEYWORD]:
            matter.remove(m)
            aside.append((m, ENDPOINT))
    masked = text
    for m, r in aside:
        if r == LANDMARK and text.startswith(_GATE, m.start + len(m.text)):
            continue  # at a school's gate the school is concerned: the kinds still read it
        masked = masked[: m.start] + " " * len(m.text) + masked[m.start + len(m.text) :]
    return _Read(matter, asked, aside, institutions, frozenset(buildings), masked)


def _kinds(d: Directory, text: str, severity: str) -> list[tuple[KindRule, str]]:
    found: list[tuple[KindRule, str]] = []
    for rule in d.kind_rules:
        term = rule.found_in(text, severity)
        if term is not None:
            found.append((rule, term))
    return found


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
    text = f"{title}\n{content}"
    read = _read(d, text, coordinating, len(title))
    mentions = read.matter
    kinds = _kinds(d, read.masked, severity)
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
    # a department the post asks to act comes first (建议交通部门…)
    named = [u for u in named if u in read.asked] + [u for u in named if u not in read.asked]
    local_ids, local_mentions = _locals(d, mentions)
    comp = _competent(d, mentions, topic, coordinating, len(title), read.buildings)

    for m in _first_per_unit(named_mentions):
        if m.unit_id in read.asked:
            reasons.append(f"诉求指向 {m.text} → {label(m.unit_id)} (谁主管)")
        elif m.what == PLACE:
            reasons.append(f"提及 {m.text} → {label(m.unit_id)} (主管单位)")
        else:
            reasons.append(f"点名 {m.text} → {label(m.unit_id)} (涉事责任部门)")
    for m, why in read.set_aside:
        what = "属地" if d.unit(m.unit_id).is_local else "涉事单位"
        line = f"{m.text} 为{_ROLE_WORDS[why]}，不作{what}"
        if line not in reasons:
            reasons.append(line)
    for m in _first_per_unit(local_mentions):
        reasons.append(f"提及 {m.text} → {label(m.unit_id)} (属地)")
    if comp is not None:
        if comp.terms:
            reasons.append(f"派单目录 {'、'.join(comp.terms)} → {label(comp.unit_id)} (谁主管)")
        else:
            reasons.append(f"领域 {topic} → {label(comp.unit_id)} (谁主管)")

    clear = comp is not None and len(comp.terms) >= CLEAR_MATTER
    operator = _OPERATOR.search(read.masked)
    if operator is None and len(local_ids) == 1 and d.unit(local_ids[0]).kind == STREET:
        operator = _ILLEGAL_BUILDING.search(read.masked)
    regulated = (
        comp is not None
        and bool(comp.terms)
        and operator is not None
        and not _CASUALTY.search(read.masked)
    )
    kind_lead: tuple[KindRule, str] | None = None
    # a department named only by its hospital or station (where a fight happened) does not
    # hold back a kind's lead; a department named by name or by its school does
    named_by_name = {
        m.unit_id
        for m in named_mentions
        if m.what == NAME or not _INSTITUTION.search(m.text)
    }
    for rule, term in kinds:
        if rule.lead is not None and (rule.over_named or not named_by_name):
            kind_lead = (rule, term)
            break
    if_none = next(((r, t) for r, t in kinds if r.lead_if_none is not None), None)
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
    elif kind_lead is not None:
        rule, term = kind_lead
        lead = str(rule.lead)
        confidence = 0.85
        reasons.append(f"{rule.kind} ({term}) → {label(lead)} 牵头 ({rule.basis})")
    elif named and named[0] in read.asked:
        lead, confidence = named[0], 0.85
        reasons.append(f"→ {label(lead)} 牵头 (诉求所指的主管部门)")
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
    elif local_ids and comp is not None and regulated and operator is not None:
        lead, confidence = comp.unit_id, 0.75
        reasons.append(
            f"针对经营主体 ({operator.group()}) 的 {'、'.join(comp.terms)} → {label(lead)} 牵头 "
            "(谁执法谁负责)，属地配合"
        )
    elif local_ids:
        lead = local_ids[0]
        confidence = 0.85 if any(m.what == PLACE for m in local_mentions) else 0.75
        reasons.append(f"单一属地 → {label(lead)} 牵头 (属地管理)")
    elif comp is not None and (comp.terms or if_none is None):
        lead = comp.unit_id
        confidence = (0.8 if clear else 0.7) if comp.terms else 0.45
        reasons.append(f"→ {label(lead)} 牵头 (谁主管谁负责)")
    elif if_none is not None:
        rule, term = if_none
        lead, confidence = str(rule.lead_if_none), 0.6
        reasons.append(f"{rule.kind} ({term}) 且无其他责任单位 → {label(lead)} 牵头 ({rule.basis})")
    else:
        lead, confidence = d.fallback_unit, 0.2
        reasons.append(f"无匹配 → 兜底 {label(lead)} (请值班员确认)")
    if comp is not None and comp.tied and lead == comp.unit_id and board is None:
        confidence -= 0.1
        reasons.append("派单目录与多个部门相符，请值班员确认")

    co = [u for u in named if u != lead]
    told_others = any({r.lead, *r.co_units} - {None, lead} for r, _ in kinds)
    # a complaint about a department's own hospital or station (a doctor's absence, a
    # policeman's manner) is the department's alone: the 乡镇 / 街道 whose name the institution
    # bears is no party to it, unless a kind rule brings in another unit (an incident: a
    # fight, a poisoning)
    own = (
        {
            m.start
            for m in d.scan(text)
            if m.unit_id == lead and m.what == PLACE and _INSTITUTION.search(m.text)
        }
        if not d.unit(lead).is_local and not is_major(severity) and not told_others
        else set()
    )
    inside = {
        u
        for u in local_ids
        if own and all(m.start in own for m in local_mentions if m.unit_id == u)
    }
    for u in sorted(inside):
        reasons.append(f"{label(u)} 仅为 {label(lead)} 下属机构所在地名，不作属地配合")
    co += [u for u in local_ids if u != lead and u not in inside]
    strong = kind_lead is not None or lead in read.asked
    grievance = kind_lead is not None and kind_lead[0].with_competent
    if (
        comp is not None
        and comp.terms
        and comp.unit_id != lead
        and (not strong or clear or grievance)
    ):
        # under a kind's lead the competent department joins only when the matter is plainly
        # its own (a knife attack in a 小区 is no 住建 matter; a 物业 保安's is)
        co.append(comp.unit_id)
    if is_major(severity):
        # a major event brings in every department whose matter it touches
        co += _ordered(
            m.unit_id for m in mentions if m.what == KEYWORD and m.unit_id not in coordinating
        )
    co += sorted(read.institutions)
    for rule, term in kinds:
        told = [u for u in (rule.lead, *rule.co_units) if u is not None and u != lead]
        if told and (rule, term) != kind_lead:
            co += told
            reasons.append(
                f"{rule.kind} ({term}) → 告知 {'、'.join(label(u) for u in told)} ({rule.basis})"
            )
        elif told:
            co += told
    co_units = tuple(u for u in _ordered(co) if u not in coordinating and u != lead)

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
