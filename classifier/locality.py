"""Here and elsewhere: which places of a post are the jurisdiction's and which are not.

*Here* is the jurisdiction's name and full name, the names of its townships and streets, every
place its units list, and the generic markers (本县, 我们村, ``lexicon_severity.LOCAL_MARKERS``).
*Elsewhere* is every other division of China (``domain.divisions``) and the generic markers
(外地, foreign countries, ``lexicon_severity.REMOTE_MARKERS``). The jurisdiction's province and
prefecture only give context ("…省…市…区"): they are neither.

Divisions are matched by full name at every level, and by short name for provinces and
prefectures; a county's short name counts only when it is no ordinary word (``jieba``'s
dictionary knows it as a place or not at all), so a county named like a common verb or
adjective stays a word, and a name that straddles two words of the text as jieba segments it
is not read. A remote name followed by a street word (路, 街, 广场 …) is a street
named after it, found in every town. A township the configuration does not list is no place
here nor elsewhere: the division data names no townships, and a post about an unlisted place of
the jurisdiction must not be taken for news from elsewhere (list every township as a unit or a
unit's place).

Where names overlap, the longer one wins (a local mine named after a prefecture is local; a
county's full name elsewhere beats a local township's short name of the same letters), and a
local name wins a tie.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

import jieba

from classifier import lexicon_severity as lex
from classifier.alternation import trie_pattern
from domain.divisions import ETHNIC, Division, divisions
from domain.jurisdiction import Jurisdiction

# a name followed by one of these is a street or a square named after a place
# letters on each side of a remote name that decide how its neighbourhood is segmented
_WINDOW: Final = 8
_STREET_AFTER: Final = r"(?!路|街|大道|大街|巷|广场|公园|小区|花园)"
# a bare county short name, or a district named like a part of any town (an "old town" or
# "east town" district), names a place elsewhere only where it stands as one: after a word of
# going or being somewhere, or before the county word, its people or what happened there.
# Standing alone it is as often an ordinary word ("along the river", "a mountain road") or a
# local mine, village or company named alike.
_STAND_BEFORE: Final = re.compile(r"(?:在|去|到|往|赴|来自|从|回)$")
# ...but not before the word of a road, a village, a mine or a works named after it
_NAMED_AFTER: Final = re.compile(
    r"公路|路|街|道|村|组|镇|乡|坡|沟|山|河|湖|江|桥|矿|煤|厂|公司|水库|小区|花园|广场|市场|"
    r"中学|小学|学校|医院|景区"
)
_STAND_AFTER: Final = re.compile(
    r"县|人(?!民|员|群|口|家)|一[个家所座处辆名位栋场条]|那边|那里|那次|这次|地区|境内|当地|"
    r"[昨今前]天|[昨今]晚|昨日|今日|凌晨|发生|突发|遭|出现|地震|暴雨|洪水|山洪|山体|泥石流|"
    r"滑坡|大火|特大|等地"
)
# one-letter function words that begin no place name read across two words ("和" + "县")
_FUNCTION_LETTERS: Final = frozenset("和与及跟同或在的了是把被从向对给")
_GENERIC_DISTRICT: Final = re.compile(r"^[老新旧东西南北中郊矿城关]{1,3}区$")
# jieba's tags of a place name or a proper noun it has no other reading for
_PLACE_TAGS: Final = frozenset({"ns", "nz", "nrt"})
# tags of verbs, adjectives and adverbs: a short name read so is an ordinary word
_WORD_TAGS: Final = frozenset({"v", "vn", "vd", "a", "ad", "an", "d", "ag", "dg", "vg"})

# a township or street named without its kind: "…堡镇" is "…堡" in most posts
_TOWN_KIND: Final = re.compile(rf"^(?P<short>.{{2,}}?)(?:{ETHNIC}乡|镇|乡|街道办事处|街道|办事处)$")

HERE: Final = "here"
ELSEWHERE: Final = "elsewhere"
_CONTEXT: Final = "context"


@dataclass(frozen=True)
class Place:
    start: int
    end: int
    word: str
    where: str  # here / elsewhere


class Locality:
    """The names of here, of elsewhere and of the context around here, matched in a text."""

    def __init__(
        self,
        here: Iterable[str] = (),
        elsewhere: Iterable[str] = (),
        context: Iterable[str] = (),
        bare: Iterable[str] = (),
    ) -> None:
        """``bare`` names are elsewhere only where they stand as a place (``_stands``)."""
        self.here = frozenset(n for n in here if len(n) >= 2)
        self.context = frozenset(n for n in context if len(n) >= 2) - self.here
        self.elsewhere = frozenset(n for n in elsewhere if len(n) >= 2) - self.here - self.context
        self.bare = frozenset(n for n in bare if len(n) >= 2) - self.here - self.context - self.elsewhere
        self._bare_re = re.compile(trie_pattern(sorted(self.bare))) if self.bare else None
        self._here_re = re.compile(_either(lex.LOCAL_MARKERS, self.here))
        names = trie_pattern(sorted(self.elsewhere))
        remote = lex.REMOTE_MARKERS + (f"|(?:{names}){_STREET_AFTER}" if names else "")
        self._remote_re = re.compile(remote)
        self._context_re = re.compile(trie_pattern(sorted(self.context))) if self.context else None

    @classmethod
    def neutral(cls) -> Locality:
        """Only the generic markers: no jurisdiction, no division of China."""
        return _neutral()

    @classmethod
    def of(cls, jurisdiction: Jurisdiction) -> Locality:
        """The jurisdiction's names and places, its parents as context, every other division of
        China elsewhere."""
        j = jurisdiction
        here = {j.name, j.full_name, j.name.removesuffix(j.level)}
        for u in j.units:
            if u.kind.is_place:
                here.update(u.all_names())
                here.update(m.group("short") for n in u.all_names() if (m := _TOWN_KIND.match(n)))
            here.update(u.places)
        own = j.division()
        table = divisions()
        parents = table.ancestors(own.code)[1:] if own is not None else []
        context = {n for d in parents for n in (d.name, d.short)}
        if own is not None:
            here.update({own.name, own.short})
        skip = {d.code for d in parents} | ({own.code} if own is not None else set())
        others = [d for d in table if d.code not in skip]
        elsewhere = {n for d in others for n in _names(d) if not _bare(d, n)}
        bare = {n for d in others for n in _names(d) if _bare(d, n)} - elsewhere
        return cls(here, elsewhere, context, bare)

    def find(self, text: str, start: int = 0, end: int | None = None) -> list[Place]:
        """The places of ``text[start:end]`` that say here or elsewhere, in order."""
        end = len(text) if end is None else end
        found: list[tuple[int, int, str]] = []
        for rx, where in (
            (self._here_re, HERE),
            (self._remote_re, ELSEWHERE),
            (self._context_re, _CONTEXT),
        ):
            if rx is not None:
                found.extend(
                    (m.start(), m.end(), where)
                    for m in rx.finditer(text, start, end)
                    # a name that straddles two words of the text names nothing there
                    if where is not ELSEWHERE or not _inside_word(text, m.start(), m.end())
                )
        if self._bare_re is not None:
            ends = {e for _, e, _ in found}
            found.extend(
                (m.start(), m.end(), ELSEWHERE)
                for m in self._bare_re.finditer(text, start, end)
                if _stands(text, m.start(), m.end(), ends)
                and not _inside_word(text, m.start(), m.end())
            )
        rank = {HERE: 0, _CONTEXT: 1, ELSEWHERE: 2}
        found.sort(key=lambda f: (f[0] - f[1], rank[f[2]], f[0]))
        kept: list[tuple[int, int, str]] = []
        for s, e, where in found:
            if all(e <= ks or s >= ke for ks, ke, _ in kept):
                kept.append((s, e, where))
        return [Place(s, e, text[s:e], w) for s, e, w in sorted(kept) if w != _CONTEXT]

    def names_here(self, text: str) -> bool:
        return any(p.where == HERE for p in self.find(text))

    def first_elsewhere(self, text: str) -> str | None:
        """The first remote name of ``text`` when it names no place here."""
        places = self.find(text)
        if any(p.where == HERE for p in places):
            return None
        return next((p.word for p in places if p.where == ELSEWHERE), None)


def _either(markers: str, names: Iterable[str]) -> str:
    words = sorted(names)
    return f"{markers}|{trie_pattern(words)}" if words else markers


def _names(d: Division) -> list[str]:
    """How posts name a division elsewhere: its full name, and its short name where that is no
    ordinary word."""
    out = [d.name] if _word_tag(d.name) in (None, *_PLACE_TAGS) or len(d.name) > 2 else []
    if d.short == d.name or d.kind == "市辖区":
        return out  # a district's short name names a street as often
    tag = _word_tag(d.short)
    if d.level == "county":
        if tag is None or tag in _PLACE_TAGS:
            out.append(d.short)
    elif tag not in _WORD_TAGS:
        out.append(d.short)
    return out


def _bare(d: Division, name: str) -> bool:
    """Whether ``name`` of ``d`` is a county's bare short name or a district named like a part
    of any town: elsewhere only where it stands as a place."""
    if d.level == "county" and name == d.short and name != d.name:
        return True
    return d.kind == "市辖区" and _GENERIC_DISTRICT.match(name) is not None


def _stands(text: str, start: int, end: int, name_ends: set[int]) -> bool:
    """Whether a bare name stands as a place: after another place name (a province's, say) or a word of
    going or being somewhere, or before the county word, its people or an event there."""
    if start in name_ends:
        return True
    if _GENERIC_DISTRICT.match(text[start:end]) or _NAMED_AFTER.match(text, end):
        return False  # such a district is named with its city; a named road or mine is local
    if _STAND_BEFORE.search(text, max(0, start - 2), start):
        return True
    return _STAND_AFTER.match(text, end) is not None


def _inside_word(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` only straddles words (the end of 今天 and the start of
    门口 name a prefecture elsewhere together). A name must begin a word of the text as jieba
    segments it (a compound such as a port or a mine named after its city begins with that
    name), and end on a word boundary or inside that same word."""
    lo, hi = max(0, start - _WINDOW), min(len(text), end + _WINDOW)
    offset, starts = lo, set()
    first_word_end = None
    for token in jieba.lcut(text[lo:hi], HMM=False):
        starts.add(offset)
        if offset == start:
            first_word_end = offset + len(token)
        offset += len(token)
    starts.add(offset)
    if start not in starts or first_word_end is None:
        return True
    # a name that begins with a conjunction or a preposition after another word is that word
    # and the next read together ("学校和" + "县教育局"), unless a word of going stands before it
    if text[start] in _FUNCTION_LETTERS and (
        (first_word_end - start == 1 and end > first_word_end)
        or (
            start > 0
            and "\u4e00" <= text[start - 1] <= "\u9fff"
            and not _STAND_BEFORE.search(text[max(0, start - 2) : start])
        )
    ):
        return True
    return end not in starts and end > first_word_end


def _word_tag(word: str) -> str | None:
    return _jieba_tags().get(word)


@lru_cache(maxsize=1)
def _jieba_tags() -> dict[str, str]:
    """Word → part of speech of jieba's main dictionary (read once)."""
    path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
    tags: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3:
                tags[parts[0]] = parts[2]
    return tags


@lru_cache(maxsize=1)
def _neutral() -> Locality:
    return Locality()

