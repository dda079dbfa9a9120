"""The jurisdiction's units as routing sees them, and a scanner that finds them in a text.

A unit is found in three ways: by one of its names (``name``), by a place it covers or runs
(``place``: a village or community for a 乡镇 / 街道, a school or a river for a 区直部门), and by a
matter of its 派单目录 (``keyword``). One place can belong to several units: a river that runs
through two streets and is managed by the 水务局 is a place of all three.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import jieba

from domain.vocabulary import UnitKind

if TYPE_CHECKING:
    # the routing core stays free of pydantic at run time
    from domain.jurisdiction import Jurisdiction

NAME = "name"
PLACE = "place"
KEYWORD = "keyword"

TOWN_KINDS = frozenset(k.value for k in UnitKind if k.is_place)  # the 属地 units


_WORD_WINDOW = 8  # characters either side segmented to find where words begin

# the suffixes people drop when they name a 乡镇 / 街道 ("撒拉溪 田坎 燕子口都没有车")
_TOWN_SUFFIXES = ("彝族苗族乡", "彝族乡", "苗族乡", "民族乡", "街道办", "街道", "镇", "乡")


def bare_names(names: Iterable[str]) -> list[str]:
    """The bare names of a 乡镇 / 街道: 撒拉溪 for 撒拉溪镇, 田坎 for 田坎彝族乡, 麻园 for 麻园街道.
    Only short names (without the jurisdiction's prefix) give one, of two characters or
    more."""
    out: list[str] = []
    for name in names:
        if len(name) > 8 or "人民政府" in name or "办事处" in name:
            continue
        for suffix in _TOWN_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                out.append(name[: -len(suffix)])
                break
    return out


def begins_word(text: str, start: int) -> bool:
    """Whether a word of ``text`` begins at ``start`` as jieba's own dictionary segments it
    (the jurisdiction's names left out, so they cannot make themselves words)."""
    jieba.setLogLevel(logging.WARNING)
    lo = max(0, start - _WORD_WINDOW)
    offset = lo
    for token in jieba.lcut(text[lo : start + _WORD_WINDOW], HMM=False):
        if offset >= start:
            return offset == start
        offset += len(token)
    return offset == start


@dataclass(frozen=True)
class DirectoryUnit:
    id: str
    name: str
    kind: str
    parent: str | None
    names: tuple[str, ...]  # full name first, then short names and aliases
    topics: tuple[str, ...]
    keywords: tuple[str, ...]
    places: tuple[str, ...]
    # names made by dropping 镇 / 街道 from a short name, also among ``names``: matched only where
    # they begin a word, since 市西 is also the end of 城市 or of a city's name and the start of 西边
    bare: tuple[str, ...] = ()

    @property
    def label(self) -> str:
        """The name a duty officer reads: the first short name, else the full name."""
        return self.names[1] if len(self.names) > 1 else self.name

    @property
    def is_local(self) -> bool:
        """A 乡镇 or 街道: the 属地 unit for the places it covers."""
        return self.kind in TOWN_KINDS


@dataclass(frozen=True)
class KindRule:
    """Who must be told about a kind of matter (see ``domain.jurisdiction.KindRule``)."""

    kind: str
    terms: tuple[str, ...]
    lead: str | None
    over_named: bool
    co_units: tuple[str, ...]
    basis: str
    unless: tuple[str, ...] = ()
    grades: frozenset[str] = frozenset()  # empty: every grade
    lead_if_none: str | None = None
    requires: tuple[str, ...] = ()  # one of these must also be in the text
    with_competent: bool = False  # the competent department joins (a crowd's grievance)

    def found_in(self, text: str, severity: str) -> str | None:
        """The first of the rule's terms in ``text``, if the rule applies at ``severity``."""
        if self.grades and severity not in self.grades:
            return None
        for word in self.unless:
            text = text.replace(word, " " * len(word))
        if self.requires and not any(w in text for w in self.requires):
            return None
        return next((t for t in self.terms if t in text), None)


@dataclass(frozen=True)
class Mention:
    text: str
    unit_id: str
    what: str  # "name" | "place" | "keyword"
    start: int


class Directory:
    """Units by id, and one precompiled alternation of every term, longest first."""

    def __init__(
        self,
        units: Iterable[DirectoryUnit],
        *,
        fallback_unit: str,
        government_office: str,
        propaganda_unit: str,
        emergency_leads: Mapping[str, str] | None = None,
        kind_rules: Iterable[KindRule] = (),
    ) -> None:
        self._units: dict[str, DirectoryUnit] = {}
        for u in units:
            if u.id in self._units:
                raise ValueError(f"duplicate unit id {u.id!r}")
            self._units[u.id] = u
        for role, uid in (
            ("fallback_unit", fallback_unit),
            ("government_office", government_office),
            ("propaganda_unit", propaganda_unit),
        ):
            if uid not in self._units:
                raise ValueError(f"{role}: unknown unit {uid!r}")
        self.fallback_unit = fallback_unit
        self.government_office = government_office
        self.propaganda_unit = propaganda_unit
        self.emergency_leads: dict[str, str] = dict(emergency_leads or {})
        for kind, uid in self.emergency_leads.items():
            if uid not in self._units:
                raise ValueError(f"emergency_leads.{kind}: unknown unit {uid!r}")
        self.kind_rules: tuple[KindRule, ...] = tuple(kind_rules)
        for rule in self.kind_rules:
            for rid in (rule.lead, rule.lead_if_none, *rule.co_units):
                if rid is not None and rid not in self._units:
                    raise ValueError(f"kind_rules {rule.kind}: unknown unit {rid!r}")

        self._bare = frozenset(t for u in self._units.values() for t in u.bare)
        owners: dict[str, list[tuple[str, str]]] = {}
        # a 派单目录 entry may list synonyms ("垃圾清运/垃圾桶/环卫"): they are one term
        self._same: dict[tuple[str, str], str] = {}
        for u in self._units.values():
            for what, entries in ((NAME, u.names), (PLACE, u.places), (KEYWORD, u.keywords)):
                for entry in entries:
                    variants = [v.strip() for v in entry.split("/")] if what == KEYWORD else [entry]
                    for term in variants:
                        term = term.strip()
                        if what == KEYWORD and term:
                            self._same.setdefault((u.id, term), variants[0])
                        if term and (u.id, what) not in owners.setdefault(term, []):
                            owners[term].append((u.id, what))
        self._owners: dict[str, tuple[tuple[str, str], ...]] = {
            t: tuple(o) for t, o in owners.items()
        }
        # Python's alternation takes the first alternative that matches at a position, so
        # ordering by length makes every match the longest term starting there.
        ordered = sorted(self._owners, key=lambda t: (-len(t), t))
        self._pattern: re.Pattern[str] | None = (
            re.compile("|".join(re.escape(t) for t in ordered)) if ordered else None
        )

    @classmethod
    def from_jurisdiction(cls, jurisdiction: Jurisdiction) -> Directory:
        units = [
            DirectoryUnit(
                id=u.id,
                name=u.name,
                kind=str(u.kind.value),
                parent=u.parent,
                names=tuple(dict.fromkeys([*u.all_names(), *bare])),
                topics=tuple(u.topics),
                keywords=tuple(u.keywords),
                places=tuple(u.places),
                bare=tuple(b for b in bare if b not in u.all_names()),
            )
            for u in jurisdiction.units
            for bare in [bare_names(u.all_names()) if u.kind.is_place else []]
        ]
        return cls(
            units,
            fallback_unit=jurisdiction.fallback_unit,
            government_office=jurisdiction.government_office,
            propaganda_unit=jurisdiction.propaganda_unit,
            emergency_leads={str(k): v for k, v in jurisdiction.emergency_leads.items()},
            kind_rules=[
                KindRule(
                    kind=r.kind,
                    terms=tuple(r.terms),
                    lead=r.lead,
                    over_named=r.over_named,
                    co_units=tuple(r.co_units),
                    basis=r.basis,
                    unless=tuple(r.unless),
                    grades=frozenset(r.grades),
                    lead_if_none=r.lead_if_none,
                    requires=tuple(r.requires),
                    with_competent=r.with_competent,
                )
                for r in jurisdiction.kind_rules
            ],
        )

    def unit(self, unit_id: str) -> DirectoryUnit:
        return self._units[unit_id]

    def units(self) -> list[DirectoryUnit]:
        return list(self._units.values())

    def competent_for(self, topic: str) -> list[str]:
        """Units competent for a topic (谁主管), in the order of the configuration."""
        return [u.id for u in self._units.values() if topic in u.topics]

    def resolve(self, text: str) -> str | None:
        """The unit a free-text unit name stands for (a board's 处理部门 column): an exact
        name first, else the first unit named inside it."""
        text = text.strip()
        for uid, what in self._owners.get(text, ()):
            if what == NAME:
                return uid
        return next((m.unit_id for m in self.scan(text) if m.what == NAME), None)

    def scan(self, text: str) -> list[Mention]:
        """Every term in ``text``, leftmost-longest and non-overlapping; a term with several
        owners gives one mention per owner, all at the same position."""
        if self._pattern is None:
            return []
        out: list[Mention] = []
        for m in self._pattern.finditer(text):
            if m.group() in self._bare and not begins_word(text, m.start()):
                continue
            for uid, what in self._owners[m.group()]:
                out.append(Mention(m.group(), uid, what, m.start()))
        return out

    def same_term(self, unit_id: str, text: str) -> str:
        """The 派单目录 entry ``text`` stands for in the unit's list: synonyms give one entry."""
        return self._same.get((unit_id, text), text)

    def words(self) -> list[str]:
        """Every name, place and keyword, for a jieba user dictionary."""
        return sorted(self._owners)
