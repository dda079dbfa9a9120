"""Masking of personal data in text that leaves the system (emails, digests, exports).

The raw text stays in storage; what is shown keeps enough to stay readable and to let a
person recognise a number they already know:

=================  ===========================  ==========================
what               example                      masked
=================  ===========================  ==========================
mobile number      13812345678, +86 138 1234…   138****5678
landline           0857-8221234, (0857)8221234  0857-****234
ID card (18)       52240119900101123X           5224**********123X
bank card (16-19)  6222 0212 3456 7890 123      6222***********0123
email              zhang.san@qq.com             zh***@qq.com
name after cue     我叫张三 / 本人王小明          我叫张* / 本人王**
licence plate      贵F·12345, 贵FD12345          贵F·***45, 贵F****45
=================  ===========================  ==========================

Names are masked only after 我叫 / 本人 / 我是 / 姓名 and only when they start with a
common surname and are not a place: a division of China (``domain.divisions``), a place the
caller names (``places``), or a word ending in a place kind ("我是王家坝村的" stays as it is).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache, partial
from typing import Final

from classifier.alternation import trie_pattern
from domain.divisions import divisions

# Common surnames (the most frequent ~120 single-character ones and a few double ones).
_SURNAMES: Final = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁"
    "任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武"
    "戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮"
    "柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪"
    "简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛"
    "仲虞敖巩明佘池查麻苑迟邝"
)
_DOUBLE_SURNAMES: Final = "欧阳|司马|诸葛|上官|东方|皇甫|令狐|慕容|尉迟|长孙|宇文|司徒|夏侯|公孙"
# characters that end a name early: "我叫李明今年30岁" masks 李明, not 李明今
_NAME_STOP: Final = "今年是在的了住家从想要说和也就都，。、；：！？,.;:!? 0123456789"
# a would-be name followed by these is a place or an organisation: "我是王家坝村的"
_PLACE_TAIL: Final = "村镇乡区县市省街路社组寨屯坝坡湾沟冲桥园苑楼栋号厂校局委所站院队"

# would-be names that are roles or words ("本人党员", "我是黄金…"); places are data
_NOT_NAME: Final = re.compile(
    r"^[:：]?\s*(?:本地|外地|本村|居民|村民|业主|家长|老师|学生|农民|党员|市民|"
    r"司机|医生|护士|员工|工人|公务员|包工头|房东|租户|车主|商户|黄金)"
)

_PROVINCES: Final = "京津沪渝冀晋辽吉黑苏浙皖闽赣鲁豫鄂湘粤桂琼川贵黔云滇陕秦甘陇青宁新藏蒙港澳台"

# Every pattern starts with a plain character class or word, so the regex engine can skip
# through a post quickly; most posts have no personal data at all.
_NUMBERS: Final = re.compile(
    # 18-digit ID card (last may be X); before bank cards and phones, which it contains
    r"(?P<id>(?<![0-9A-Za-z])[1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
    r"\d{3}[\dXx](?![0-9A-Za-z]))"
    # bank card: 16-19 digits, optionally grouped by 4 with spaces or dashes
    r"|(?P<bank>(?<![\d])(?:\d{4}[ -]){3}\d{4}(?:[ -]?\d{1,3})?(?!\d)|(?<!\d)\d{16,19}(?!\d))"
    # mobile: 1[3-9]x xxxx xxxx, optional +86 and separators
    r"|(?P<mobile>(?<!\d)(?:\+?86[- ]?)?1[3-9]\d[- ]?\d{4}[- ]?\d{4}(?!\d))"
    # landline with area code: 0857-8221234, (0857)8221234, 0857 8221234
    r"|(?P<landline>(?<!\d)(?:\(0\d{2,3}\)|0\d{2,3}[- ]?)\d{7,8}(?:-\d{1,4})?(?!\d))"
)
# a run of digits long enough to hold one of the numbers above
_NUMBER_RUN: Final = re.compile(r"[+(\d][\d ()+-]{6,}[\dXx]?")
# a landline without area code, only right after a phone word: "电话：8221234"
_LOCAL: Final = re.compile(r"(?:电话|座机|联系|热线|手机)[:：]?\s*(?P<num>\d{7,8})(?!\d)")
_EMAIL: Final = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}")
# licence plate: province + letter + optional separator + 5 (6 for new-energy) characters
_PLATE: Final = re.compile(
    rf"[{_PROVINCES}][A-HJ-NP-Z][·•\. ]?[A-HJ-NP-Z0-9]{{4}}[A-HJ-NP-Z0-9挂学警港澳]"
    r"[A-HJ-NP-Z0-9]?(?![A-Za-z0-9])"
)
# a name after a self-introduction
_NAME: Final = re.compile(
    rf"(?:我叫|本人|我是|姓名|名叫)(?P<name>[:：]?\s*(?:{_DOUBLE_SURNAMES}|[{_SURNAMES}])"
    r"[\u4e00-\u9fff]{1,2})"
)


def _mask_digits(s: str, keep_head: int, keep_tail: int) -> str:
    """Replace the digits of ``s`` between the first ``keep_head`` and the last ``keep_tail``."""
    positions = [i for i, ch in enumerate(s) if ch.isalnum()]
    hide = set(positions[keep_head : len(positions) - keep_tail])
    return "".join("*" if i in hide else ch for i, ch in enumerate(s))


def _mask_landline(s: str) -> str:
    m = re.match(r"(\(0\d{2,3}\)|0\d{2,3}[- ]?)(.*)", s)
    if m is None:
        return _mask_digits(s, 0, 3)
    return m.group(1) + _mask_digits(m.group(2), 0, 3)


def _mask_name(s: str) -> str:
    prefix = re.match(r"[:：]?\s*", s)
    head = prefix.group(0) if prefix else ""
    name = s[len(head) :]
    surname = 2 if name[:2] in _DOUBLE_SURNAMES.split("|") else 1
    for i, ch in enumerate(name[surname + 1 :], start=surname + 1):
        if ch in _NAME_STOP:
            name = name[:i]
            break
    return head + name[:surname] + "*" * (len(name) - surname)


def _mask_number(m: re.Match[str]) -> str:
    kind = m.lastgroup
    s = m.group(0)
    if kind in ("id", "bank"):
        return _mask_digits(s, 4, 4)
    if kind == "mobile":
        digits = sum(ch.isdigit() for ch in s)
        return _mask_digits(s, 5 if digits == 13 else 3, 4)  # keep +86 and the operator prefix
    return _mask_landline(s)


def _mask_run(m: re.Match[str]) -> str:
    return _NUMBERS.sub(_mask_number, m.group(0))


def _mask_local(m: re.Match[str]) -> str:
    s = m.group(0)
    cut = m.start("num") - m.start()
    return s[:cut] + _mask_digits(s[cut:], 0, 3)


def _mask_email(m: re.Match[str]) -> str:
    local, _, domain = m.group(0).partition("@")
    return f"{local[:2]}***@{domain}"


def _mask_plate(m: re.Match[str]) -> str:
    return _mask_digits(m.group(0), 2, 2)  # keep the province, the letter and the last two


@lru_cache(maxsize=1)
def _division_start() -> re.Pattern[str]:
    """A would-be name that starts with a division's name or short name is a place."""
    words = {n for d in divisions() for n in (d.name, d.short) if len(n) >= 2}
    return re.compile(r"^[:：]?\s*(?:" + trie_pattern(sorted(words)) + ")")


def _is_place(s: str, places: Collection[str]) -> bool:
    bare = s.lstrip(":： ")
    return bool(_division_start().match(s)) or any(bare.startswith(p) for p in places if p)


def _mask_name_match(m: re.Match[str], places: Collection[str] = ()) -> str:
    whole = m.group(0)
    s = m.group("name")
    cue = whole[: len(whole) - len(s)]
    end = m.end()
    if (
        (end < len(m.string) and m.string[end] in _PLACE_TAIL)
        or _NOT_NAME.search(s)
        or _is_place(s, places)
    ):
        return whole  # "我是王家坝村的", a division's people, a role: not a name
    masked = _mask_name(s)
    # the stop rule may shorten the name: put the cut-off characters back
    return cue + masked + s[len(masked) :]


def mask_pii(text: str, *, places: Collection[str] = ()) -> str:
    """``text`` with phone, ID-card and bank-card numbers, emails, names and plates masked;
    ``places`` (the jurisdiction's names and places) are never taken for a person's name."""
    if not text:
        return text
    text = _NUMBER_RUN.sub(_mask_run, text)
    text = _LOCAL.sub(_mask_local, text)
    if "@" in text:
        text = _EMAIL.sub(_mask_email, text)
    text = _PLATE.sub(_mask_plate, text)
    return _NAME.sub(partial(_mask_name_match, places=places), text)
