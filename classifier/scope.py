"""Which words and figures of a post tell an incident here and now, and which a cue rules out.

A cue (a drill, a film, history, a past event, statistics, a debunk, a court case, a
hypothetical — ``lexicon_severity.CUES``) belongs to a clause, not to the post:

- it rules out what its own clause says;
- it reaches the other clauses of its sentence, except those after a clause that states a
  current fact ("今天", "已造成", "目前确认", "截至…"): "继去年…之后，今天又…，已造成11人死亡"
  keeps its eleven deaths;
- a hypothetical ("万一", "差点", "会撞死人的") reaches its own clause only.

A drill or a work of fiction named in the title or in an earlier sentence frames the post: a
later sentence that states no current fact of its own is part of the drill or the film.

A place outside the jurisdiction rules out its sentence up to a clause that names a local
place (``classifier.locality``: the jurisdiction's names and places beat a remote name in their
clause); a remote name in the title reaches a sentence that names no place.

A claim reported from others ("网传", "有人说", "听说") falls when the post calls it false or
doubts it ("系谣言", "不属实", "应该是假的吧", "根本没有的事"); it reaches from its marker to the end
of its sentence, or to a verified statement ("经核实", "实际", "其实"). A claim nobody doubts is
graded as claimed (``hearsay`` says so). The boilerplate "请不信谣、不传谣" that ends official
notices is no verdict on anything.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from classifier import lexicon_severity as lex
from classifier.clauses import Parts
from classifier.locality import HERE, Locality

FRAME_CUES: Final = frozenset({"drill", "fiction"})
# a label heading the text: "演练脚本：", "【防汛演练】"
_LABEL_RE: Final = re.compile(
    r"【(?P<label>[^】]{1,16})】|(?P<label2>[^，,。！!？?；;\n：:]{1,12})[：:]"
)
_LABEL_REACH: Final = 30  # characters of the content a label may start within


@dataclass(frozen=True)
class Ruled:
    """Why an item does not count: the cue family and the words that carry it."""

    cue: str  # drill, fiction, history, past, stats, debunk, court, hypothetical, remote, claim
    words: str


class Scope:
    """The cues of one post and the ruling for any offset in it. Cues are read a sentence at a
    time, when something in that sentence asks: long petitions hold few figures."""

    def __init__(
        self,
        text: str,
        title_end: int,
        parts: Parts | None = None,
        *,
        locality: Locality | None = None,
    ) -> None:
        self.text = text
        self.locality = locality or Locality.neutral()
        self.parts = parts or Parts.of(text)
        self.title_end = title_end  # the title is text[:title_end]; 0 without a title
        n = len(self.parts.clauses)
        self._cues: list[dict[str, str]] = [{} for _ in range(n)]
        self._current = [False] * n
        self._remote: list[str | None] = [None] * n
        self._local = [False] * n
        self._read: set[int] = set()  # sentences whose clauses were scanned
        title = text[:title_end]
        self._title_remote = self.locality.first_elsewhere(title) if title else None
        self._frame = self._find_frame()
        self._label = self._find_label()
        verdict = lex.VERDICT_RE.search(text)
        self.verdict = verdict.group(0) if verdict else None
        self._claims_found: dict[int, str] | None = None

    def _scan(self, sentence: int) -> None:
        """Cues, current facts and places of the clauses of one sentence."""
        if sentence in self._read:
            return
        self._read.add(sentence)
        s, e = self.parts.sentences[sentence]
        text, at = self.text, self.parts.clause_index
        for m in lex.CUE_SCAN_RE.finditer(text, s, e):
            if m.lastgroup is not None:
                if m.group(0) in lex.THAT_ONE and lex.RECENT_DAY_RE.search(
                    self.parts.clause_text(at(m.start()))
                ):
                    continue  # "前天白鹭岭那场山火" points back two days, not to history
                self._cues[at(m.start())].setdefault(m.lastgroup, m.group(0))
        # a verified statement ("经核实，…") is a current fact too: a debunk does not reach it
        for rx in (lex.CURRENT_RE, lex.VERIFIED_RE):
            for m in rx.finditer(text, s, e):
                self._current[at(m.start())] = True
        for place in self.locality.find(text, s, e):
            c = at(place.start)
            if place.where == HERE:
                self._local[c] = True
            elif self._remote[c] is None:
                self._remote[c] = place.word

    # --------------------------------------------------------------------- pieces
    def _find_frame(self) -> tuple[int, str, str] | None:
        """(first sentence index it reaches, family, words) of a drill or fiction frame set in
        the title or the first sentence of the content."""
        sentences = self.parts.sentences
        first = next(
            (i for i, (s, _) in enumerate(sentences) if s >= self.title_end), len(sentences) - 1
        )
        for i in range(first + 1):
            self._scan(i)
            for c in self.parts.clauses_of_sentence(sentences[i][0]):
                for family in FRAME_CUES:
                    words = self._cues[c].get(family)
                    if words:
                        return i + 1, family, words
        return None

    def _find_label(self) -> tuple[int, str, str] | None:
        """(offset, family, words) of a drill or fiction label that heads what follows it, with a
        colon or in brackets ("演练脚本：…", "【防汛演练】…", "剧情简介：…"): everything after it
        is the drill or the film, current words ("已有8人升井") included."""
        head = self.text[: self.title_end + _LABEL_REACH]
        for m in _LABEL_RE.finditer(head):
            for family in FRAME_CUES:
                cue = lex.CUE_RES[family].search(m.group("label") or m.group("label2"))
                if cue is not None:
                    return m.end(), family, cue.group(0)
        return None

    @property
    def _claims(self) -> dict[int, str]:
        if self._claims_found is None:
            self._claims_found = self._claim_clauses()
        return self._claims_found

    def _claim_clauses(self) -> dict[int, str]:
        """Clauses that tell a claim of others, with the marker that opens it."""
        out: dict[int, str] = {}
        for m in lex.CLAIM_RE.finditer(self.text):
            first = self.parts.clause_index(m.start())
            for c in self.parts.clauses_of_sentence(m.start()):
                if c < first:
                    continue
                if c > first and lex.VERIFIED_RE.search(self.parts.clause_text(c)):
                    break
                out.setdefault(c, m.group(0))
        return out

    def cues_in(self, clause: int) -> dict[str, str]:
        self._scan(self.parts.sentence_index(self.parts.clauses[clause][0]))
        return self._cues[clause]

    # --------------------------------------------------------------------- rulings
    def ruling(self, pos: int) -> Ruled | None:
        """Why what is written at ``pos`` is no incident here and now, or None when it stands."""
        self._scan(self.parts.sentence_index(pos))
        c = self.parts.clause_index(pos)
        own = self._cues[c]
        if own:
            family, words = next(iter(own.items()))
            return Ruled(family, words)
        cue = self._sentence_cue(c, pos)
        if cue is not None:
            return cue
        remote = self._remote_ruling(c, pos)
        if remote is not None:
            return remote
        if self.verdict is not None and c in self._claims:
            return Ruled("claim", f"{self._claims[c]} … {self.verdict}")
        if self._label is not None and pos >= self._label[0]:
            return Ruled(self._label[1], self._label[2])
        if self._frame is not None:
            start, family, words = self._frame
            s_index = self.parts.sentence_index(pos)
            if s_index >= start and not any(
                self._current[i] for i in self.parts.clauses_of_sentence(pos)
            ):
                return Ruled(family, words)
        return None

    def _sentence_cue(self, c: int, pos: int) -> Ruled | None:
        members = self.parts.clauses_of_sentence(pos)
        if self._current[c]:
            return None
        # a cue before the clause reaches it unless a current fact stands in between
        for i in reversed([m for m in members if m < c]):
            for family, words in self._cues[i].items():
                if family not in lex.CLAUSE_ONLY_CUES:
                    return Ruled(family, words)
            if self._current[i]:
                return None
        # a cue after it ("死亡9人，同比下降20%") reaches back up to a current fact
        for i in [m for m in members if m > c]:
            if self._current[i]:
                break
            for family, words in self._cues[i].items():
                if family not in lex.CLAUSE_ONLY_CUES:
                    return Ruled(family, words)
        return None

    def _remote_ruling(self, c: int, pos: int) -> Ruled | None:
        members = self.parts.clauses_of_sentence(pos)
        for i in reversed([m for m in members if m <= c]):
            if self._local[i]:
                return None
            remote = self._remote[i]
            if remote is not None:
                return Ruled("remote", remote)
        if (
            self._title_remote is not None
            and pos >= self.title_end
            and not any(self._local[i] or self._remote[i] for i in members)
        ):
            return Ruled("remote", self._title_remote)
        return None

    def is_claim(self, pos: int) -> str | None:
        """The marker of the claim that ``pos`` belongs to, if any."""
        return self._claims.get(self.parts.clause_index(pos))

    def is_current(self, pos: int) -> bool:
        self._scan(self.parts.sentence_index(pos))
        return self._current[self.parts.clause_index(pos)]
