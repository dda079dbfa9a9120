"""Handling type (处置类型): 建言 / 咨询 / 投诉/求助, the 人民网 board's own labels.

The model reads the character n-grams of the whole text and, again, of the title (a question mark
or "建议" in a title says more than one deep in a long letter), and counts of cue words for each
type in title and body. The cue words that fired are the evidence shown to the duty officer.
A prior shift per type (``SHIPPED_BIAS``) and optional cue rules (``RULES``) are stored in a
model's metadata and applied by ``classifier.model.PostClassifier``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np

from classifier.linear import LinearTextModel
from classifier.ngrams import BITS, Encoded, encode, text_to_key
from classifier.types import PostText
from domain.vocabulary import HANDLING_TYPES

CUES: Final[dict[str, tuple[str, ...]]] = {
    "建言": (
        "建议",
        "建言",
        "提议",
        "倡议",
        "呼吁",
        "希望",
        "应该",
        "应当",
        "能否考虑",
        "可否",
        "是否可以",
        "完善",
        "优化",
        "推广",
        "增设",
        "增加",
        "加快",
        "规划",
        "改进",
        "提升",
        "设立",
        "开通",
        "放宽",
        "出台",
        "献策",
        "意见",
    ),
    "咨询": (
        "请问",
        "咨询",
        "想问",
        "问一下",
        "想了解",
        "了解一下",
        "是否",
        "能否",
        "可以吗",
        "吗？",
        "吗?",
        "什么时候",
        "何时",
        "怎么办",
        "如何",
        "多少",
        "哪里",
        "有没有",
        "怎样",
        "是不是",
        "会不会",
        "条件",
        "标准",
        "流程",
        "需要什么",
        "怎么申请",
    ),
    "投诉/求助": (
        "投诉",
        "举报",
        "求助",
        "帮帮",
        "帮忙",
        "救救",
        "拖欠",
        "欠薪",
        "讨薪",
        "未付",
        "不给",
        "至今",
        "无人管",
        "不作为",
        "推诿",
        "扯皮",
        "违规",
        "违法",
        "强拆",
        "纠纷",
        "多次",
        "一直",
        "没有解决",
        "得不到",
        "做主",
        "维权",
        "损失",
        "欺骗",
        "扰民",
        "恳请",
    ),
}
GROUPS: Final = tuple(CUES)
CUE_NAMES: Final = [
    *(f"标题:{g}" for g in GROUPS),
    *(f"正文:{g}" for g in GROUPS),
    "标题:问号",
    "正文:问号",
    "正文长度",
]
REVIEW_BELOW: Final = 0.5

_GROUP_OF: Final = {w: g for g in GROUPS for w in CUES[g]}
_WORDS: Final = sorted(_GROUP_OF)
_WORD_GROUP: Final = np.array([GROUPS.index(_GROUP_OF[w]) for w in _WORDS], dtype=np.int64)
_QUESTION: Final = (ord("?"), ord("？"))


class _CueTable:
    """Cue words as n-gram keys, to find them in a whole batch of code points at once."""

    def __init__(self) -> None:
        self.first = np.zeros(0x110000, dtype=bool)
        self.first[[ord(w[0]) for w in _WORDS]] = True
        self.keys: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        for n in (2, 3):
            pairs = sorted((text_to_key(w), i) for i, w in enumerate(_WORDS) if len(w) == n)
            self.keys[n] = (
                np.array([k for k, _ in pairs], dtype=np.uint64),
                np.array([i for _, i in pairs], dtype=np.int64),
            )
        self.long = [
            (np.uint64(text_to_key(w[:3])), np.uint64(ord(w[3])), i)
            for i, w in enumerate(_WORDS)
            if len(w) == 4
        ]
        if any(len(w) not in (2, 3, 4) for w in _WORDS):
            raise ValueError("cue words have two to four characters")


_TABLE: _CueTable | None = None


def _table() -> _CueTable:
    global _TABLE
    if _TABLE is None:
        _TABLE = _CueTable()
    return _TABLE


@dataclass(frozen=True)
class CueScan:
    """Cue features of a batch (``CUE_NAMES`` order) and the cue words found in each post."""

    features: np.ndarray  # (posts, len(CUE_NAMES)) float32
    matched: list[dict[str, list[str]]]
    title_words: list[set[str]] = field(default_factory=list)  # cue words found in the title


def scan(enc: Encoded) -> CueScan:
    """Find the cue words of every title and body of a batch.

    At each position the longest cue word starting there counts ("是否可以" is one 建言 cue,
    not also 咨询's "是否"); positions may overlap. Counts enter as log counts, so one long
    letter cannot dominate.
    """
    table = _table()
    n = enc.n_posts
    cps = enc.cps
    seg_all = enc.segment_of_positions()
    pos = np.flatnonzero(table.first[cps.astype(np.int64)])
    seg = seg_all[pos]
    rem = enc.starts[1:][seg] - pos
    padded = np.concatenate([cps, np.zeros(3, dtype=np.uint64)])
    k2 = padded[pos] | (padded[pos + 1] << np.uint64(BITS))
    k3 = k2 | (padded[pos + 2] << np.uint64(2 * BITS))
    found = np.full(len(pos), -1, dtype=np.int64)
    for size, key in ((2, k2), (3, k3)):
        keys, ids = table.keys[size]
        at = np.minimum(np.searchsorted(keys, key), len(keys) - 1)
        ok = (keys[at] == key) & (rem >= size)
        found[ok] = ids[at[ok]]
    fourth = padded[pos + 3]
    for prefix, last, i in table.long:
        found[(k3 == prefix) & (fourth == last) & (rem >= 4)] = i
    hit = found >= 0
    seg, found = seg[hit], found[hit]
    counts = np.bincount(
        seg * len(GROUPS) + _WORD_GROUP[found], minlength=2 * n * len(GROUPS)
    ).reshape(n, 2 * len(GROUPS))
    question = np.isin(cps, np.array(_QUESTION, dtype=np.uint64))
    marks = np.bincount(seg_all[question], minlength=2 * n).reshape(n, 2)
    features = np.empty((n, len(CUE_NAMES)), dtype=np.float32)
    features[:, : 2 * len(GROUPS)] = np.log1p(counts)  # title groups, then body groups
    features[:, 2 * len(GROUPS) : 2 * len(GROUPS) + 2] = np.log1p(marks)
    features[:, -1] = np.log1p(enc.lengths[1::2]) / 8.0
    matched: list[dict[str, list[str]]] = [{} for _ in range(n)]
    title_words: list[set[str]] = [set() for _ in range(n)]
    for s, i in zip(seg.tolist(), found.tolist(), strict=True):
        words = matched[s >> 1].setdefault(_GROUP_OF[_WORDS[i]], [])
        if _WORDS[i] not in words:
            words.append(_WORDS[i])
        if not s & 1:
            title_words[s >> 1].add(_WORDS[i])
    return CueScan(features, matched, title_words)


def cue_vector(post: PostText) -> list[float]:
    """Dense cue features of one post in ``CUE_NAMES`` order."""
    return [float(v) for v in scan(encode([post])).features[0]]


def matched_cues(post: PostText) -> dict[str, list[str]]:
    """Cue words present in the post, per handling type, in order of appearance (evidence)."""
    return scan(encode([post])).matched[0]


def new_model() -> LinearTextModel:
    """The untrained handling model: configuration only."""
    return LinearTextModel(
        labels=list(HANDLING_TYPES),
        estimator="logreg",
        C=1.0,
        text_weight=1.0,
        title_weight=0.5,
        cue_names=list(CUE_NAMES),
        cue_weight=1.0,
    )


# ---- cue rules: plain statements a duty officer can check, applied over the model's answer
RULES: Final[dict[str, str]] = {
    # a question in the title and no grievance in the post → 咨询
    "title_question": "咨询",
    # a 咨询 cue word or a question mark in the title, no grievance → 咨询
    "title_asks": "咨询",
    # "建议" somewhere and no grievance → 建言
    "suggestion": "建言",
    # "建议" in the title and no grievance → 建言
    "title_suggestion": "建言",
}
# the rules a newly trained model applies, in order (the first that fires wins): those that
# raised the cross-validated macro-F1 on the threads before 2022-09-01
# (``bench/handling_select.py``)
SHIPPED_RULES: Final[tuple[str, ...]] = ()
# a prior shift added to the log-probabilities of these types before the answer is taken, chosen
# by the same script (the best on the folds of those that also help July–August 2022)
SHIPPED_BIAS: Final[dict[str, float]] = {"建言": -0.5, "咨询": -0.5}
_C = {name: i for i, name in enumerate(CUE_NAMES)}


def rule_labels(cues: CueScan, rules: tuple[str, ...] | list[str]) -> list[tuple[str, str] | None]:
    """For each post, (rule, label) of the first of ``rules`` that fires, else None.

    A grievance (any 投诉/求助 cue word in title or body) stops every rule: a question or a
    suggestion made while complaining stays the model's call.
    """
    unknown = [r for r in rules if r not in RULES]
    if unknown:
        raise ValueError(f"unknown handling rules: {', '.join(unknown)}")
    f = cues.features
    grievance = (f[:, _C["标题:投诉/求助"]] > 0) | (f[:, _C["正文:投诉/求助"]] > 0)
    title_q = f[:, _C["标题:问号"]] > 0
    fires = {
        "title_question": title_q,
        "title_asks": title_q | (f[:, _C["标题:咨询"]] > 0),
        "suggestion": np.array(["建议" in m.get("建言", ()) for m in cues.matched], dtype=bool),
        "title_suggestion": np.array(["建议" in w for w in cues.title_words], dtype=bool),
    }
    out: list[tuple[str, str] | None] = [None] * len(f)
    for rule in reversed(list(rules)):  # the first rule in the list wins
        for i in np.flatnonzero(fires[rule] & ~grievance).tolist():
            out[i] = (rule, RULES[rule])
    return out
