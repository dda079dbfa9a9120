"""Bootstrap confidence intervals for macro-F1.

A macro-F1 measured on a few hundred posts moves by a few points when one rare class gains or
loses a post; the interval says how far. Rows are resampled with replacement (percentile
bootstrap), and every resample's macro-F1 averages the labels present in the original truth,
as ``classifier.evaluate.score`` does.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Interval:
    value: float
    low: float
    high: float
    n: int

    def __str__(self) -> str:
        return f"{self.value:.3f} [{self.low:.3f}, {self.high:.3f}] (n={self.n})"

    def as_dict(self) -> dict[str, Any]:
        return {
            "macro_f1": round(self.value, 4),
            "ci95": [round(self.low, 4), round(self.high, 4)],
            "n": self.n,
        }


def _macro_f1_from_counts(tp: np.ndarray, pred: np.ndarray, true: np.ndarray) -> np.ndarray:
    # a label that a resample neither holds nor predicts is left out of its average
    denom = pred + true
    f1 = np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)
    seen = denom > 0
    return np.asarray(f1.sum(axis=-1) / np.maximum(seen.sum(axis=-1), 1))


def macro_f1(y_true: Sequence[str], y_pred: Sequence[str]) -> float:
    return bootstrap_macro_f1(y_true, y_pred, resamples=0).value


def bootstrap_macro_f1(
    y_true: Sequence[str],
    y_pred: Sequence[str],
    *,
    resamples: int = 1000,
    seed: int = 0,
    level: float = 0.95,
) -> Interval:
    """Macro-F1 over the labels of ``y_true`` and its percentile bootstrap interval."""
    if len(y_true) != len(y_pred):
        raise ValueError("y_true and y_pred differ in length")
    labels = sorted(set(y_true))
    index = {lb: i for i, lb in enumerate(labels)}
    k = len(labels)
    t = np.array([index[v] for v in y_true], dtype=np.int64)
    p = np.array([index.get(v, k) for v in y_pred], dtype=np.int64)  # k: a label not in truth
    n = len(t)
    if n == 0:
        raise ValueError("no rows")

    def counts(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        tt, pp = t[rows], p[rows]
        offset = (np.arange(rows.shape[0]) * (k + 1))[:, None]
        size = rows.shape[0] * (k + 1)
        hit = np.where(tt == pp, tt, k)
        tp = np.bincount((hit + offset).ravel(), minlength=size).reshape(-1, k + 1)[:, :k]
        pc = np.bincount((pp + offset).ravel(), minlength=size).reshape(-1, k + 1)[:, :k]
        tc = np.bincount((tt + offset).ravel(), minlength=size).reshape(-1, k + 1)[:, :k]
        return tp, pc, tc

    value = float(_macro_f1_from_counts(*counts(np.arange(n)[None, :]))[0])
    if resamples <= 0:
        return Interval(value, value, value, n)
    rng = np.random.default_rng(seed)
    scores = _macro_f1_from_counts(*counts(rng.integers(0, n, size=(resamples, n))))
    alpha = (1 - level) / 2
    low, high = np.quantile(scores, [alpha, 1 - alpha])
    return Interval(value, float(low), float(high), n)
