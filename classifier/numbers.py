"""Chinese and Arabic numerals in post text, and the casualty / loss figures they carry.

Vague counts are read as a *lower bound* a duty officer can defend, because the grading
thresholds are all "at least N":

- ``数十`` / ``几十`` -> 20 ("several tens": at least two tens), ``数百`` -> 200, ``数千`` -> 2000
- ``上百`` / ``成百`` -> 100, ``上千`` -> 1000, ``上万`` -> 10000
- ``十余`` / ``十几`` / ``十多`` / ``40余`` -> the stated base (10, 40): "more than N" meets "≥ N"
- ``三四十`` / ``两三`` -> the lower of the pair (30, 2)
- ``近百`` / ``近三十`` -> 90 % of the figure (near 30 is below 30)
- a bare ``多`` / ``数`` / ``几`` / ``好几`` before a person word (``多人死亡``) -> 3: unknown but
  plural casualties lean up rather than down
All of these set ``Figure.approximate``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

_CN_DIGITS: Final = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "俩": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_SMALL_UNITS: Final = {"十": 10, "百": 100, "千": 1000}
_BIG_UNITS: Final = {"万": 10_000, "亿": 100_000_000}
_UNITS: Final = {**_SMALL_UNITS, **_BIG_UNITS}
_APPROX_MARKS: Final = frozenset("余多几来")
VAGUE_COUNT: Final = 3.0  # bare 多 / 数 / 几 / 好几 before a person word

_PREFIX_RE: Final = re.compile(
    r"^(?:约|大约|近|将近|接近|逾|超过|超|达|高达|共|共计|计|至少|不少于)"
)
_ARABIC_RE: Final = re.compile(r"^(\d+(?:\.\d+)?)([余多]?)([十百千万亿]*)([余多]?)$")
_VAGUE_RE: Final = re.compile(r"^(上|成|数|几|好几)([十百千万亿]+)([余多]?)$")


def _parse_cn(s: str) -> tuple[float, bool] | None:
    """Parse a run of Chinese numeral characters (with 余/多/几 marks) into (value, approx)."""
    total = 0.0
    section = 0.0
    digit: float | None = None
    approx = False
    last_unit = 0
    zero_after_unit = False
    seen = False
    for ch in s:
        if ch in _CN_DIGITS:
            value = _CN_DIGITS[ch]
            seen = True
            if value == 0:
                zero_after_unit = True
                continue
            if digit is not None:  # 三四十, 两三: keep the lower of the pair
                approx = True
                continue
            digit = float(value)
        elif ch in _SMALL_UNITS:
            unit = _SMALL_UNITS[ch]
            seen = True
            section += (digit if digit is not None else 1.0) * unit
            digit = None
            last_unit = unit
            zero_after_unit = False
        elif ch in _BIG_UNITS:
            unit = _BIG_UNITS[ch]
            seen = True
            section += digit or 0.0
            if section == 0 and total == 0:
                section = 1.0
            if unit == 100_000_000:
                total = (total + section) * unit
            else:
                total += section * unit
            section = 0.0
            digit = None
            last_unit = unit
            zero_after_unit = False
        elif ch in _APPROX_MARKS:
            approx = True
        else:
            return None
    if not seen:
        return None
    if digit is not None:
        # 一万二 = 12000, 一百二 = 120 (spoken short form); 一百零二 = 102
        if last_unit >= 100 and not zero_after_unit:
            section += digit * last_unit / 10
        else:
            section += digit
    return total + section, approx


def parse_number(s: str) -> tuple[float, bool] | None:
    """``(value, approximate)`` for a numeral string, or None. See the module notes."""
    s = s.strip().replace(",", "").replace("，", "")
    if not s:
        return None
    near = False
    approx = False
    m = _PREFIX_RE.match(s)
    if m:
        near = m.group(0) in ("近", "将近", "接近")
        approx = True
        s = s[m.end() :]
        if not s:
            return None
    result: tuple[float, bool] | None
    if s in ("多", "数", "几", "好几", "若干", "多名", "数名"):
        result = (VAGUE_COUNT, True)
    elif (am := _ARABIC_RE.match(s)) is not None:
        value = float(am.group(1))
        for ch in am.group(3):
            value *= _UNITS[ch]
        result = (value, bool(am.group(2) or am.group(4)))
    elif (vm := _VAGUE_RE.match(s)) is not None:
        base = 1.0 if vm.group(1) in ("上", "成") else 2.0
        for ch in vm.group(2):
            base *= _UNITS[ch]
        result = (base, True)
    else:
        result = _parse_cn(s)
    if result is None:
        return None
    value, was_approx = result
    if near:
        value *= 0.9
    return value, approx or was_approx


def parse_chinese_number(s: str) -> float | None:
    """ "三" -> 3, "十二" -> 12, "两百" -> 200, "1.2万" -> 12000, "数十" -> 20, "上百" -> 100."""
    parsed = parse_number(s)
    return None if parsed is None else parsed[0]


# ----------------------------------------------------------------------------- figures

FIGURE_KINDS: Final = (
    "deaths",
    "injured",
    "seriously_injured",
    "missing",
    "trapped",
    "evacuated",
    "loss_yuan",
    "crowd",
    "sick",  # poisoned / ill: 中毒, 发热, 病例 (an extension of the listed kinds)
    "endangered",  # people said to be in danger: "下游几万人有危险"
)


@dataclass(frozen=True, slots=True)
class Figure:
    kind: str
    value: float
    approximate: bool
    span: str
    start: int = -1  # offset of the matched span in the text


_NUM: Final = (
    r"(?:约|大约|近|将近|接近|逾|超过|达|高达|共|至少)?"
    r"(?:\d+(?:\.\d+)?[余多]?[十百千万亿]*[余多]?"
    r"|(?:上|成|数|几|好几)[十百千万亿]+[余多]?"
    r"|[一二两三四五六七八九十百千万亿零〇]+[余多几来]?[十百千万]?"
    r"|好几|几|数|多)"
)
# a person word right after the number: classifier or a group noun
# 个 counts people only before a person word or at the end of a phrase ("多个水渠" is no figure)
_WHO: Final = (
    r"(?:人|名|位|口|具|例|个(?=人|村民|居民|工人|学生|孩子|小孩|老人|乘客|游客|矿工|群众|幼儿|儿童|病人|患者|[^\u4e00-\u9fff]|$))"
    r"|(?:人员|群众|村民|居民|学生|工人|矿工|乘客|游客|幼儿(?!园)|儿童|孩子|老人|同胞|师生|员工|业主|家长)"
)
# gaps stay inside one clause and never step over another figure ("9人死亡62人受伤")
_GAP: Final = r"(?:(?!\d)[^，,。！!？?；;：:、\n]){0,18}?"
_SHORT_GAP: Final = r"(?:(?!\d)[^，,。！!？?；;：:、\n]){0,4}?"

_VERBS: Final = {
    "deaths": r"死亡|遇难|身亡|罹难|丧生|遇害|病亡|溺亡|殒命|致死|不幸去世|死了|被烧死|被砸死|没了|遗体|尸体|遗骸",
    "missing": r"失踪|失联|下落不明",
    "trapped": r"被困|被埋|被埋压|被掩埋|受困|困在|埋在|被压",
    "seriously_injured": r"重伤|受重伤|伤势严重|危重|病危",
    # 伤亡 without a split counts as injured: the larger injury thresholds still apply
    "injured": r"受伤|受轻伤|轻伤|烧伤|砸伤|咬伤|摔伤|撞伤|负伤|伤者|被打伤|被刺伤|被砍伤|打伤|刺伤|砍伤|伤亡",
    "sick": r"中毒|食物中毒|呕吐|腹泻|拉肚子|上吐下泻|发热|发烧|感染|确诊|患病|腹痛|不适|症状|送医|住院|病例|病倒",
    "evacuated": r"疏散|转移|撤离|转移安置|安置",
    "crowd": r"聚集|围堵|堵路|堵塞|围攻|冲击|集结|静坐|拉横幅|打砸|上访|围住|堵在|参与|卷入",
    "endangered": r"有危险|有生命危险|受到威胁|受威胁|危及",
}
_NOUN_AFTER_VERB: Final = r"(?:人员|群众|村民|居民|学生|工人|矿工|乘客|人数|的)?"

# Figures are found from their verbs: a plain-word scan finds the verbs (few per post), then a
# short window before the verb ("3名工人|死亡") or the text after it ("死亡|9人") is parsed.
_VERB_KIND: Final = {verb: kind for kind, verbs in _VERBS.items() for verb in verbs.split("|")}
_VERB_ALT: Final = "|".join(sorted(map(re.escape, _VERB_KIND), key=len, reverse=True))
_VERB_RE: Final = re.compile(_VERB_ALT)
# "3名工人死亡", "130多名学生出现呕吐": number, person word, short gap, then the verb
_FORWARD_RE: Final = re.compile(rf"(?P<num>{_NUM})(?:{_WHO}){_GAP}\Z")
_FORWARD_WINDOW: Final = 38
# "死亡9人", "失联人员达37人", "死亡人数已升至十人", "转移群众1.2万人"
_BACKWARD_RE: Final = re.compile(
    rf"{_NOUN_AFTER_VERB}(?:已|已经)?(?:上升到|上升至|升至|增至|达到|达|为|了|约|共|近)?"
    rf"{_SHORT_GAP}(?P<num>{_NUM})(?:{_WHO})(?!{_VERB_ALT})"
)
# "6死", "1死3伤", "3死12伤"; the numeral must be a plain count ("万一死了" is no figure) and
# 死 must end the phrase ("死了十几次" in a game is no figure either)
_DEATH_INJURY_RE: Final = re.compile(
    r"(?<![\d一二两三四五六七八九十百千万亿])"
    r"(?P<d>\d+|[一二两三四五六七八九十]{1,3})死"
    r"(?:(?P<i>\d+|[一二两三四五六七八九十百]{1,4}[余多]?)伤)?"
    r"(?=[，,。、；;！!？?\s]|$)"
)
# "直接经济损失约2000万元", "损失达8000余万元", "损失上亿": a 元 may be left out after 万 / 亿
_LOSS_RE: Final = re.compile(
    rf"损失{_GAP}(?P<num>(?:约|大约|近|逾|超过|达|高达|共)?"
    r"(?:\d+(?:\.\d+)?[余多]?[十百千万亿]*[余多]?"
    r"|(?:上|成|数|几|好几)[十百千万亿]+[余多]?"
    r"|[一二两三四五六七八九十百千万亿零]+[余多几]?[十百千万亿]*))"
    r"(?:元|(?<=[万亿])|(?<=[万亿][余多]))"
)


def extract_figures(text: str) -> list[Figure]:
    """Casualty, loss, evacuation and crowd figures in text order (a kind may repeat).

    Each number gets the kind of its nearest verb: "20余人受伤送医" is injured, not ill.
    """
    found: list[Figure] = []
    taken: set[int] = set()
    for v in _VERB_RE.finditer(text):
        kind = _VERB_KIND[v.group(0)]
        lo = max(0, v.start() - _FORWARD_WINDOW)
        m = _FORWARD_RE.search(text[lo : v.start()])
        if m is not None and lo + m.start() not in taken:
            parsed = parse_number(m.group("num"))
            if parsed is not None and parsed[0] > 0:
                taken.add(lo + m.start())
                span = text[lo + m.start() : v.end()]
                found.append(Figure(kind, parsed[0], parsed[1], span, lo + m.start()))
                continue
        b = _BACKWARD_RE.match(text, v.end())
        # the number belongs to the verb right before it: "中毒死了两个" are deaths
        if (
            b is not None
            and b.start("num") not in taken
            and _VERB_RE.search(text, v.end(), b.start("num")) is None
        ):
            parsed = parse_number(b.group("num"))
            if parsed is not None and parsed[0] > 0:
                taken.add(b.start("num"))
                found.append(
                    Figure(kind, parsed[0], parsed[1], text[v.start() : b.end()], v.start())
                )
    if "死" in text:
        for m in _DEATH_INJURY_RE.finditer(text):
            parsed = parse_number(m.group("d"))
            if parsed is None or m.start("d") in taken:
                continue
            found.append(Figure("deaths", parsed[0], parsed[1], m.group(0), m.start()))
            if m.group("i"):
                injured = parse_number(m.group("i"))
                if injured is not None:
                    found.append(Figure("injured", injured[0], injured[1], m.group(0), m.start()))
    if "损失" in text:
        for m in _LOSS_RE.finditer(text):
            parsed = parse_number(m.group("num"))
            if parsed is not None:
                found.append(Figure("loss_yuan", parsed[0], parsed[1], m.group(0), m.start()))
    found.sort(key=lambda f: f.start)
    return found
