"""Handling type (处置类型): 建言 / 咨询 / 投诉/求助, the 人民网 board's own labels.

The model reads the character n-grams of the title and of the body separately (a question mark or
"建议" in a title says more than one deep in a long letter) and counts of cue words for each type.
The cue words that fired are the evidence shown to the duty officer.
"""

from __future__ import annotations

import math
import re
from typing import Final

from classifier.linear import Block, LinearTextModel
from classifier.text import HANDLING_TYPES
from classifier.types import PostText

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
# every start position, longest word first: "是否可以" counts as 建言, not also as 咨询's "是否"
_CUE_RE: Final = re.compile(
    "(?=(" + "|".join(re.escape(w) for w in sorted(_GROUP_OF, key=lambda w: (-len(w), w))) + "))"
)


def _counts(text: str) -> list[int]:
    counts = dict.fromkeys(GROUPS, 0)
    for word in _CUE_RE.findall(text):
        counts[_GROUP_OF[word]] += 1
    return [counts[g] for g in GROUPS]


def cue_vector(post: PostText) -> list[float]:
    """Dense cue features in ``CUE_NAMES`` order (log counts, so one long letter can't dominate)."""
    title, body = post.title, post.content
    row = [math.log1p(c) for c in _counts(title)]
    row += [math.log1p(c) for c in _counts(body)]
    row.append(math.log1p(title.count("？") + title.count("?")))
    row.append(math.log1p(body.count("？") + body.count("?")))
    row.append(math.log1p(len(body)) / 8.0)
    return row


def matched_cues(post: PostText) -> dict[str, list[str]]:
    """Cue words present in the post, per handling type, in order of appearance (evidence)."""
    found: dict[str, list[str]] = {}
    for word in _CUE_RE.findall(f"{post.title}\n{post.content}"):
        words = found.setdefault(_GROUP_OF[word], [])
        if word not in words:
            words.append(word)
    return found


def new_model() -> LinearTextModel:
    """The untrained handling model: configuration only."""
    return LinearTextModel(
        labels=list(HANDLING_TYPES),
        blocks=[
            Block("char", "title", weight=0.5, ngram_range=(1, 3), min_df=2, max_features=20_000),
            Block("char", "body", weight=1.0, ngram_range=(1, 3), min_df=2, max_features=60_000),
        ],
        estimator="logreg",
        C=1.0,
        cue_names=list(CUE_NAMES),
        cue_weight=1.0,
        cues=cue_vector,
    )
