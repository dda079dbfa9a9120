"""Severity of a post or an event: 特别重大 / 重大 / 较大 / 一般 for 突发事件, 常规 otherwise.

The assessment is a set of readable rules, not a learned model, so that every level can be
checked by a duty officer against the plan that governs the kind of emergency
(``classifier.grading``, ``config/grading.toml``):

1. **What does the post tell?** Emergency words (爆炸, 山体滑坡, 食物中毒, 持刀 …;
   ``lexicon_severity``) and figures as people write them (``classifier.figures``): a death or
   an injury is an incident by itself, whatever the verb ("路口渣土车把三个行人撞死了"). Weak
   words (暴雨, 事故, 疫情, 发热) count only with a figure; a crowd with a grievance is an
   incident. Denied figures ("均未受伤") and rescued people count as no casualty. A death told
   without a number ("有个老人死了", "老人没抢救过来", "人没了", "当场就没了") is one death;
   the plainer the words, the less else the post must tell (``_implied_death``).
2. **Is it here and now?** A cue rules out its clause and, up to a current fact, its sentence:
   drills, films, history, past events, statistics, debunks, court cases, hypotheticals, places
   outside the jurisdiction, claims the post calls false (``classifier.scope``). Adverts,
   advice, plans and questions rule out emergency words when no figure stands.
3. **Which plan?** The kind (production safety, earthquake, geological, forest fire, other
   natural, food poisoning, public health, crowd, other crime) picks its table; the highest row
   the figures reach is the level, and a post that is an incident and reaches none is 一般.
4. **Raises.** Victims from vulnerable groups (two or more students, children or old people
   hurt, or ten or more ill) raise 一般 / 较大 by one level, wherever the post names the group
   (``_victim_group``: "车上9个娃娃，捞起来5个已经没气了"); a crowd that blocks a road or a gate
   (a company's or a factory's as a government's) or turns violent raises its level by one; heat ≥ ``HEAT_RAISE`` raises 一般 / 较大 by one.

Claims are graded as claimed unless the post doubts them: a rumour of fifty deaths is 特别重大
until someone checks it. Vague counts lean up (``classifier.numbers``); an unqualified 受伤
counts as 重伤 under the 条例.

Whenever a figure that would make the post 重大 or worse was ruled out by a cue (past,
elsewhere, a drill, a debunk, a doubted claim) or is ambiguous (伤亡 without a split, 以轻伤为主,
hearsay, "死了好多人" read as a few), or people were moved from a natural disaster whose plan
grades no people moved (forest fires, earthquakes), the evidence carries ``candidate_level`` and
``candidate_cues``, so that a person can check it (待核实) instead of the post silently staying
lower.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Final

from classifier import lexicon_severity as lex
from classifier.alternation import trie_pattern
from classifier.clauses import Parts
from classifier.figures import Figure, extract_figures, has_figure_words, standalone_verbs
from classifier.grading import GradingTables, KindTable, Row, shipped_grading
from classifier.locality import Locality
from classifier.numbers import NUMERAL, VAGUE_COUNT, normalize, parse_number
from classifier.scope import Ruled, Scope
from domain.vocabulary import SEVERITY_ORDER, Severity

MODEL_VERSION: Final = "severity-rules-4"

LEVELS: Final = tuple(s.value for s in reversed(SEVERITY_ORDER))  # 常规 … 特别重大
RANK: Final = {s.value: s.rank for s in SEVERITY_ORDER}
MAJOR_RANK: Final = RANK[Severity.MAJOR.value]

HEAT_RAISE: Final = 75.0  # heat on the 0..100 scale of classifier.heat
NEAR_TERM: Final = 60  # characters between a context-bound figure and an emergency word
CROWD_MIN: Final = 10  # people: fewer is a group of complainants, not a crowd
# "死了好多人", "一车人都没了": graded as a few (``VAGUE_COUNT``); a person checks whether they were
# this many or more (待核实)
MANY_CHECK: Final = 10.0

# figures that make an incident on their own
CASUALTY_KINDS: Final = frozenset(
    {
        "deaths",
        "missing",
        "trapped",
        "seriously_injured",
        "injured",
        "light_injured",
        "casualties",
    }
)
_VICTIM_KINDS: Final = frozenset(
    {"deaths", "missing", "trapped", "seriously_injured", "injured", "casualties"}
)
# cues whose ruled-out figures are worth a person's check (待核实)
_CANDIDATE_CUES: Final = frozenset(
    {"past", "history", "remote", "drill", "debunk", "claim", "court"}
)
# One scan every post goes through: an emergency word, or a word that makes an incident
# without one (a death, an injury, people trapped or missing, a crowd, people moved from a
# threat). Words for the ill, the moved or the damaged count only beside an emergency word, so
# a post with neither is 常规 at once.
_ANY_RE: Final = re.compile(
    trie_pattern(
        {
            *lex.WORDS,
            *standalone_verbs(),
            "死",
            "紧急转移",
            "紧急疏散",
            "紧急撤离",
            "受威胁",
            "受到威胁",
            "威胁到",
            "危及",
            "提前转移",
            "提前疏散",
            "提前撤离",
            "预防性转移",
            "避险",
        }
    )
)
_VIOLENT_VERBS: Final = ("打死", "砍死", "捅死", "杀死", "砍伤", "刺伤", "捅伤", "打伤")
# the people of a gathering counted where the grievance is told, before what they did:
# "欠了两百多个农民工大半年的工资，今天这些人全部跑到国道上坐起，把路堵得死死的"
_CROWD_HEAD_RE: Final = re.compile(
    rf"(?P<num>{NUMERAL})(?:名|个|位|号)?(?:村民|群众|居民|市民|农民工|民工|工人|职工|员工|业主|家长|商户|"
    r"亲戚朋友|亲友|老乡)"
)
# what a crowd does now, in the sentence of its head count: no claim about the past
_CROWD_TODAY_RE: Final = re.compile(r"今天|今日|今早|今晨|今晚|一早|上午|下午|中午|刚刚|刚才|现在|正在|还没散|没散")
_SENTENCE_END_RE: Final = re.compile(r"[。！!？?\n]")
_SHARE_COUNT_RE: Final = re.compile(rf"(?P<num>{NUMERAL})(?:名|个|位|人|例)")
# a head count: "9个娃娃", "三十多位老人", "4名初中生", "6个工人", "车上22个人"
_COUNTED_RE: Final = re.compile(
    rf"(?:{NUMERAL})(?:名|个|位|口)?[\u4e00-\u9fff]{{0,4}}?"
    rf"(?P<who>{lex.VULNERABLE_RE.pattern}|{lex.OTHER_PEOPLE}"
    r"|(?<=[名个位口\d十百千万余多来几两三四五六七八九一])人)"
)


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


@dataclass(frozen=True)
class _Term:
    word: str
    type: str
    strength: str
    weight: float
    kind: str
    start: int


@dataclass
class _Reading:
    """What the post tells, split into what stands and what a cue ruled out."""

    terms: list[_Term]
    figures: list[Figure]
    ruled_terms: list[tuple[_Term, Ruled]]
    ruled_figures: list[tuple[Figure, Ruled]]
    hearsay: list[Figure]
    scope: Scope
    title_end: int = 0
    title_echoes: bool = False  # the content was all ruled out, so the title falls with it
    quotes: list[tuple[int, int]] = field(default_factory=list)  # scare quotes: words not meant

    def stands(self, pos: int) -> bool:
        if self.title_echoes and pos < self.title_end:
            return False
        if any(s < pos < e for s, e in self.quotes):
            return False
        return self.scope.ruling(pos) is None


def _routine(evidence: dict[str, Any]) -> SeverityAssessment:
    return SeverityAssessment(Severity.ROUTINE.value, None, 0.0, evidence, MODEL_VERSION)


def _terms(text: str) -> list[_Term]:
    out: list[_Term] = []
    for m in lex.TERM_RE.finditer(text):
        word = m.group(0)
        sense = lex.term_sense(text, word, m.start(), m.end())
        if sense is not None:
            out.append(_Term(word, sense[0], sense[1], sense[2], lex.WORD_KIND[word], m.start()))
    workplace = lex.WORKPLACE_HINT_RE.search(text) is not None
    for m in () if workplace else lex.SLOPE_FAILURE_RE.finditer(text):
        # "山坡整块滑下来了": a landslide told without the word
        out.append(_Term(m.group(0), lex.NATURAL, lex.STRONG, 2.0, lex.GEOLOGICAL, m.start()))
    for m in () if workplace else lex.SLOPE_THREAT_RE.finditer(text):
        # a slope about to come down: an incident only with people moved or threatened
        out.append(_Term(m.group(0), lex.NATURAL, lex.WEAK, 2.0, lex.GEOLOGICAL, m.start()))
    out.sort(key=lambda t: t.start)
    return out


def _read(
    text: str, title_end: int, terms: list[_Term], figures: list[Figure], locality: Locality
) -> _Reading:
    parts = Parts.of(text)
    scope = Scope(text, title_end, parts, locality=locality)
    quake = any(t.kind == lex.EARTHQUAKE for t in terms) or any(
        f.kind == "magnitude" for f in figures
    )
    felt_only = lex.FELT_ONLY_RE.search(text) if quake else None
    felt_here = quake and bool(
        lex.FELT_HERE_RE.search(text) and locality.names_here(text) and felt_only is None
    )
    # an earthquake elsewhere that was only felt here: what the post says of it here falls too
    remote_quake = felt_only is not None and any(
        (r := scope.ruling(t.start)) is not None and r.cue == "remote"
        for t in terms
        if t.kind == lex.EARTHQUAKE
    )
    quotes = [(m.start(), m.end()) for m in lex.SCARE_QUOTE_RE.finditer(text)] if "“" in text else []
    reading = _Reading([], [], [], [], [], scope, title_end, quotes=quotes)
    for t in terms:
        ruled = scope.ruling(t.start)
        if ruled is None and any(s < t.start and t.start + len(t.word) < e for s, e in quotes):
            ruled = Ruled("figurative", text[t.start - 1 : t.start + len(t.word) + 1])
        if ruled is None and t.strength == lex.STRONG:
            denied = _DENIED_TERM_RE.search(text, max(0, t.start - 8), t.start)
            if denied is not None:
                ruled = Ruled("negated", denied.group(0) + t.word)
            told_as = _TOLD_AS_RE.search(text, max(0, t.start - 6), t.start)
            if told_as is not None:
                ruled = Ruled("claim", told_as.group(0) + t.word)
        if ruled is not None and ruled.cue == "remote" and t.kind == lex.EARTHQUAKE and felt_here:
            ruled = None  # an earthquake elsewhere, felt and doing damage here
        if ruled is None and remote_quake and t.kind == lex.EARTHQUAKE and felt_only is not None:
            ruled = Ruled("remote", felt_only.group(0))
        if ruled is None:
            reading.terms.append(t)
        else:
            reading.ruled_terms.append((t, ruled))
    for f in figures:
        if f.negated:
            continue
        ruled = scope.ruling(f.start)
        if ruled is not None and ruled.cue == "remote" and f.kind == "magnitude" and felt_here:
            ruled = None
        if ruled is None and remote_quake and f.kind == "magnitude" and felt_only is not None:
            ruled = Ruled("remote", felt_only.group(0))
        if ruled is None:
            reading.figures.append(f)
            if scope.is_claim(f.start) and lex.HEARSAY_RE.search(text):
                reading.hearsay.append(f)
        else:
            reading.ruled_figures.append((f, ruled))
    _title_echo(reading, title_end)
    return reading


def _title_echo(reading: _Reading, title_end: int) -> None:
    """A title sums up its content: when everything the content tells was ruled out, what the
    title tells falls with it ("火灾统计｜全年共接报火灾380起…", "历史洪水｜1954年那场洪水…")."""
    if not title_end:
        return
    content_stands = any(t.start >= title_end for t in reading.terms) or any(
        f.start >= title_end for f in reading.figures
    )
    ruled_content = [r for t, r in reading.ruled_terms if t.start >= title_end] + [
        r for f, r in reading.ruled_figures if f.start >= title_end
    ]
    if content_stands or not ruled_content:
        return
    cue = ruled_content[0]
    reading.title_echoes = True
    for t in [t for t in reading.terms if t.start < title_end]:
        reading.terms.remove(t)
        reading.ruled_terms.append((t, cue))
    for f in [f for f in reading.figures if f.start < title_end]:
        reading.figures.remove(f)
        reading.ruled_figures.append((f, cue))
        if f in reading.hearsay:
            reading.hearsay.remove(f)


@dataclass
class _Measures:
    """The figures of one reading, as the grading tables count them."""

    values: dict[str, float]
    source: dict[str, Figure]  # the figure behind each value, for the evidence
    implied: str | None = None

    def get(self, name: str) -> float:
        return self.values.get(name, 0.0)


def _top(figures: Iterable[Figure], kind: str) -> Figure | None:
    return max((f for f in figures if f.kind == kind), key=lambda f: f.value, default=None)


def _measures(
    figures: list[Figure],
    kind: str,
    *,
    casualties_as_deaths: bool = False,
    light_as_injured: bool = False,
) -> _Measures:
    values: dict[str, float] = {}
    source: dict[str, Figure] = {}

    def put(name: str, value: float, fig: Figure | None) -> None:
        if fig is not None and value > values.get(name, 0.0):
            values[name] = value
            source[name] = fig

    # deaths told "in addition" ("今天又挖出来6具") add to the toll; other counts are the same
    # people told again, so the highest stands
    deaths = _top((f for f in figures if f.note != "又"), "deaths") or _top(figures, "deaths")
    more = sum(
        f.value for f in figures if f.kind == "deaths" and f.note == "又" and f is not deaths
    )
    missing = _top(figures, "missing")
    casualties = _top(figures, "casualties")
    d = (deaths.value if deaths else 0.0) + more + (missing.value if missing else 0.0)
    put("deaths", d, deaths or missing)
    if casualties is not None and casualties_as_deaths:
        put("deaths", casualties.value, casualties)
    # counts told "也" at another place ("中医院那边也收了二十几个") add to the highest count
    also = [f for f in figures if f.note == "也"]
    figures = [f for f in figures if f.note != "也"]
    serious = [f for f in figures if f.kind in ("seriously_injured", "injured", "casualties")]
    if light_as_injured:
        serious += [f for f in figures if f.kind == "light_injured" and f.note != "其中重伤"]
    for f in serious:
        put("serious_injured", f.value, f)
    for f in figures:
        if f.kind in ("seriously_injured", "injured", "casualties", "light_injured"):
            put("injured", f.value, f)
    trapped = [f for f in figures if f.kind == "trapped" and not f.rescued]
    rescued = _top(figures, "rescued")
    for f in trapped:
        # "其余15人仍被困" is what is left: the rescued are out of it already
        out = rescued.value if rescued and rescued.value < f.value and f.note != "其余" else 0.0
        put("trapped", f.value - out, f)
    for name in ("evacuated", "endangered"):
        for f in figures:
            if f.kind == name:
                put("evacuated", f.value, f)
    for name in ("loss_yuan", "sick", "crowd", "magnitude", "burned_ha"):
        for f in figures:
            if f.kind == name:
                put(name, f.value, f)
    for name, kinds in (
        ("serious_injured", ("seriously_injured", "injured")),
        ("injured", ("seriously_injured", "injured")),
        ("sick", ("sick",)),
    ):
        more = sum(f.value for f in also if f.kind in kinds)
        if more and values.get(name):
            values[name] += more
    if kind == lex.PRODUCTION and values.get("sick"):
        # poisoned in an accident (氯气泄漏 76人中毒) count as 重伤: 急性工业中毒 under the 条例
        put("serious_injured", values["sick"], source["sick"])
    return _Measures(values, source)


def _context_bound(figures: list[Figure], terms: list[_Term], text: str) -> list[Figure]:
    """Figures kept for grading: casualties always; the rest only near an emergency word, as
    long petitions quote evacuations, losses and head counts that belong to no incident."""
    starts = [t.start for t in terms]
    hazard = {lex.NATURAL, lex.ACCIDENT} & {t.type for t in terms}
    strong = any(t.strength == lex.STRONG for t in terms)
    kept: list[Figure] = []
    for f in figures:
        if f.kind in CASUALTY_KINDS or f.kind in ("rescued", "magnitude"):
            kept.append(f)
            continue
        near = any(abs(f.start - s) <= NEAR_TERM for s in starts)
        if f.kind == "loss_yuan" and not (
            hazard and (near or _loss_of_the_incident(f, starts, text))
        ):
            continue
        if f.kind in ("evacuated", "endangered") and not (
            ((hazard or strong) and near) or lex.EVACUATION_HAZARD_RE.search(text)
        ):
            continue
        if f.kind == "affected" and not ((hazard or strong) and near):
            continue
        if f.kind == "sick" and not (terms and near) and not _food_sick(f, text):
            continue
        if f.kind == "burned_ha" and not (lex.FIRE_RE.search(text) and near):
            continue
        if (
            f.kind == "crowd"
            and not near
            and not (lex.GRIEVANCE_RE.search(text) or lex.BLOCKADE_RE.search(text))
        ):
            continue  # a head count with neither a grievance nor a road blocked is no crowd
        kept.append(f)
    return kept


# a loss told as the toll of the incident ("直接经济损失一个多亿", "损失，初步估算就有六千多万元")
# closes a story the post told from its start: it reaches further back to the emergency word
_LOSS_TOLL_RE: Final = re.compile(r"直接|初步|估算|估计|统计|核算|算了一下|算下来")
_LOSS_TOLL_REACH: Final = 3 * NEAR_TERM


def _loss_of_the_incident(f: Figure, starts: list[int], text: str) -> bool:
    if not any(0 < f.start - s <= _LOSS_TOLL_REACH for s in starts):
        return False
    return _LOSS_TOLL_RE.search(_clause_of(text, f.start)) is not None or (
        _LOSS_TOLL_RE.search(text, max(0, f.start - 12), f.start + len(f.span)) is not None
    )


def _implied_death(
    text: str, terms: list[_Term], kept: list[Figure], scope_ok: Callable[[int], bool]
) -> Figure | None:
    """A death told without a number ("有个老人死了", "老人没抢救过来", "人没了", "当场就没了",
    "被车撞死了") is one death, unless negated, exaggerated or an animal's. The plainer the words
    say that someone died in an event, the less else the post must tell (``lexicon_severity``)."""
    strong = any(t.strength == lex.STRONG for t in terms)
    figure_stands = any(f.kind in CASUALTY_KINDS or f.kind == "sick" for f in kept)
    if strong or figure_stands:
        rx = lex.IMPLIED_DEATH_RE
    elif terms:
        rx = lex.EVENT_DEATH_RE
    else:
        rx = lex.SUDDEN_DEATH_RE
    # the death belongs to the incident the post tells: near one of its words or figures (long
    # petitions mention deaths of all kinds far from the accident they are about)
    anchors = [t.start for t in terms] + [f.start for f in kept]
    for m in rx.finditer(text):
        if anchors and not any(abs(m.start() - a) <= NEAR_TERM for a in anchors):
            continue
        if _death_stands(text, m, scope_ok):
            return _death_figure(text, _person_start(text, m), m.end())
    for m in lex.KILLED_RE.finditer(text):
        clause = lex.CLAUSE_SPLIT_RE.split(text[max(0, m.start() - 12) : m.start()])[-1]
        if _animal_before(text, m.start()) or lex.DEATH_NEGATION_RE.search(clause[-3:]):
            continue
        if (
            "你" in clause[-4:]
            or lex.THREAT_RE.search(clause[-8:])
            or lex.GAME_RE.search(clause)
            or lex.ABOUT_TO_RE.search(clause)
        ):
            continue  # "你被毒死了谁负责", "喊着要拿刀砍死", "游戏淹死": no one died
        if lex.FELT_KILLED_RE.match(text, m.start()) and not (
            lex.KILLED_VICTIM_BEFORE_RE.search(clause)
            or lex.KILLED_VICTIM_AFTER_RE.match(text, m.end())
        ):
            continue  # "公交车上挤死了" says how crowded it was; "被挤死了", "压死了人" say who died
        if not scope_ok(m.start()):
            continue
        return _death_figure(text, m.start(), m.end())
    return None


def _death_stands(text: str, m: re.Match[str], scope_ok: Callable[[int], bool]) -> bool:
    start, end = m.start(), m.end()
    lo = max(0, start - 14)
    if _told(m, "gone") and not lex.PERSON_GONE_BEFORE_RE.search(text, lo, start):
        return False  # "房子没了", "钱没了"
    if _told(m, "walked") and not lex.WALKED_BEFORE_RE.search(text, lo, start):
        return False  # "领导已经走了"
    before = lex.CLAUSE_SPLIT_RE.split(text[max(0, start - 6) : start])[-1]
    if lex.DEATH_NEGATION_RE.search(before) or lex.HYPERBOLE_DEATH_RE.search(before):
        return False
    if lex.DEATH_NOT_EVENT_AFTER.match(text, end):
        return False
    if _animal_before(text, start):
        return False  # "鱼也死了", "村里的老黄牛昨天死了"
    return scope_ok(start)


def _animal_before(text: str, start: int) -> bool:
    """Whether the one who died is an animal or a plant: named in the clause of the death or, as
    the subject of "…喝了河水就烂肚子而死，明明是被河水毒死的", in the clause before."""
    clauses = lex.CLAUSE_SPLIT_RE.split(text[max(0, start - 30) : start])
    return any(lex.ANIMAL_RE.search(c) for c in clauses[-2:])


def _told(m: re.Match[str], name: str) -> bool:
    return name in m.re.groupindex and m.group(name) is not None


def _person_start(text: str, m: re.Match[str]) -> int:
    """Where a death told as "没了" / "走了" begins: at the person it is about."""
    if _told(m, "gone") or _told(m, "walked"):
        rx = lex.PERSON_GONE_BEFORE_RE if _told(m, "gone") else lex.WALKED_BEFORE_RE
        who = rx.search(text, max(0, m.start() - 14), m.start())
        if who is not None:
            return who.start()
    return m.start()


def _death_figure(text: str, start: int, end: int) -> Figure:
    """One death, its span reaching back to whom it names ("有个老人没抢救过来")."""
    left = max((m.end() for m in lex.CLAUSE_SPLIT_RE.finditer(text, 0, start)), default=0)
    left = max(left, start - 12)
    return Figure("deaths", 1.0, True, text[left:end], left, note="implied")


def _kind(terms: list[_Term], figures: list[Figure], text: str) -> tuple[str, dict[str, float]]:
    """The kind of emergency, and the type scores it was chosen from."""
    scores: dict[str, float] = {}
    counted: set[str] = set()
    for t in terms:
        if t.strength != lex.CROWD and t.word not in counted:
            counted.add(t.word)  # a word repeated in title and content counts once
            scores[t.type] = scores.get(t.type, 0.0) + t.weight
    kinds = {t.kind for t in terms}
    figure_kinds = {f.kind for f in figures}
    fire_in_forest = lex.FOREST_FIRE in kinds or (
        lex.FOREST_HINT_RE.search(text) is not None
        and lex.FIRE_RE.search(text) is not None
        and not kinds & {lex.EARTHQUAKE, lex.GEOLOGICAL}
        and not lex.WORKPLACE_HINT_RE.search(text)
    )
    crowd_like = "crowd" in figure_kinds or (
        any(t.kind == lex.CROWD_KIND for t in terms) and lex.GROUP_HINT_RE.search(text) is not None
    )
    if scores:
        etype = max(scores, key=lambda k: (scores[k], -lex.EMERGENCY_TYPES.index(k)))
    elif "sick" in figure_kinds:
        etype = lex.HEALTH
    elif crowd_like or (
        any(v in text for v in _VIOLENT_VERBS) and not lex.FOOD_HINT_RE.search(text)
    ):
        etype = lex.SOCIAL
    elif "毒死" in text:
        etype = lex.HEALTH if lex.FOOD_HINT_RE.search(text) else lex.SOCIAL
    elif figure_kinds <= {"evacuated", "endangered"} and lex.EVACUATION_HAZARD_RE.search(text):
        etype = lex.NATURAL  # people moved from a threat the post does not name
    else:
        etype = lex.ACCIDENT
    if lex.EARTHQUAKE in kinds or "magnitude" in figure_kinds:
        return lex.EARTHQUAKE, scores
    if (
        etype in (lex.NATURAL, lex.ACCIDENT)
        and lex.SLOPE_FAILURE_RE.search(text)
        and not lex.WORKPLACE_HINT_RE.search(text)
    ):
        return lex.GEOLOGICAL, scores
    if etype == lex.NATURAL:
        if lex.GEOLOGICAL in kinds:
            return lex.GEOLOGICAL, scores
        if fire_in_forest:
            return lex.FOREST_FIRE, scores
        return lex.NATURAL_OTHER, scores
    if etype == lex.ACCIDENT:
        if fire_in_forest:
            return lex.FOREST_FIRE, scores
        return lex.PRODUCTION, scores
    if etype == lex.HEALTH:
        if lex.FOOD in kinds or (
            lex.FOOD_HINT_RE.search(text) and not lex.COMMUNICABLE_RE.search(text)
        ):
            return lex.FOOD, scores
        # workers ill from an infection named ("可能是诺如病毒") are an outbreak, not 急性工业中毒
        if (
            lex.WORKPLACE_HINT_RE.search(text)
            and not lex.VACCINE_RE.search(text)
            and not lex.INFECTION_RE.search(text)
        ):
            return lex.PRODUCTION, scores
        return lex.PUBLIC_HEALTH, scores
    if crowd_like:
        return lex.CROWD_KIND, scores
    return lex.SOCIAL_OTHER, scores


def _grade(table: KindTable, measures: _Measures, text: str, density: str) -> tuple[int, list[Row]]:
    rows = table.matches(measures.values, text, density)
    return (rows[0].rank if rows else 1), rows


def _clause_of(text: str, pos: int) -> str:
    parts = lex.CLAUSE_SPLIT_RE
    left = max((m.end() for m in parts.finditer(text, 0, pos)), default=0)
    right_m = parts.search(text, pos)
    right = right_m.start() if right_m else len(text)
    return text[left:right]


def _graded_evidence(
    text: str, rows: list[Row], measures: _Measures
) -> tuple[list[dict[str, Any]], list[str]]:
    """One entry per figure that reached a row, with its clause, the rule and the article."""
    out: list[dict[str, Any]] = []
    rules: list[str] = []
    seen: set[str] = set()
    for row in rows:
        key = ",".join(m for m, _ in row.when) or "terms"
        if key in seen:
            continue
        seen.add(key)
        rule = row.describe(measures.values)
        rules.append(rule)
        entry: dict[str, Any] = {"level": row.level, "rule": rule, "basis": row.basis}
        figs = [measures.source[m] for m, _ in row.when if m in measures.source]
        if figs:
            entry["figure"] = "；".join(f.span for f in figs)
            entry["clause"] = _clause_of(text, figs[0].start)
        out.append(entry)
    return out, rules


def _victim_group(text: str, fig: Figure, parts: Parts) -> str | None:
    """The vulnerable group a figure counts, wherever the post names it:

    - in the figure's own clause ("砍伤了8个娃娃", "幼儿园一周出现8例手足口病");
    - in the clause right after, saying who the victims were ("其中多名儿童", "死者都是附近敬老院
      的老人", "都是一到三年级的娃娃");
    - for a count that names no one ("捞起来5个已经没气了", "3具遗体", "其中3人伤势严重"): the
      people last counted before it, in its sentence or the two before ("车上9个娃娃，…",
      "4名初中生下河游泳，…"); a count of others there ("当时有6个工人在里面") says it is not
      the group; with no count before, a group named earlier in its sentence;
    - people ill at a school or a kindergarten are its pupils.
    """
    first = parts.clause_index(fig.start)
    last = parts.clause_index(max(fig.start, fig.start + len(fig.span) - 1))
    s, e = parts.clauses[first][0], parts.clauses[last][1]
    m = lex.VULNERABLE_RE.search(text, s, e)
    if m is not None:
        return m.group(0)
    if last + 1 < len(parts.clauses):
        nxt = parts.clause_text(last + 1)
        if lex.WHO_THEY_WERE_RE.search(nxt):
            m = lex.VULNERABLE_RE.search(nxt)
            if m is not None:
                return m.group(0)
    if fig.kind == "sick":
        school = lex.SCHOOL_RE.search(parts.sentence_text(fig.start))
        if school is not None:
            return school.group(0)
    if lex.OTHER_PEOPLE_RE.search(lex.ATTRIBUTION_RE.sub("", text[s:e])):
        return None  # the figure names its people, and they are not of a group
    sentence = parts.sentence_index(fig.start)
    earliest = parts.sentences[max(0, sentence - 2)][0]
    for i in range(first - 1, -1, -1):
        cs, ce = parts.clauses[i]
        if ce <= earliest:
            break
        counted = _last_counted(text, cs, ce)
        if counted is None:
            continue
        if lex.VULNERABLE_RE.fullmatch(counted):
            return counted
        # "一个女生寝室住了8个人": a plain head count of a group named beside it
        named = lex.VULNERABLE_RE.search(text, cs, ce) if counted == "人" else None
        return named.group(0) if named else None
    sentence_start = parts.sentences[sentence][0]
    m = lex.VULNERABLE_RE.search(text, sentence_start, s)
    return m.group(0) if m else None


def _group_share(text: str, fig: Figure, parts: Parts) -> float | None:
    """How many of a figure's victims the clause after it counts in the group ("其中有4个是学生",
    "其中3名儿童"), or None when it gives no count."""
    last = parts.clause_index(max(fig.start, fig.start + len(fig.span) - 1))
    if last + 1 >= len(parts.clauses):
        return None
    nxt = parts.clause_text(last + 1)
    if not (lex.WHO_THEY_WERE_RE.search(nxt) and lex.VULNERABLE_RE.search(nxt)):
        return None
    m = _SHARE_COUNT_RE.search(nxt)
    parsed = parse_number(m.group("num")) if m else None
    return parsed[0] if parsed else None


def _last_counted(text: str, start: int, end: int) -> str | None:
    """The people of the last head count in ``text[start:end]``: "车上9个娃娃" → 娃娃."""
    found = list(_COUNTED_RE.finditer(text, start, end))
    return found[-1].group("who") if found else None


def _crowd(
    terms: list[_Term], measures: _Measures, text: str, strong: bool
) -> tuple[float, bool, list[str]]:
    """(head count, whether a crowd incident, crowd words) of a gathering with a grievance."""
    words = [t.word for t in terms if t.strength == lex.CROWD]
    went = lex.CROWD_WENT_RE.search(text) is not None
    if not words and not measures.get("crowd") and not went:
        return 0.0, False, []
    gathered = bool(words or lex.GATHERED_RE.search(text))
    # a head count of people who "维权" or "讨薪" is a crowd only where they gather
    crowd = measures.get("crowd") if gathered or (strong and words) else 0.0
    grievance = lex.GRIEVANCE_RE.search(text)
    if crowd < CROWD_MIN and (words or went) and grievance:
        # the head count told with the grievance, before what the crowd did
        heads = [parse_number(m.group("num")) for m in _CROWD_HEAD_RE.finditer(text)]
        crowd = max([crowd, *(h[0] for h in heads if h)])
    # with a head count, blocking a road is a grievance in itself ("上百名家长聚集堵塞威宁路")
    if crowd < CROWD_MIN or not (
        grievance or lex.GRIEVANCE_WEAK_RE.search(text) or lex.BLOCKADE_RE.search(text)
    ):
        crowd = 0.0
    now = lex.CURRENT_RE.search(text) or lex.CROWD_NOW_RE.search(text)
    incident = bool(crowd or (words and grievance and (now or measures.get("crowd"))))
    return crowd, incident, sorted(set(words))


def _candidate(
    text: str,
    reading: _Reading,
    tables: GradingTables,
    rank: int,
) -> tuple[int, list[str]]:
    """The level the post would reach if its ruled-out or ambiguous figures stood."""
    cues: list[str] = []
    extra: list[Figure] = []
    for f, ruled in reading.ruled_figures:
        if ruled.cue == "remote" and lex.CERTAINLY_ELSEWHERE_RE.fullmatch(ruled.words):
            continue
        if ruled.cue in _CANDIDATE_CUES:
            extra.append(f)
            cues.append(f"{ruled.cue}: {ruled.words} ({f.span})")
    ambiguous = [f for f in reading.figures if f.kind == "casualties"]
    ambiguous += [f for f in reading.figures if f.note == "以轻伤为主"]
    cues += [f"ambiguous: {f.span}" for f in ambiguous]
    many = [f for f in reading.figures if f.note == "许多" and f.kind in _VICTIM_KINDS]
    # hearsay with a vague count ("听说…死了好几个", "据说埋了几个人"): the teller does not know
    # how many, so a person checks whether it reached 重大 (待核实)
    # …and so with a claim the post only doubts ("死了好几个，不知道真的假的")
    doubted = [
        f
        for f, ruled in reading.ruled_figures
        if ruled.cue == "claim"
        and lex.DOUBT_RE.search(text)
        and not lex.CUE_RES["debunk"].search(text)
    ]
    many += [
        f
        for f in [*reading.hearsay, *doubted]
        if f.kind in _VICTIM_KINDS and f.approximate and f.value <= VAGUE_COUNT and f not in many
    ]
    cues += [f"many: {f.span} (read as {f.value:g}, may be {MANY_CHECK:g} or more)" for f in many]
    if not extra and not ambiguous and not many and not reading.hearsay:
        return 0, []
    figures = [
        replace(f, value=max(f.value, MANY_CHECK)) if f in many else f for f in reading.figures
    ]
    figures += [replace(f, value=max(f.value, MANY_CHECK)) if f in many else f for f in extra]
    terms = reading.terms + [t for t, r in reading.ruled_terms if r.cue in _CANDIDATE_CUES]
    kind, _ = _kind(terms, figures, text)
    measures = _measures(
        _context_bound(figures, terms, text), kind, casualties_as_deaths=True, light_as_injured=True
    )
    would, _ = _grade(tables.table(kind), measures, text, tables.population_density)
    if reading.hearsay and rank >= MAJOR_RANK:
        plain = _measures(
            _context_bound([f for f in reading.figures if f not in reading.hearsay], terms, text),
            kind,
        )
        without, _ = _grade(tables.table(kind), plain, text, tables.population_density)
        if without < MAJOR_RANK:
            cues.append("hearsay: " + "；".join(f.span for f in reading.hearsay))
            return max(would, rank), cues
    return would, cues


def _moved_candidate(
    tables: GradingTables, kind: str, measures: _Measures, rank: int
) -> tuple[int, str | None]:
    """People moved from a natural disaster whose plan grades no people moved (the 森林防火条例
    and the 国家地震应急预案 grade by area, magnitude and casualties): the rows for people moved
    from other natural disasters say whether a person should check (待核实); they grade nothing."""
    moved = measures.get("evacuated")
    table = tables.table(kind)
    if not moved or table.emergency_type != lex.NATURAL or kind == lex.NATURAL_OTHER:
        return 0, None
    if any(m == "evacuated" for row in table.rows for m, _ in row.when):
        return 0, None
    other = tables.table(lex.NATURAL_OTHER)
    would, rows = _grade(other, _Measures({"evacuated": moved}, {}), "", tables.population_density)
    if would <= rank or not rows:
        return 0, None
    fig = measures.source.get("evacuated")
    span = fig.span if fig else f"{moved:g}"
    return (
        would,
        f"moved: {span}; {table.document} has no row for people moved; {rows[0].describe({'evacuated': moved})}",
    )


def assess(
    title: str,
    content: str,
    *,
    heat: float = 0.0,
    grading: GradingTables | None = None,
    locality: Locality | None = None,
) -> SeverityAssessment:
    """Grade one post. ``heat`` (0..100, ``classifier.heat``) raises a borderline emergency;
    ``grading`` is the jurisdiction's tables (``classifier.grading``), the national ones if None;
    ``locality`` tells its places from those elsewhere (``classifier.locality``; None: only
    generic words such as 本县 and 外地)."""
    raw = f"{title}。{content}" if title else content
    if (
        _ANY_RE.search(raw) is None
        and lex.SLOPE_FAILURE_RE.search(raw) is None
        and lex.SLOPE_THREAT_RE.search(raw) is None
    ):
        # most posts name no emergency and tell no figure: one scan settles them
        return _routine({"heat": heat} if heat else {})
    text = normalize(raw)
    terms = _terms(text)
    figures = extract_figures(text) if has_figure_words(text) else []
    if title and figures:
        # a title repeats a figure the content tells with its outcome ("两名儿童被困｜…救出")
        told = {(f.kind, f.value) for f in figures if f.start > len(title)}
        figures = [f for f in figures if f.start > len(title) or (f.kind, f.value) not in told]
    if (
        not terms
        and not figures
        and not (lex.KILLED_RE.search(text) or lex.SUDDEN_DEATH_RE.search(text))
        and not _went_with_grievance(text)
    ):
        return _routine({"heat": heat} if heat else {})
    if _cannot_be_an_incident(terms, figures, text):
        return _routine({"heat": heat} if heat else {})
    tables = grading or shipped_grading()
    title_end = len(title) + 1 if title else 0
    reading = _read(text, title_end, terms, figures, locality or Locality.neutral())
    standing_terms = reading.terms
    strong = [t for t in standing_terms if t.strength == lex.STRONG]
    kept = _context_bound(reading.figures, standing_terms, text)
    kind, type_scores = _kind(standing_terms, kept, text)
    measures = _measures(kept, kind)
    scope_ok = reading.stands
    if measures.get("deaths") == 0:
        implied = _implied_death(text, standing_terms, kept, scope_ok)
        if implied is not None:
            kept.append(implied)
            measures.values["deaths"] = 1.0
            measures.source["deaths"] = implied
            measures.implied = implied.span
    crowd, crowd_incident, crowd_words = _crowd(standing_terms, measures, text, bool(strong))
    measures.values["crowd"] = crowd
    casualty = (
        any(f.kind in CASUALTY_KINDS or f.kind in ("magnitude", "affected") for f in kept)
        or bool(measures.implied)
        or any(measures.get(m) for m in ("evacuated", "loss_yuan", "sick", "burned_ha"))
        or _phrase_stands(lex.CASUALTY_PHRASE_RE, text, scope_ok)
    )
    # trapped people brought out, or "所幸无人员伤亡" after an emergency word: it happened
    rescued_incident = any(f.rescued or f.kind == "rescued" for f in kept) or bool(
        (standing_terms or any(f.negated and f.kind in CASUALTY_KINDS for f in figures))
        and _phrase_stands(lex.NO_CASUALTY_RE, text, scope_ok)
    )

    evidence: dict[str, Any] = {
        "terms": _term_evidence(standing_terms),
        "figures": [_figure_evidence(f) for f in figures],
        "heat": heat,
    }
    ruled: list[tuple[Any, Ruled]] = [*reading.ruled_terms, *reading.ruled_figures]
    if ruled:
        evidence["suppressed_by"] = _suppressed(ruled)
    if measures.implied:
        evidence["implied_death"] = measures.implied

    incident = bool(strong or casualty or crowd_incident or rescued_incident)
    # adverts, advice, plans, hazards, questions and lost-person notices are no incident
    # unless a figure stands ("万一发生火灾", "请问地震补助", "专家提醒预防诺如")
    outcome = any(t.word in lex.OUTCOME_WORDS for t in strong)
    if incident and not casualty and not crowd_incident and not rescued_incident and not outcome:
        soft = {n: sorted(set(rx.findall(text))) for n, rx in lex.SOFT_CUE_RES.items()}
        soft = {n: w for n, w in soft.items() if w}
        if soft:
            evidence.setdefault("suppressed_by", {}).update(soft)
            incident = False
    past, money = lex.PAST_RE.search(text), lex.MONEY_CLAIM_RE.search(text)
    if (
        incident
        and past
        and money
        and not _current_figure(kept, text)
        and not _crowd_now(crowd, measures, text)
        and (lex.LONG_AGO_RE.search(text) or not _figured(measures))
    ):
        evidence.setdefault("suppressed_by", {})["past_claim"] = [past.group(0), money.group(0)]
        incident = False

    if not incident:
        cand, cues = _candidate(text, reading, tables, 0)
        if cand >= MAJOR_RANK:
            evidence["candidate_level"] = LEVELS[cand]
            evidence["candidate_cues"] = cues
        if standing_terms or reading.ruled_terms:
            evidence["candidate_type"] = lex.KIND_TYPE[kind]
        return _routine(evidence)

    table = tables.table(kind)
    if crowd_incident and not strong and kind != lex.CROWD_KIND and not casualty:
        kind, table = lex.CROWD_KIND, tables.table(lex.CROWD_KIND)
    rank, rows = _grade(table, measures, text, tables.population_density)
    if crowd >= CROWD_MIN and kind != lex.CROWD_KIND:
        # a crowd gathering over an accident or a death is a 群体性事件 too: the higher wins
        crowd_table = tables.table(lex.CROWD_KIND)
        crowd_only = _Measures({"crowd": crowd}, measures.source)
        crowd_rank, crowd_rows = _grade(crowd_table, crowd_only, text, tables.population_density)
        if crowd_rank > rank:
            kind, table, rank, rows = lex.CROWD_KIND, crowd_table, crowd_rank, crowd_rows
    if kind == lex.CROWD_KIND:
        type_scores[lex.SOCIAL] = type_scores.get(lex.SOCIAL, 0.0) + 1.5
    etype = table.emergency_type
    graded, rules = _graded_evidence(text, rows, measures)
    terms_shown = [t.word for t in strong[:5]] or [t.word for t in standing_terms[:5]]
    head = f"突发事件 ({etype}, {table.name}): " + "、".join(terms_shown or ["figures"])
    rules.insert(0, head)
    if not rows:
        rules.append(f"an incident below every row of {table.document} → 一般")
    evidence.update({"type_scores": type_scores, "kind": kind, "plan": table.document})

    raised: list[str] = []
    if crowd_words:
        evidence["crowd_words"] = crowd_words
    if tables.crowd_blockade and kind == lex.CROWD_KIND and (crowd or crowd_incident):
        blockade = _blockade(text)
        # a raise, like every raise of grading.toml [raises], lifts 一般 / 较大 only; a 重大
        # crowd becomes 特别重大 only by what the 分级标准's 特别重大 rows name
        severe = lex.SEVERE_BLOCKADE_RE.search(text) if rank == 3 else None
        if blockade and rank in (1, 2):
            rank += 1
            why = f"堵路 / 冲突 ({blockade.group(0)}) raises it to {LEVELS[rank]}"
            raised.append(f"blockade: {blockade.group(0)}")
            rules.append(why)
        elif blockade and severe:
            rank += 1
            why = (
                f"{severe.group(0)}: 特别重大（分级标准 群体性事件 特别重大：冲击、围攻党政机关，"
                "打砸抢烧，或阻断高速公路、国道、铁路干线）"
            )
            raised.append(f"blockade: {severe.group(0)}")
            rules.append(why)

    hurt = ill = 0.0
    groups: list[str] = []
    for f in kept:
        if f.kind not in _VICTIM_KINDS and f.kind != "sick":
            continue
        group = _victim_group(text, f, reading.scope.parts)
        if group is None:
            continue
        groups.append(f"{f.span} ({group})")
        # "确诊11例，其中有4个是学生": the group is 4 of them
        share = _group_share(text, f, reading.scope.parts)
        value = min(f.value, share) if share is not None else f.value
        if f.kind == "sick":
            ill = max(ill, value)
        elif not (f.kind == "trapped" and f.rescued):
            hurt += value
    if groups:
        evidence["vulnerable"] = groups
    if (hurt >= tables.vulnerable_hurt or ill >= tables.vulnerable_sick) and rank in (1, 2):
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

    cand, cues = _candidate(text, reading, tables, rank)
    moved, moved_cue = _moved_candidate(tables, kind, measures, rank)
    if moved_cue is not None:
        cand = max(cand, moved)
        cues.append(moved_cue)
    if cand >= MAJOR_RANK and (cand > rank or any(c.startswith("hearsay") for c in cues)):
        evidence["candidate_level"] = LEVELS[max(cand, rank)]
        evidence["candidate_cues"] = cues
    evidence["measures"] = graded
    evidence["raised_by"] = raised
    evidence["rules"] = rules
    return SeverityAssessment(LEVELS[rank], etype, rank / 4, evidence, MODEL_VERSION)


_STANDALONE_FIGURES: Final = frozenset(
    {*CASUALTY_KINDS, "magnitude", "rescued", "crowd", "evacuated", "endangered", "burned_ha"}
)


def _food_sick(f: Figure, text: str) -> bool:
    """Ten or more people ill after a meal are a food poisoning whatever the post calls it."""
    if f.kind != "sick" or f.value < 10 or f.negated:
        return False
    start = max(0, f.start - 40)
    return lex.FOOD_HINT_RE.search(text, start, f.start + len(f.span) + 20) is not None


def _went_with_grievance(text: str) -> bool:
    """People who went or sat somewhere over a grievance: a crowd, once counted (``_crowd``)."""
    return bool(lex.CROWD_WENT_RE.search(text) and lex.GRIEVANCE_RE.search(text))


def _cannot_be_an_incident(terms: list[_Term], figures: list[Figure], text: str) -> bool:
    """A cheap answer for most ordinary posts, before any cue is read: without an emergency word,
    only casualty-like figures make an incident ("住院3个月" or "转移财产" do not); weak words
    alone need a figure or a statement about casualties."""
    if any(t.strength != lex.WEAK for t in terms) or _went_with_grievance(text):
        return False
    if any(f.kind in _STANDALONE_FIGURES or (f.negated and terms) for f in figures):
        return False
    if any(_food_sick(f, text) for f in figures):
        return False
    if terms and figures:
        return False  # weak words with a figure: an incident if the figure stands
    if terms:
        return not (
            lex.NO_CASUALTY_RE.search(text)
            or lex.CASUALTY_PHRASE_RE.search(text)
            or lex.EVENT_DEATH_RE.search(text)
            or lex.KILLED_RE.search(text)
        )
    return not (lex.KILLED_RE.search(text) or lex.SUDDEN_DEATH_RE.search(text))


def _phrase_stands(rx: Any, text: str, scope_ok: Callable[[int], bool]) -> bool:
    return any(scope_ok(m.start()) for m in rx.finditer(text))


# an emergency word denied right before it: "没有着火", "未发生任何爆炸事故", "并没有塌"
_DENIED_TERM_RE: Final = re.compile(
    r"(?:没有|没|未|并未|并没有|从未|无)(?:发生|出现|造成)?(?:过)?(?:任何)?(?:的)?\Z"
)
# what a rumour made of something smaller: "被人以讹传讹传成了食物中毒", "说成了爆炸"
_TOLD_AS_RE: Final = re.compile(r"(?:传成|说成|误传成|误传为|讹传为|夸大成|传为)了?\Z")
_DENIED_BEFORE_RE: Final = re.compile(r"(?:没有|没|未|无|并未|并没有|不曾)(?:发生)?\Z")


def _blockade(text: str) -> re.Match[str] | None:
    """A road or a gate blocked or a clash, unless the post denies it ("现场没有发生冲突",
    "没有堵门")."""
    for rx in (lex.BLOCKADE_RE, lex.GATE_BLOCKADE_RE):
        for m in rx.finditer(text):
            if not _DENIED_BEFORE_RE.search(text, max(0, m.start() - 5), m.start()):
                return m
    return None


def _crowd_now(crowd: float, measures: _Measures, text: str) -> bool:
    """A crowd counted in a sentence that tells it is gathered today ("今天一早…一千五百多个村民
    自发聚集…到现在中午了还没散"): a gathering over money is no claim about the past."""
    fig = measures.source.get("crowd")
    if crowd < CROWD_MIN or fig is None or fig.start < 0:
        return False
    left = max((m.end() for m in _SENTENCE_END_RE.finditer(text, 0, fig.start)), default=0)
    right_m = _SENTENCE_END_RE.search(text, fig.start)
    right = right_m.start() if right_m else len(text)
    return bool(_CROWD_TODAY_RE.search(text, left, right))


def _figured(measures: _Measures) -> bool:
    """A figure the tables grade by stands: a casualty, a loss, the ill, people moved, a burned
    area or a crowd."""
    return any(v > 0 for v in measures.values.values())


def _current_figure(figures: list[Figure], text: str) -> bool:
    return any(
        f.kind in _VICTIM_KINDS and lex.CURRENT_RE.search(_clause_of(text, f.start))
        for f in figures
    )


def _term_evidence(terms: list[_Term]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    out: list[dict[str, Any]] = []
    for t in terms:
        if t.word not in seen:
            seen.add(t.word)
            out.append({"term": t.word, "type": t.type, "strength": t.strength})
    return out


def _figure_evidence(f: Figure) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": f.kind,
        "value": f.value,
        "approximate": f.approximate,
        "text": f.span,
    }
    if f.negated:
        out["negated"] = True
    if f.rescued:
        out["rescued"] = True
    if f.note:
        out["note"] = f.note
    return out


def _suppressed(ruled: Sequence[tuple[Any, Ruled]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for _, r in ruled:
        words = out.setdefault(r.cue, [])
        if r.words not in words:
            words.append(r.words)
    return out


def combine(assessments: Sequence[SeverityAssessment], *, heat: float) -> SeverityAssessment:
    """Severity of an event from the assessments of its posts.

    The level is the highest *base* level among the posts (before any per-post heat raise), so
    heat raises an event once: 一般 / 较大 go up one level when the event's heat reaches
    ``HEAT_RAISE``, or when three or more of its posts report a gathering (a crowd seen from
    several sides is growing). A 常规 event stays 常规: attention alone is no emergency. The
    highest ``candidate_level`` of the posts, when above the event's level, is carried up.
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
    candidate = max(
        (RANK.get(str(a.evidence.get("candidate_level")), 0) for a in assessments), default=0
    )
    if rank == 0:
        if candidate:
            evidence["candidate_level"] = LEVELS[candidate]
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
    if candidate > rank:
        evidence["candidate_level"] = LEVELS[candidate]
    return SeverityAssessment(LEVELS[rank], top.emergency_type, rank / 4, evidence, MODEL_VERSION)
