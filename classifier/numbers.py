"""Chinese and Arabic numerals as people write them in posts.

Full-width digits (``１２``) are read like ASCII ones (``normalize`` maps them one to one, so
offsets do not move), thousands separators are dropped (``12,000万`` is 1.2亿), decimals may
carry a unit (``0.6亿``, ``1.2万``).

Vague counts are read as a *lower bound* a duty officer can defend, because the grading
thresholds are all "at least N":

- ``数十`` / ``几十`` -> 20 ("several tens": at least two tens), ``数百`` -> 200, ``数千`` -> 2000
- ``上百`` / ``成百`` -> 100, ``上千`` -> 1000, ``上万`` -> 10000
- ``十余`` / ``十几`` / ``十多`` / ``十来`` / ``40余`` -> the stated base (10, 40): "more than N"
  meets "≥ N"; ``二十几`` -> 20, ``好几十`` -> 20, ``三千多万`` -> 3000万
- ``三四十`` / ``两三`` -> the lower of the pair (30, 2)
- ``近百`` / ``近三十`` -> 90 % of the figure (near 30 is below 30)
- a bare ``多`` / ``数`` / ``几`` / ``好几`` before a person word (``多人死亡``) -> 3: unknown but
  plural casualties lean up rather than down
- ``上亿`` -> 1亿, ``数千万`` -> 2000万, ``近亿`` -> 9000万
- ``百把`` / ``千把`` ("a hundred or so") -> 100, 1000; ``二十大几`` -> 20 like ``二十几``
- a range written as two counts, ``十几二十`` / ``几十上百`` / ``几百上千``, -> the lower one (10, 20,
  200)
- many people without a number, ``好多`` / ``很多`` / ``不少`` / ``一车`` / ``一船`` / ``一屋子``,
  -> 3 like a bare ``多``; ``MANY_RE`` tells them apart, as they may hide far more (see
  ``classifier.severity``). ``一家人`` / ``一家子`` / ``全家`` -> 3.
All of these are marked approximate.
"""

from __future__ import annotations

import re
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
# counts of "many" with no number: read as VAGUE_COUNT, but they may be ten or a hundred
MANY_RE: Final = re.compile(
    r"^(?:好多|很多|许多|不少|好些|大批|大量|一(?:整|满)?(?:车|船|屋子|屋))$"
)
# a household or a vehicle full of people, without a number
_COLLECTIVE_RE: Final = re.compile(r"^(?:一(?:整|满)?(?:车|船|屋子|屋)|一家子|一家|全家)$")
# two counts naming a range: the lower one is what the post vouches for
_RANGE_RE: Final = re.compile(
    r"^(?P<low>十几|十多|十来|几十|好几十|数十|几百|数百|成百|上百|几千|数千|成千|上千)"
    r"(?:二十|上百|上千|上万|近百)$"
)

# full-width digits and decimal point, mapped one to one so that offsets stay valid; the
# southern 冇 ("冇得气哒", "冇找到") is 没, one character for one
_FULL_WIDTH: Final = str.maketrans("０１２３４５６７８９．冇", "0123456789.没")
_FULL_WIDTH_CHARS: Final = "０１２３４５６７８９．冇"


def normalize(text: str) -> str:
    """``text`` with full-width digits as ASCII digits and 冇 as 没; the length never changes."""
    # most posts have none: a few substring scans are far cheaper than translate
    if any(ch in text for ch in _FULL_WIDTH_CHARS):
        return text.translate(_FULL_WIDTH)
    return text


# A numeral as it appears in text (see ``parse_number`` for what each form means). The thousands
# separator must be followed by exactly three digits, so "12人，300余人" stays two numbers.
NUMERAL: Final = (
    r"(?:约|大约|近|将近|接近|逾|超过|达|高达|共|至少|不下|不少于|起码|最少|少说)?"
    r"(?:(?:十几|十多|十来|几十|好几十|数十|几百|数百|成百|上百|几千|数千|成千|上千)"
    r"(?:二十|上百|上千|上万|近百)"
    r"|好多|很多|许多|不少|好些|大批|大量|一(?:整|满)?(?:车|船|屋子|屋)|一家子|一家(?=人)|全家"
    r"|[百千万]把"
    r"|\d{1,3}(?:[,，]\d{3})+(?!\d)(?:\.\d+)?[余多]?[十百千万亿]*[余多]?"
    r"|\d+(?:\.\d+)?[余多来]?[十百千万亿]*[余多来]?"
    r"|(?:上|成|数|几|好几)[十百千万亿]+[余多来把]?"
    r"|[一二两俩三四五六七八九十百千万亿零〇]+(?:好几|大几|几)?[余多几来]?[十百千万亿]?[余多]?"
    r"|好几|几|数|多)"
)

_PREFIX_RE: Final = re.compile(
    r"^(?:约|大约|近|将近|接近|逾|超过|超|达|高达|共|共计|计|至少|不少于|不下|起码|最少|少说)"
)
_ARABIC_RE: Final = re.compile(r"^(\d+(?:\.\d+)?)([余多来]?)([十百千万亿]*)([余多来]?)$")
_VAGUE_RE: Final = re.compile(r"^(上|成|数|几|好几)([十百千万亿]+)([余多来把]?)$")
_ABOUT_RE: Final = re.compile(r"^([百千万])把$")


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
    # "一百好几十" is read as "一百几十": 好 only stresses the vague count
    s = (
        normalize(s.strip())
        .replace(",", "")
        .replace("，", "")
        .replace("好几", "几")
        .replace("大几", "几")
    )
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
    if (
        s in ("多", "数", "几", "若干", "多名", "数名")
        or MANY_RE.match(s)
        or _COLLECTIVE_RE.match(s)
    ):
        result = (VAGUE_COUNT, True)
    elif (rm := _RANGE_RE.match(s)) is not None:
        result = parse_number(rm.group("low"))
    elif (bm := _ABOUT_RE.match(s)) is not None:
        result = (float(_UNITS[bm.group(1)]), True)
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
