"""Sentences and clauses of a post, so that a cue or a negation reaches only its own part.

A sentence ends at 。！？；, a line break or the end of the title; a clause also ends at ，：.
The enumeration comma 、 does not end a clause: "5人死亡、8人失踪" is one statement.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Final

SENTENCE_END_RE: Final = re.compile(r"[。！!？?；;\n]+")
CLAUSE_END_RE: Final = re.compile(r"[。！!？?；;\n，,：:]+")


def _bounds(text: str, rx: re.Pattern[str]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    start = 0
    for m in rx.finditer(text):
        if m.start() > start:
            out.append((start, m.start()))
        start = m.end()
    if start < len(text):
        out.append((start, len(text)))
    return out or [(0, len(text))]


@dataclass(frozen=True)
class Parts:
    """The sentence and clause spans of one text, found once and looked up by offset."""

    text: str
    sentences: tuple[tuple[int, int], ...]
    clauses: tuple[tuple[int, int], ...]
    _sentence_starts: list[int] = field(default_factory=list, repr=False, compare=False)
    _clause_starts: list[int] = field(default_factory=list, repr=False, compare=False)
    _members: list[list[int]] = field(default_factory=list, repr=False, compare=False)

    @classmethod
    def of(cls, text: str) -> Parts:
        sentences = _bounds(text, SENTENCE_END_RE)
        clauses = _bounds(text, CLAUSE_END_RE)
        sentence_starts = [s for s, _ in sentences]
        members: list[list[int]] = [[] for _ in sentences]
        for i, (s, _) in enumerate(clauses):
            members[max(bisect_right(sentence_starts, s) - 1, 0)].append(i)
        return cls(
            text,
            tuple(sentences),
            tuple(clauses),
            sentence_starts,
            [s for s, _ in clauses],
            members,
        )

    def sentence_index(self, pos: int) -> int:
        return max(bisect_right(self._sentence_starts, pos) - 1, 0)

    def clause_index(self, pos: int) -> int:
        return max(bisect_right(self._clause_starts, pos) - 1, 0)

    def sentence(self, pos: int) -> tuple[int, int]:
        return self.sentences[self.sentence_index(pos)]

    def clause(self, pos: int) -> tuple[int, int]:
        return self.clauses[self.clause_index(pos)]

    def clauses_of_sentence(self, pos: int) -> list[int]:
        """Indexes of the clauses of the sentence around ``pos``, in text order."""
        return self._members[self.sentence_index(pos)]

    def clause_text(self, i: int) -> str:
        s, e = self.clauses[i]
        return self.text[s:e]

    def sentence_text(self, pos: int) -> str:
        s, e = self.sentence(pos)
        return self.text[s:e]
