"""Topic (领域): the seven 一级标签 of ``yuqing.settings.TOPICS``.

Character 1–3-grams of title and content, TF-IDF weighted, and a class-balanced linear SVM.
Character n-grams need no segmentation, so local names that jieba does not know still count,
and they carried over better than words from the TipDM board to the Guizhou threads when models
were compared by cross-validation.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Final

from classifier.linear import Block, LinearTextModel
from yuqing.settings import TOPICS

REVIEW_BELOW: Final = 0.6


def new_model() -> LinearTextModel:
    """The untrained topic model: configuration only."""
    return LinearTextModel(
        labels=list(TOPICS),
        blocks=[Block("char", "text", ngram_range=(1, 3), min_df=2, max_features=80_000)],
        estimator="svc",
        C=0.5,
    )


def _has_han(term: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in term)


def evidence_terms(
    contributions: Sequence[tuple[int, float]], name: Callable[[int], str], limit: int = 6
) -> list[str]:
    """Readable terms from the strongest features: two characters or more with a Chinese
    character, no term inside another. ``name`` turns a column into its term."""
    out: list[str] = []
    for column, _ in contributions:
        term = name(column).strip()
        if len(term) < 2 or term.startswith("cue:") or not _has_han(term):
            continue
        if any(term in kept or kept in term for kept in out):
            continue
        out.append(term)
        if len(out) >= limit:
            break
    return out
