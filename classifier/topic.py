"""Topic (领域): the seven 一级标签 of ``domain.settings.TOPICS``.

Character 1–3-grams of title and content, TF-IDF weighted, plus the title's n-grams again at
the same weight, and a class-balanced linear SVM. Character n-grams need no segmentation, so
local names that jieba does not know still count.

The settings were chosen by ``bench/topic_select.py`` on ``tipdm2020c/train.csv`` alone, with
folds over the rows that have a detail text (the title-only rows always train, as the test split
has none): the title block at weight 1 raised the cross-validated macro-F1 from 0.885 to 0.895
(95% intervals overlap: 0.869–0.901 and 0.880–0.909); C, logistic regression, unweighted
classes, a larger vocabulary and jieba words (with the jurisdiction's user words) did not help.
A second round (``--round-two``) tried SGD with the modified Huber loss, Complement NB, jieba-word
and char 1–4 / 2–5-gram models averaged with this one or stacked under a logistic regression:
none scored above it on the same folds.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import Final

from classifier.linear import LinearTextModel
from domain.vocabulary import TOPICS

REVIEW_BELOW: Final = 0.6


def new_model() -> LinearTextModel:
    """The untrained topic model: configuration only."""
    return LinearTextModel(
        labels=list(TOPICS),
        estimator="svc",
        C=0.5,
        text_weight=1.0,
        title_weight=1.0,
    )


_HAN: Final = re.compile("[\u4e00-\u9fff]")


def evidence_terms(columns: Sequence[int], name: Callable[[int], str], limit: int = 6) -> list[str]:
    """Readable terms from the strongest feature columns (strongest first): two characters or
    more with a Chinese character, no term inside another. ``name`` turns a column into its
    term."""
    out: list[str] = []
    for column in columns:
        term = _shown(name(column))
        if term is None:
            continue
        for kept in out:
            if term in kept or kept in term:
                break
        else:
            out.append(term)
            if len(out) >= limit:
                break
    return out


@lru_cache(maxsize=65536)
def _shown(name: str) -> str | None:
    """The term as evidence shows it, or None when a person could not check it."""
    term = name.strip()
    if len(term) < 2 or term.startswith("cue:") or _HAN.search(term) is None:
        return None
    return term
