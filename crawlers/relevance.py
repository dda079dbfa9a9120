"""Does a post concern the jurisdiction? A longest-match scan over its names.

Names come from the configured jurisdiction: the jurisdiction itself, every unit's full name,
short names and aliases, and the places under each unit. A generic department name (教育局,
区住建局, 宣传部) exists in every county, so on its own it does not make a post relevant; it is
recorded as a mention when a distinctive name (a unit's full name, a town, street, village,
road, or anything containing the jurisdiction's own name) also matched.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from domain.jurisdiction import Jurisdiction
from domain.vocabulary import UnitKind

_LEVEL_SUFFIXES = ("自治县", "县级市", "区", "县", "市", "旗")
_PLACE_KINDS = (UnitKind.TOWN, UnitKind.STREET)


@dataclass(frozen=True)
class Term:
    name: str
    strong: bool


def core_name(name: str) -> str:
    """A district's name without its level (…区 -> …): the part people write."""
    for suffix in _LEVEL_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def vocabulary(jurisdiction: Jurisdiction) -> list[Term]:
    core = core_name(jurisdiction.name)
    terms: dict[str, bool] = {}

    def add(name: str, strong: bool) -> None:
        name = name.strip()
        if len(name) >= 2:
            terms[name] = terms.get(name, False) or strong

    for name in (jurisdiction.name, jurisdiction.full_name, core):
        add(name, True)
    for unit in jurisdiction.units:
        add(unit.name, True)
        place_based = unit.kind in _PLACE_KINDS
        for name in (*unit.short_names, *unit.aliases):
            add(name, place_based or core in name)
        for place in unit.places:
            add(place, True)
    return [Term(n, s) for n, s in terms.items()]


class Matcher:
    """Finds the names in a text, preferring the longest name at each position, so that
    …区教育局 is one mention and not …区 + 教育局."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self._strong: dict[str, bool] = {}
        by_first: dict[str, list[str]] = {}
        for t in terms:
            self._strong[t.name] = self._strong.get(t.name, False) or t.strong
            by_first.setdefault(t.name[0], []).append(t.name)
        self._by_first = {c: sorted(set(ns), key=len, reverse=True) for c, ns in by_first.items()}

    @classmethod
    def from_pairs(cls, pairs: Sequence[Sequence[object]]) -> Matcher:
        return cls(Term(str(p[0]), bool(p[1])) for p in pairs)

    def find(self, text: str) -> list[str]:
        found: list[str] = []
        i, n = 0, len(text)
        while i < n:
            for name in self._by_first.get(text[i], ()):
                if text.startswith(name, i):
                    if name not in found:
                        found.append(name)
                    i += len(name)
                    break
            else:
                i += 1
        return found

    def is_strong(self, name: str) -> bool:
        return self._strong.get(name, False)

    def relevant(self, mentions: Iterable[str]) -> bool:
        return any(self.is_strong(m) for m in mentions)
