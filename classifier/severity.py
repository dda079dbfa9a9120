"""Severity of a post or an event: 特别重大 / 重大 / 较大 / 一般 for 突发事件, 常规 otherwise.

The assessment is a set of readable rules, not a learned model, so that every level can be
checked by a duty officer against the national grading (《突发事件应对法》 and the accident
thresholds in the domain notes):

1. **Is it an incident?** A strong emergency word (爆炸, 山体滑坡, 食物中毒, 持刀 …), a casualty
   figure ("3人死亡", "数十人被困"), or a crowd with a grievance ("上百名工人聚集讨薪"). Weak words
   (暴雨, 事故, 疫情, 发热) count only together with a figure.
2. **Is it here and now?** Drills, films and novels, anniversaries, statistics, debunk notices and
   incidents in other places are 常规 whatever their figures (``HARD_CUES``, ``REMOTE_RE``); so is
   a past incident raised only to ask for compensation. Adverts, advice, plans, hazards ("万一发生
   火灾"), questions and lost-person notices are 常规 unless they carry a casualty figure.
3. **How big?** Each figure is graded against ``THRESHOLDS`` (deaths including the missing,
   injured, trapped, evacuated, direct loss, crowd size); public-health events follow their own
   rule (``_health_rank``). The highest level wins.
4. **Raises.** Victims from vulnerable groups (two or more students, children or old people hurt,
   or ten or more ill) raise 一般 / 较大 by one level; a crowd that blocks a road or turns violent
   raises its crowd level by one; heat ≥ ``HEAT_RAISE`` raises 一般 / 较大 by one.

Claims are graded as claimed: a rumour of fifty deaths is 特别重大 until someone checks it (the
suspected-false-information flag of ``classifier.rumour`` tells the duty officer to do so).
Vague counts lean up (see ``classifier.numbers``) because missing a 特别重大 / 重大 event is the
costliest error.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from classifier import lexicon_severity as lex
from classifier.numbers import Figure, extract_figures
from domain.vocabulary import SEVERITY_ORDER, Severity

MODEL_VERSION: Final = "severity-rules-2"

LEVELS: Final = tuple(s.value for s in reversed(SEVERITY_ORDER))  # 常规 … 特别重大
RANK: Final = {s.value: s.rank for s in SEVERITY_ORDER}
MAJOR_RANK: Final = RANK[Severity.MAJOR.value]

HEAT_RAISE: Final = 75.0  # heat on the 0..100 scale of classifier.heat
VULNERABLE_HURT: Final = 2  # dead, injured, trapped or missing people of a vulnerable group
VULNERABLE_SICK: Final = 10  # ill people of a vulnerable group
NEAR_TERM: Final = 60  # characters between a figure and an emergency word
CROWD_MIN: Final = 10  # people: fewer is a group of complainants, not a crowd

# measure -> (label, ((at least, rank), ...) from the highest level down)
THRESHOLDS: Final[dict[str, tuple[str, tuple[tuple[float, int], ...]]]] = {
    "deaths": ("死亡（含失踪）", ((30, 4), (10, 3), (3, 2), (1, 1))),
    "injured": ("受伤（含重伤、事故中毒）", ((100, 4), (50, 3), (10, 2), (1, 1))),
    "trapped": ("被困 / 被埋", ((30, 4), (10, 3), (3, 2), (1, 1))),
    "evacuated": ("紧急转移 / 受威胁", ((100_000, 4), (10_000, 3), (1_000, 2), (1, 1))),
    "loss_yuan": ("直接经济损失（元）", ((1e8, 4), (5e7, 3), (1e7, 2), (1, 1))),
    "crowd": ("聚集人数", ((5_000, 4), (1_000, 3), (100, 2), (1, 1))),
    "sick": ("发病 / 中毒人数", ((100, 2), (1, 1))),
}
_CASUALTY_KINDS: Final = frozenset(
    {"deaths", "missing", "injured", "seriously_injured", "trapped", "sick", "loss_yuan"}
)
_VICTIM_KINDS: Final = frozenset({"deaths", "missing", "injured", "seriously_injured", "trapped"})


@dataclass(frozen=True)
class SeverityAssessment:
    level: str  # a storage.enums.Severity value
    emergency_type: str | None  # 自然灾害 / 事故灾难 / 公共卫生事件 / 社会安全事件
    score: float  # level rank / 4: 0 for 常规 … 1 for 特别重大
    evidence: dict[str, Any] = field(default_factory=dict)
    model_version: str = MODEL_VERSION

    @property
    def is_major(self) -> bool:
        """特别重大 or 重大: the 5-hour / 24-hour response windows apply."""
        return RANK[self.level] >= MAJOR_RANK


def _routine(evidence: dict[str, Any]) -> SeverityAssessment:
    return SeverityAssessment(Severity.ROUTINE.value, None, 0.0, evidence, MODEL_VERSION)


def _grade(measure: str, value: float) -> tuple[int, str]:
    label, steps = THRESHOLDS[measure]
    for at_least, rank in steps:
        if value >= at_least:
            return rank, f"{label} {_fmt(value)} ≥ {_fmt(at_least)} → {LEVELS[rank]}"
    return 0, ""


def _fmt(value: float) -> str:
    if value >= 1e8 and value % 1e7 == 0:
        return f"{value / 1e8:g}亿"
    if value >= 1e4 and value % 1e3 == 0:
        return f"{value / 1e4:g}万"
    return f"{value:g}"


def _clause(text: str, start: int) -> tuple[int, int]:
    """Bounds of the clause around ``start`` (between two punctuation marks)."""
    left = start
    while left > 0 and not lex.CLAUSE_SPLIT_RE.match(text, left - 1):
        left -= 1
    right = start
    n = len(text)
    while right < n and not lex.CLAUSE_SPLIT_RE.match(text, right):
        right += 1
    return left, right


def _victim_group(text: str, fig: Figure) -> str | None:
    """The vulnerable group a figure is about, from its clause or a following "其中…" clause."""
    left, right = _clause(text, max(fig.start, 0))
    m = lex.VULNERABLE_RE.search(text, left, right)
    if m is None and right < len(text) and text.startswith("其中", right + 1):
        _, nxt = _clause(text, right + 1)
        m = lex.VULNERABLE_RE.search(text, right + 1, nxt)
    return m.group(0) if m else None


def _implied_death(text: str) -> str | None:
    """A death told without a figure ("当场身亡"), unless negated ("无人死亡")."""
    for m in lex.IMPLIED_DEATH_RE.finditer(text):
        before = text[max(0, m.start() - 6) : m.start()]
        before = lex.CLAUSE_SPLIT_RE.split(before)[-1]
        if lex.DEATH_NEGATION_RE.search(before):
            continue
        if lex.DEATH_NOT_EVENT_AFTER.match(text, m.end()):
            continue
        return text[max(0, m.start() - 4) : m.end()]
    return None


def _health_rank(deaths: float, sick: float) -> tuple[int, str]:
    """Public-health grading (食物中毒 / 传染病): deaths weigh more than for accidents."""
    if deaths >= 30:
        return 4, f"公共卫生事件 死亡 {_fmt(deaths)} ≥ 30 → 特别重大"
    if deaths >= 10:
        return 3, f"公共卫生事件 死亡 {_fmt(deaths)} ≥ 10 → 重大"
    if sick >= 100 and deaths >= 1:
        return 3, f"公共卫生事件 发病 {_fmt(sick)} ≥ 100 且有死亡 → 重大"
    if deaths >= 1:
        return 2, f"公共卫生事件 出现死亡病例 ({_fmt(deaths)}) → 较大"
    if sick >= 100:
        return 2, f"公共卫生事件 发病 {_fmt(sick)} ≥ 100 → 较大"
    return 1, "公共卫生事件 → 一般"


def _matched(pattern_map: dict[str, Any], text: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, rx in pattern_map.items():
        found = rx.findall(text)
        if found:
            out[name] = sorted(set(found))
    return out


def assess(title: str, content: str, *, heat: float = 0.0) -> SeverityAssessment:
    """Grade one post. ``heat`` (0..100, ``classifier.heat``) raises a borderline emergency."""
    text = f"{title}。{content}" if title else content
    if lex.TERM_RE.search(text) is None:
        return _routine({"heat": heat} if heat else {})

    # --- vocabulary
    terms: list[dict[str, Any]] = []
    seen: set[str] = set()
    type_scores: dict[str, float] = {}
    first_strong = -1
    term_starts: list[int] = []
    crowd_words: list[str] = []
    weak_types: set[str] = set()
    for m in lex.TERM_RE.finditer(text):
        word = m.group(0)
        sense = lex.term_sense(text, word, m.start(), m.end())
        if sense is None:
            continue
        kind, strength, weight = sense
        term_starts.append(m.start())
        if strength == lex.CROWD:
            crowd_words.append(word)
        elif strength == lex.STRONG and first_strong < 0:
            first_strong = m.start()
        if strength == lex.WEAK:
            weak_types.add(kind)
        if word in seen:
            continue
        seen.add(word)
        terms.append({"term": word, "type": kind, "strength": strength})
        if strength != lex.CROWD:
            type_scores[kind] = type_scores.get(kind, 0.0) + weight
    strong = [t for t in terms if t["strength"] == lex.STRONG]

    # --- figures
    # a figure counts only near an emergency word: long petitions quote unrelated numbers
    figures = [
        f for f in extract_figures(text) if any(abs(f.start - t) <= NEAR_TERM for t in term_starts)
    ]
    by_kind: dict[str, list[Figure]] = {}
    for f in figures:
        by_kind.setdefault(f.kind, []).append(f)

    def top(kind: str) -> float:
        return max((f.value for f in by_kind.get(kind, ())), default=0.0)

    rescued = lex.RESCUED_RE.search(text)
    grievance = lex.GRIEVANCE_RE.search(text)
    has_hazard_type = bool({lex.NATURAL, lex.ACCIDENT} & (set(type_scores) | weak_types))

    deaths = top("deaths") + top("missing")
    implied = None
    if deaths == 0 and strong:
        implied = _implied_death(text)
        if implied:
            deaths = 1.0
    injured = max(top("injured"), top("seriously_injured"))
    trapped_told = top("trapped")
    trapped = 0.0 if rescued else trapped_told
    sick = top("sick") if type_scores else 0.0
    evacuated = max(top("evacuated"), top("endangered")) if has_hazard_type or strong else 0.0
    loss = top("loss_yuan") if has_hazard_type else 0.0
    crowd = top("crowd") if crowd_words or strong else 0.0
    # with a head count, blocking a road is a grievance in itself ("上百名家长聚集堵塞威宁路")
    if crowd < CROWD_MIN or not (
        grievance or lex.GRIEVANCE_WEAK_RE.search(text) or lex.BLOCKADE_RE.search(text)
    ):
        crowd = 0.0
    crowd_incident = bool(crowd_words and (crowd or (grievance and lex.CURRENT_RE.search(text))))

    casualty = deaths or injured or trapped_told or sick or loss or evacuated or crowd
    if not (strong or casualty or crowd_incident):
        return _routine(
            {"terms": terms, "note": "no incident: only weak words and no figure", "heat": heat}
        )

    # --- type
    if crowd_incident and not strong:
        type_scores[lex.SOCIAL] = type_scores.get(lex.SOCIAL, 0.0) + 1.5
    if type_scores:
        etype = max(type_scores, key=lambda k: (type_scores[k], -lex.EMERGENCY_TYPES.index(k)))
    elif sick:
        etype = lex.HEALTH
    elif crowd:
        etype = lex.SOCIAL
    else:
        etype = lex.ACCIDENT
    if etype == lex.ACCIDENT and sick:
        injured = max(injured, sick)  # 氯气泄漏 76人中毒: poisoned in an accident are injured

    evidence: dict[str, Any] = {
        "terms": terms,
        "type_scores": type_scores,
        "figures": [
            {"kind": f.kind, "value": f.value, "approximate": f.approximate, "text": f.span}
            for f in figures
        ],
        "heat": heat,
    }
    if implied:
        evidence["implied_death"] = implied
    if rescued:
        evidence["rescued"] = rescued.group(0)

    # --- here and now?
    suppressed = _matched(lex.HARD_CUE_RES, text)
    anchor = first_strong if first_strong >= 0 else min((f.start for f in figures), default=0)
    left, right = _clause(text, anchor)
    title_part = title or ""
    remote = lex.REMOTE_RE.search(text, left, right) or lex.REMOTE_RE.search(title_part)
    if remote and not (lex.LOCAL_RE.search(text, left, right) or lex.LOCAL_RE.search(title_part)):
        suppressed["remote"] = [remote.group(0)]
    past = lex.PAST_RE.search(text)
    claim = lex.CLAIM_RE.search(text)
    if past and claim:
        suppressed["past_claim"] = [past.group(0), claim.group(0)]
    # an implied death ("发病后死亡") is no figure: advice and hazard posts tell such stories
    victim_figure = bool(
        (deaths and not implied) or injured or trapped_told or sick or loss or evacuated or crowd
    )
    if not victim_figure:
        soft = _matched(lex.SOFT_CUE_RES, text)
        if soft:
            suppressed.update(soft)
    if suppressed:
        evidence["suppressed_by"] = suppressed
        evidence["candidate_type"] = etype
        return SeverityAssessment(Severity.ROUTINE.value, None, 0.0, evidence, MODEL_VERSION)

    # --- how big?
    rank = 1
    rules: list[str] = [
        f"突发事件 ({etype}): " + "、".join(t["term"] for t in strong[:5] or terms[:5])
    ]
    measures: dict[str, float] = {
        "deaths": deaths,
        "injured": injured,
        "trapped": trapped,
        "evacuated": evacuated,
        "loss_yuan": loss,
    }
    if etype == lex.HEALTH:
        r, why = _health_rank(deaths, sick)
        rank = max(rank, r)
        rules.append(why)
        measures.pop("deaths")
    elif etype != lex.ACCIDENT:
        measures["sick"] = sick  # 投毒: the ill are graded as ill
    graded: list[dict[str, Any]] = []
    for measure, value in measures.items():
        if value <= 0:
            continue
        r, why = _grade(measure, value)
        graded.append({"measure": measure, "value": value, "level": LEVELS[r], "rule": why})
        if r:
            rules.append(why)
        rank = max(rank, r)

    raised: list[str] = []
    if crowd or crowd_incident:
        r, why = _grade("crowd", crowd) if crowd else (1, "聚集 with a grievance → 一般")
        blockade = lex.BLOCKADE_RE.search(text)
        if blockade and r < 4:
            r += 1
            why += f"; 堵路 / 冲突 ({blockade.group(0)}) raises it to {LEVELS[r]}"
            raised.append(f"blockade: {blockade.group(0)}")
        graded.append({"measure": "crowd", "value": crowd, "level": LEVELS[r], "rule": why})
        rules.append(why)
        rank = max(rank, r)
        evidence["crowd_words"] = sorted(set(crowd_words))

    # --- vulnerable groups
    hurt = 0.0
    ill = 0.0
    groups: list[str] = []
    for f in figures:
        if f.kind not in _VICTIM_KINDS and f.kind != "sick":
            continue
        group = _victim_group(text, f)
        if group is None:
            continue
        groups.append(f"{f.span} ({group})")
        if f.kind == "sick":
            ill = max(ill, f.value)
        elif not (f.kind == "trapped" and rescued):
            hurt += f.value
    if groups:
        evidence["vulnerable"] = groups
    if (hurt >= VULNERABLE_HURT or ill >= VULNERABLE_SICK) and rank in (1, 2):
        rank += 1
        why = f"vulnerable victims ({'; '.join(groups)}) → {LEVELS[rank]}"
        raised.append(why)
        rules.append(why)

    evidence["base_level"] = LEVELS[rank]
    if heat >= HEAT_RAISE and rank in (1, 2):
        rank += 1
        why = f"heat {heat:.0f} ≥ {HEAT_RAISE:.0f} → {LEVELS[rank]}"
        raised.append(why)
        rules.append(why)

    evidence["measures"] = graded
    evidence["raised_by"] = raised
    evidence["rules"] = rules
    return SeverityAssessment(LEVELS[rank], etype, rank / 4, evidence, MODEL_VERSION)


def combine(assessments: Sequence[SeverityAssessment], *, heat: float) -> SeverityAssessment:
    """Severity of an event from the assessments of its posts.

    The level is the highest *base* level among the posts (before any per-post heat raise), so
    heat raises an event once: 一般 / 较大 go up one level when the event's heat reaches
    ``HEAT_RAISE``, or when three or more of its posts report a gathering (a crowd seen from
    several sides is growing). A 常规 event stays 常规: attention alone is no emergency.
    """
    if not assessments:
        return _routine({"posts": 0, "heat": heat})

    def base_rank(a: SeverityAssessment) -> int:
        return RANK.get(str(a.evidence.get("base_level", a.level)), RANK[a.level])

    top = max(assessments, key=lambda a: (base_rank(a), a.score))
    rank = base_rank(top)
    counts: dict[str, int] = {}
    for a in assessments:
        counts[a.level] = counts.get(a.level, 0) + 1
    evidence: dict[str, Any] = {
        "posts": len(assessments),
        "levels": counts,
        "heat": heat,
        "top_post": top.evidence,
    }
    if rank == 0:
        return _routine(evidence)
    raised: list[str] = []
    crowd_posts = sum(1 for a in assessments if a.evidence.get("crowd_words"))
    if crowd_posts >= 3 and rank in (1, 2):
        rank += 1
        raised.append(f"{crowd_posts} posts report a gathering → {LEVELS[rank]}")
    if heat >= HEAT_RAISE and rank in (1, 2):
        rank += 1
        raised.append(f"event heat {heat:.0f} ≥ {HEAT_RAISE:.0f} → {LEVELS[rank]}")
    evidence["base_level"] = LEVELS[base_rank(top)]
    evidence["raised_by"] = raised
    return SeverityAssessment(LEVELS[rank], top.emergency_type, rank / 4, evidence, MODEL_VERSION)
