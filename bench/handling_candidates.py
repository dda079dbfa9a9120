"""Handling-type candidates against the shipped settings, on the same folds and forward splits.

A candidate is a model setting (C, title weight, class weights), an optional recency weight of
the training threads (an exponential half-life in months, counted back from the first day the
model would be used: 2022-09-01 for the folds, the split date for a forward split) and
optional extra cue features (``EXTRA_CUES``: a question form in the title, a suggestion or a
question made with no grievance word). Each candidate gets its own prior shift, chosen by the
rule of ``bench.handling_select`` on the first forward split and the folds, and is compared
with the shipped settings (``classifier.handling.new_model()`` + ``SHIPPED_BIAS``): out-of-fold
macro-F1 over the threads before 2022-09-01 and the macro-F1 of every forward split (trained
on the threads before the split date, scored on the rest up to 2022-08-31), each with its
bootstrap interval and the paired bootstrap interval of the gain. Random folds hide drift; the
forward splits show it. The threads from 2022-09-01 are not read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

import numpy as np

from classifier import handling
from classifier.confidence import bootstrap_macro_f1
from classifier.linear import LinearTextModel
from classifier.ngrams import CharSpace, Encoded, encode
from classifier.text import THREADS_EVAL_FROM, Example
from classifier.types import PostText
from domain.vocabulary import HANDLING_TYPES

LABELS: Final = list(HANDLING_TYPES)
BIAS_GRID: Final = (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0)
DAYS_PER_MONTH: Final = 30.44
# question words of a title that asks (the 咨询 cue words cover longer phrases)
TITLE_ASKS: Final = ("吗", "呢", "？", "?", "是否", "能否", "如何", "何时", "什么", "怎么", "哪")
EXTRA_CUES: Final = ["标题:问句", "建言无诉求", "问句无诉求"]


@dataclass(frozen=True)
class Candidate:
    C: float = 1.0
    title_weight: float = 0.5
    half_life: float | None = None  # months; None: every thread weighs the same
    extra_cues: bool = False
    bias: tuple[tuple[str, float], ...] | None = None  # None: chosen by the selection rule

    def name(self) -> str:
        parts = [f"C={self.C:g}", f"title={self.title_weight:g}"]
        if self.half_life is not None:
            parts.append(f"half-life={self.half_life:g}mo")
        if self.extra_cues:
            parts.append("extra-cues")
        return " ".join(parts)

    def model(self) -> LinearTextModel:
        base = handling.new_model()
        names = [*base.cue_names, *EXTRA_CUES] if self.extra_cues else base.cue_names
        return replace(base, C=self.C, title_weight=self.title_weight, cue_names=list(names))


SHIPPED: Final = Candidate(bias=tuple(handling.SHIPPED_BIAS.items()))


def months_before(created: str, ref: str) -> float:
    """Months from ``created`` back from ``ref`` (both "YYYY-MM-DD..."); 0 for no date."""
    if not created:
        return 0.0
    days = (date.fromisoformat(ref[:10]) - date.fromisoformat(created[:10])).days
    return max(days, 0) / DAYS_PER_MONTH


def recency_weights(examples: Sequence[Example], ref: str, half_life: float | None) -> np.ndarray:
    """Weight 2^(-age / half_life) per example; undated rows (the hand-written set) weigh 1."""
    if half_life is None:
        return np.ones(len(examples))
    age = np.array([months_before(ex.created, ref) for ex in examples])
    return np.asarray(np.exp2(-age / half_life))


def extra_cue_features(posts: Sequence[PostText], cues: handling.CueScan) -> np.ndarray:
    """``EXTRA_CUES`` per post: interactions a linear model over counts cannot form."""
    f = cues.features
    col = {name: i for i, name in enumerate(handling.CUE_NAMES)}
    grievance = (f[:, col["标题:投诉/求助"]] > 0) | (f[:, col["正文:投诉/求助"]] > 0)
    asks = np.array([any(w in p.title for w in TITLE_ASKS) for p in posts], dtype=bool)
    suggests = (f[:, col["标题:建言"]] > 0) | (f[:, col["正文:建言"]] > 0)
    out = np.stack([asks, suggests & ~grievance, asks & ~grievance], axis=1)
    return out.astype(np.float32)


def cue_block(c: Candidate, posts: Sequence[PostText], enc: Encoded) -> np.ndarray:
    cues = handling.scan(enc)
    if not c.extra_cues:
        return cues.features
    return np.hstack([cues.features, extra_cue_features(posts, cues)])


def fit_proba(
    c: Candidate, train: list[Example], test: list[Example], ref: str, seed: int
) -> np.ndarray:
    """Probabilities (``LABELS`` order) on ``test`` of ``c`` trained on ``train``."""
    posts_tr = [ex.post for ex in train]
    space = CharSpace()
    space.fit_transform(posts_tr)
    enc_tr = encode(posts_tr)
    m = c.model()
    m.fit(
        space.transform(enc_tr),
        space.title_columns(),
        [ex.label for ex in train],
        cues=cue_block(c, posts_tr, enc_tr),
        sample_weight=recency_weights(train, ref, c.half_life).tolist(),
        folds=3,
        seed=seed,
    )
    posts_te = [ex.post for ex in test]
    enc = encode(posts_te)
    proba = m.predict_proba(space.transform(enc), cue_block(c, posts_te, enc))
    return proba[:, [m.labels.index(lb) for lb in LABELS]]


@dataclass
class Run:
    """A candidate's probabilities: out of fold (rows ``cv_idx``) and per forward split."""

    cv_idx: np.ndarray
    cv_proba: np.ndarray
    splits: dict[str, tuple[np.ndarray, np.ndarray]]  # split date -> (thread rows, proba)


def run(
    c: Candidate,
    threads: list[Example],
    always: list[Example],
    *,
    folds: int,
    seed: int,
    splits: Sequence[str],
) -> Run:
    from sklearn.model_selection import StratifiedKFold

    y = np.array([ex.label for ex in threads])
    idx: list[np.ndarray] = []
    probas: list[np.ndarray] = []
    skf = StratifiedKFold(folds, shuffle=True, random_state=seed)
    for tr, te in skf.split(np.zeros(len(y)), y):
        train = [threads[i] for i in tr] + always
        probas.append(fit_proba(c, train, [threads[i] for i in te], THREADS_EVAL_FROM, seed))
        idx.append(te)
    out = Run(np.concatenate(idx), np.vstack(probas), {})
    for since in splits:
        early = [ex for ex in threads if ex.created < since]
        late = np.array([i for i, ex in enumerate(threads) if ex.created >= since])
        proba = fit_proba(c, early + always, [threads[i] for i in late.tolist()], since, seed)
        out.splits[since] = (late, proba)
    return out


def with_bias(proba: np.ndarray, bias: dict[str, float]) -> np.ndarray:
    """Labels (as an array) after adding ``bias`` to the log-probabilities."""
    z = np.log(np.maximum(proba, 1e-12)) + np.array([bias.get(lb, 0.0) for lb in LABELS])
    return np.asarray(np.array(LABELS, dtype=object)[z.argmax(axis=1)])


def _f1(truth: np.ndarray, pred: np.ndarray) -> float:
    return bootstrap_macro_f1(truth.tolist(), pred.tolist(), resamples=0).value


def choose_bias(
    truth_cv: np.ndarray,
    proba_cv: np.ndarray,
    truth_h: np.ndarray,
    proba_h: np.ndarray,
    margin: float,
) -> dict[str, float]:
    """The rule of ``bench.handling_select``: among the shifts of 建言 and 咨询 that raise the
    forward split by more than ``margin``, the best on the folds if it beats no shift by more
    than ``margin``; within ``margin`` of it, the smallest shift."""
    none = {"建言": 0.0, "咨询": 0.0}
    plain, h_plain = _f1(truth_cv, with_bias(proba_cv, none)), _f1(truth_h, with_bias(proba_h, none))
    passing: list[tuple[float, float, dict[str, float]]] = []
    for a in BIAS_GRID:
        for b in BIAS_GRID:
            trial = {"建言": a, "咨询": b}
            if _f1(truth_h, with_bias(proba_h, trial)) > h_plain + margin:
                passing.append((_f1(truth_cv, with_bias(proba_cv, trial)), abs(a) + abs(b), trial))
    top = max((p[0] for p in passing), default=-1.0)
    if top <= plain + margin:
        return {}
    near_top = [p for p in passing if p[0] >= top - margin]
    return min(near_top, key=lambda p: (p[1], -p[0]))[2]


def paired_gain(
    truth: np.ndarray, a: np.ndarray, b: np.ndarray, *, resamples: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """Macro-F1 of ``a`` minus that of ``b`` on the same rows and the percentile bootstrap 95%
    interval of the difference (both scored on the same resamples)."""
    labels = sorted(set(truth.tolist()))
    index = {lb: i for i, lb in enumerate(labels)}
    k = len(labels)
    t = np.array([index[v] for v in truth.tolist()])
    pa = np.array([index.get(v, k) for v in a.tolist()])
    pb = np.array([index.get(v, k) for v in b.tolist()])
    rng = np.random.default_rng(seed)
    rows = np.vstack([np.arange(len(t))[None, :], rng.integers(0, len(t), (resamples, len(t)))])

    def f1(p: np.ndarray) -> np.ndarray:
        tt, pp = t[rows], p[rows]
        scores = []
        for c in range(k):
            tp = ((tt == c) & (pp == c)).sum(axis=1)
            denom = (tt == c).sum(axis=1) + (pp == c).sum(axis=1)
            scores.append(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), np.nan))
        return np.asarray(np.nanmean(np.stack(scores, axis=1), axis=1))

    diff = f1(pa) - f1(pb)
    low, high = np.quantile(diff[1:], [0.025, 0.975])
    return float(diff[0]), float(low), float(high)
