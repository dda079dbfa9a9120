"""A calibrated linear model over the shared n-gram features, kept as plain arrays.

The features are the two blocks of ``classifier.ngrams.CharSpace`` (text and title n-grams)
plus an optional dense block of hand-made cue features. The linear layer comes from a
scikit-learn estimator; a small multinomial logistic regression fitted on cross-validated
decision values turns its scores into probabilities (stacked calibration). The block weights
are folded into the stored weights, so at prediction time every model multiplies the same
feature matrix. Everything a prediction needs is arrays and JSON: nothing is unpickled.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC


@dataclass
class LinearTextModel:
    """Shared features (+ cues) → linear scores → calibrated probabilities."""

    labels: list[str]
    estimator: str = "svc"  # "svc" (LinearSVC) or "logreg"
    C: float = 0.5
    text_weight: float = 1.0
    title_weight: float = 0.0
    cue_names: list[str] = field(default_factory=list)
    cue_weight: float = 1.0
    coef: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    intercept: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    calib_coef: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    calib_intercept: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    cv_macro_f1_: float = field(default=float("nan"), compare=False)

    @property
    def n_cues(self) -> int:
        return len(self.cue_names)

    def _scale(self, title_columns: np.ndarray) -> np.ndarray:
        return np.where(title_columns, self.title_weight, self.text_weight).astype(np.float32)

    def _design(
        self, X: sp.csr_matrix, title_columns: np.ndarray, cues: np.ndarray | None
    ) -> sp.csr_matrix:
        parts = [sp.csr_matrix(X @ sp.diags(self._scale(title_columns)))]
        if self.n_cues:
            if cues is None or cues.shape[1] != self.n_cues:
                raise ValueError(f"the model needs {self.n_cues} cue features per post")
            parts.append(sp.csr_matrix(cues * self.cue_weight))
        return sp.csr_matrix(sp.hstack(parts, format="csr"))

    # ---- training
    def _estimator(self, seed: int) -> LinearSVC | LogisticRegression:
        if self.estimator == "svc":
            return LinearSVC(C=self.C, class_weight="balanced", random_state=seed)
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000)

    def fit(
        self,
        X: sp.csr_matrix,
        title_columns: np.ndarray,
        y: Sequence[str],
        *,
        cues: np.ndarray | None = None,
        sample_weight: Sequence[float] | None = None,
        folds: int = 5,
        seed: int = 0,
    ) -> LinearTextModel:
        """Fit on shared features ``X`` (``title_columns`` marks the title block)."""
        labels = np.asarray(y)
        if len(set(labels.tolist())) < 3:
            raise ValueError("a model needs at least three labels (one score row per label)")
        D = self._design(X, title_columns, cues)
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        # decision values of models that did not see the row: the calibrator learns from these
        cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
        held_out = cross_val_predict(
            self._estimator(seed),
            D,
            labels,
            cv=cv,
            method="decision_function",
            params=None if weights is None else {"sample_weight": weights},
        )
        est = self._estimator(seed)
        est.fit(D, labels, sample_weight=weights)
        self.cv_macro_f1_ = float(
            f1_score(labels, est.classes_[_as_2d(held_out).argmax(axis=1)], average="macro")
        )
        self.labels = [str(c) for c in est.classes_]
        coef = np.asarray(est.coef_, dtype=np.float32)
        n = X.shape[1]
        coef[:, :n] *= self._scale(title_columns)
        coef[:, n:] *= self.cue_weight
        self.coef = coef
        self.intercept = np.asarray(est.intercept_, dtype=np.float32)
        calib = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
        calib.fit(_as_2d(held_out), labels)
        if [str(c) for c in calib.classes_] != self.labels:
            raise RuntimeError("calibrator classes differ from the model's")
        self.calib_coef = np.asarray(calib.coef_, dtype=np.float32)
        self.calib_intercept = np.asarray(calib.intercept_, dtype=np.float32)
        return self

    # ---- prediction
    def decision(self, X: sp.csr_matrix, cues: np.ndarray | None = None) -> np.ndarray:
        n = X.shape[1]
        d = np.asarray(X @ self.coef[:, :n].T) + self.intercept
        if self.n_cues:
            if cues is None:
                raise ValueError("the model needs cue features")
            d += cues @ self.coef[:, n:].T
        return np.asarray(d)

    def proba_from_decision(self, d: np.ndarray) -> np.ndarray:
        z = _as_2d(d) @ self.calib_coef.T + self.calib_intercept
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def predict_proba(self, X: sp.csr_matrix, cues: np.ndarray | None = None) -> np.ndarray:
        return self.proba_from_decision(self.decision(X, cues))

    # ---- plain arrays
    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        return {
            f"{prefix}coef": self.coef.astype(np.float16),
            f"{prefix}intercept": self.intercept,
            f"{prefix}calib_coef": self.calib_coef,
            f"{prefix}calib_intercept": self.calib_intercept,
        }

    def spec(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "estimator": self.estimator,
            "C": self.C,
            "text_weight": self.text_weight,
            "title_weight": self.title_weight,
            "cue_names": self.cue_names,
            "cue_weight": self.cue_weight,
        }

    @classmethod
    def from_arrays(
        cls, spec: dict[str, Any], arrays: Any, prefix: str, n_features: int
    ) -> LinearTextModel:
        model = cls(
            labels=list(spec["labels"]),
            estimator=spec["estimator"],
            C=float(spec["C"]),
            text_weight=float(spec["text_weight"]),
            title_weight=float(spec["title_weight"]),
            cue_names=list(spec["cue_names"]),
            cue_weight=float(spec["cue_weight"]),
            coef=np.asarray(arrays[f"{prefix}coef"], dtype=np.float32),
            intercept=np.asarray(arrays[f"{prefix}intercept"], dtype=np.float32),
            calib_coef=np.asarray(arrays[f"{prefix}calib_coef"], dtype=np.float32),
            calib_intercept=np.asarray(arrays[f"{prefix}calib_intercept"], dtype=np.float32),
        )
        expected = (len(model.labels), n_features + model.n_cues)
        if model.coef.shape != expected:
            raise ValueError(
                f"weights have shape {model.coef.shape}, expected {expected} "
                f"for {prefix.rstrip('_')}"
            )
        return model


def top_contributions(
    X: sp.csr_matrix, coef: np.ndarray, best: np.ndarray, readable: np.ndarray, top: int
) -> list[list[int]]:
    """For every row, the readable columns that pushed it towards its label ``best[row]`` most,
    strongest first (positive contributions only)."""
    n = X.shape[0]
    counts = np.diff(X.indptr)
    rows = np.repeat(np.arange(n, dtype=np.int64), counts)
    cols = X.indices
    keep = readable[cols]
    rows, cols = rows[keep], cols[keep]
    vals = X.data[keep] * coef[best[rows], cols]
    pos = vals > 0
    rows, cols, vals = rows[pos], cols[pos], vals[pos]
    # one sort for the whole batch: by row, then strongest first (1 / (1 + v) falls as v grows)
    order = np.argsort(rows + 1.0 / (1.0 + vals.astype(np.float64)))
    rows, cols = rows[order], cols[order]
    first = np.searchsorted(rows, np.arange(n + 1))
    rank = np.arange(len(rows)) - first[rows]
    keep = rank < top
    rows, cols = rows[keep], cols[keep]
    bounds = np.searchsorted(rows, np.arange(n + 1)).tolist()
    flat = cols.tolist()
    return [flat[bounds[i] : bounds[i + 1]] for i in range(n)]


def _as_2d(d: np.ndarray) -> np.ndarray:
    d = np.asarray(d, dtype=np.float64)
    return d.reshape(-1, 1) if d.ndim == 1 else d
