"""A calibrated linear text model kept as plain arrays.

Features are blocks of TF-IDF (character n-grams of a field, or jieba words) plus an optional
dense block of hand-made cue features. The linear layer comes from a scikit-learn estimator; a
small multinomial logistic regression fitted on cross-validated decision values turns its
scores into probabilities (stacked calibration). Everything that prediction needs is a
vocabulary, an idf vector and weight matrices, so a model directory holds ``.npz`` arrays and
JSON and is loaded without unpickling anything.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.svm import LinearSVC

from classifier.ngrams import BITS, CharTfidf, key_to_text
from classifier.text import join_text
from classifier.types import PostText

Analyzer = Callable[[str], list[str]]


def field_text(post: PostText, name: str) -> str:
    if name == "title":
        return post.title.strip()
    if name == "body":
        return post.content.strip()
    return join_text(post)


@dataclass
class Block:
    """One TF-IDF block: ``analyzer`` is "char" (n-grams of ``field``) or "word" (jieba words).

    Character blocks keep their vocabulary as n-gram keys (``classifier.ngrams``); word blocks
    as strings.
    """

    analyzer: str
    part: str  # "title", "body" or "text" (both)
    weight: float = 1.0
    ngram_range: tuple[int, int] = (1, 3)
    min_df: int = 2
    max_features: int | None = None
    keys: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    vocabulary: list[str] = field(default_factory=list)
    idf: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    _vec: CharTfidf | TfidfVectorizer | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        return len(self.keys) if self.analyzer == "char" else len(self.vocabulary)

    def name(self, column: int) -> str:
        if self.analyzer == "char":
            return key_to_text(int(self.keys[column]))
        return self.vocabulary[column]

    def spec(self) -> dict[str, Any]:
        return {
            "analyzer": self.analyzer,
            "field": self.part,
            "weight": self.weight,
            "ngram_range": list(self.ngram_range),
            "min_df": self.min_df,
            "max_features": self.max_features,
        }

    def _word_vectorizer(
        self, words: Analyzer | None, vocabulary: dict[str, int] | None
    ) -> TfidfVectorizer:
        if words is None:
            raise ValueError("a word block needs a tokenizer")
        return TfidfVectorizer(
            analyzer=words,
            sublinear_tf=True,
            min_df=self.min_df,
            max_features=self.max_features,
            vocabulary=vocabulary,
            dtype=np.float32,
        )

    def fit_transform(self, posts: Sequence[PostText], words: Analyzer | None) -> sp.csr_matrix:
        texts = [field_text(p, self.part) for p in posts]
        if self.analyzer == "char":
            char = CharTfidf(self.ngram_range, min_df=self.min_df, max_features=self.max_features)
            X = char.fit_transform(texts)
            assert char.keys_ is not None and char.idf_ is not None
            self.keys, self.idf, self._vec = char.keys_, char.idf_, char
        else:
            vec = self._word_vectorizer(words, None)
            X = vec.fit_transform(texts)
            inverse = {i: t for t, i in vec.vocabulary_.items()}
            self.vocabulary = [inverse[i] for i in range(len(inverse))]
            self.idf = vec.idf_.astype(np.float32)
            self._vec = vec
        return sp.csr_matrix(X * self.weight)

    def bind(self, words: Analyzer | None) -> None:
        """Rebuild the vectorizer from stored arrays (after loading)."""
        if self.analyzer == "char":
            self._vec = CharTfidf(self.ngram_range, keys=self.keys, idf=self.idf)
            return
        vec = self._word_vectorizer(words, {t: i for i, t in enumerate(self.vocabulary)})
        vec.idf_ = self.idf
        self._vec = vec

    def transform(self, posts: Sequence[PostText]) -> sp.csr_matrix:
        if self._vec is None:
            raise RuntimeError("block not fitted or bound")
        X = self._vec.transform([field_text(p, self.part) for p in posts])
        if self.weight != 1.0:
            X = X * self.weight
        return sp.csr_matrix(X)


CueFunction = Callable[[PostText], list[float]]


@dataclass
class LinearTextModel:
    """Blocks → one sparse matrix → linear scores → calibrated probabilities."""

    labels: list[str]
    blocks: list[Block]
    estimator: str = "svc"  # "svc" (LinearSVC) or "logreg"
    C: float = 0.5
    cue_names: list[str] = field(default_factory=list)
    cue_weight: float = 1.0
    coef: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    intercept: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    calib_coef: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    calib_intercept: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    cues: CueFunction | None = field(default=None, repr=False, compare=False)
    cv_macro_f1_: float = field(default=float("nan"), compare=False)
    _readable: np.ndarray | None = field(default=None, repr=False, compare=False)

    # ---- features
    def _cue_matrix(self, posts: Sequence[PostText]) -> sp.csr_matrix | None:
        if not self.cue_names:
            return None
        if self.cues is None:
            raise RuntimeError("model uses cue features but no cue function is bound")
        dense = np.asarray([self.cues(p) for p in posts], dtype=np.float32).reshape(
            len(posts), len(self.cue_names)
        )
        return sp.csr_matrix(dense * self.cue_weight)

    def _stack(self, parts: list[sp.csr_matrix], cue: sp.csr_matrix | None) -> sp.csr_matrix:
        if cue is not None:
            parts = [*parts, cue]
        return sp.csr_matrix(sp.hstack(parts, format="csr"))

    def features(self, posts: Sequence[PostText]) -> sp.csr_matrix:
        return self._stack([b.transform(posts) for b in self.blocks], self._cue_matrix(posts))

    def feature_name(self, column: int) -> str:
        """The n-gram, word or ``cue:NAME`` of a column of ``features()``."""
        for b in self.blocks:
            if column < b.size:
                return b.name(column)
            column -= b.size
        return f"cue:{self.cue_names[column]}"

    # ---- training
    def _estimator(self, seed: int) -> LinearSVC | LogisticRegression:
        if self.estimator == "svc":
            return LinearSVC(C=self.C, class_weight="balanced", random_state=seed)
        return LogisticRegression(C=self.C, class_weight="balanced", max_iter=3000)

    def fit(
        self,
        posts: Sequence[PostText],
        y: Sequence[str],
        *,
        sample_weight: Sequence[float] | None = None,
        words: Analyzer | None = None,
        folds: int = 5,
        seed: int = 0,
    ) -> LinearTextModel:
        labels = np.asarray(y)
        if len(set(labels.tolist())) < 3:
            raise ValueError("a model needs at least three labels (one score row per label)")
        X = self._stack(
            [b.fit_transform(posts, words) for b in self.blocks], self._cue_matrix(posts)
        )
        weights = None if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
        # decision values of models that did not see the row: the calibrator learns from these
        cv = StratifiedKFold(folds, shuffle=True, random_state=seed)
        held_out = cross_val_predict(
            self._estimator(seed),
            X,
            labels,
            cv=cv,
            method="decision_function",
            params=None if weights is None else {"sample_weight": weights},
        )
        est = self._estimator(seed)
        est.fit(X, labels, sample_weight=weights)
        self.cv_macro_f1_ = float(
            f1_score(labels, est.classes_[_as_2d(held_out).argmax(axis=1)], average="macro")
        )
        self.labels = [str(c) for c in est.classes_]
        self.coef = np.asarray(est.coef_, dtype=np.float32)
        self.intercept = np.asarray(est.intercept_, dtype=np.float32)
        calib = LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000)
        calib.fit(_as_2d(held_out), labels)
        if [str(c) for c in calib.classes_] != self.labels:
            raise RuntimeError("calibrator classes differ from the model's")
        self.calib_coef = np.asarray(calib.coef_, dtype=np.float32)
        self.calib_intercept = np.asarray(calib.intercept_, dtype=np.float32)
        return self

    # ---- prediction
    def bind(self, words: Analyzer | None, cues: CueFunction | None) -> None:
        for b in self.blocks:
            b.bind(words)
        self.cues = cues

    def decision(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self.coef.T + self.intercept)

    def proba_from_decision(self, d: np.ndarray) -> np.ndarray:
        z = _as_2d(d) @ self.calib_coef.T + self.calib_intercept
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return np.asarray(e / e.sum(axis=1, keepdims=True))

    def predict_proba(self, posts: Sequence[PostText]) -> tuple[np.ndarray, sp.csr_matrix]:
        X = self.features(posts)
        return self.proba_from_decision(self.decision(X)), X

    def readable(self) -> np.ndarray:
        """Columns worth showing as evidence: n-grams and words of two or more characters with
        a Chinese character in them (a duty officer cannot check "，请" or "12")."""
        cached: np.ndarray | None = self._readable
        if cached is None:
            parts = [
                _readable_keys(b.keys)
                if b.analyzer == "char"
                else np.array(
                    [
                        len(w) >= 2 and any("\u4e00" <= c <= "\u9fff" for c in w)
                        for w in b.vocabulary
                    ],
                    dtype=bool,
                )
                for b in self.blocks
            ]
            parts.append(np.zeros(len(self.cue_names), dtype=bool))
            cached = np.concatenate(parts)
            self._readable = cached
        return cached

    def contributions(
        self, X: sp.csr_matrix, row: int, label_index: int, top: int
    ) -> list[tuple[int, float]]:
        """(column, value) of the readable features that pushed ``row`` towards the label most."""
        start, end = X.indptr[row], X.indptr[row + 1]
        idx = X.indices[start:end]
        idx = idx[self.readable()[idx]]
        vals = (
            X.data[start:end][self.readable()[X.indices[start:end]]] * self.coef[label_index, idx]
        )
        if len(vals) > top:
            part = np.argpartition(-vals, top)[:top]
            idx, vals = idx[part], vals[part]
        order = np.argsort(-vals)
        return [(int(idx[j]), float(vals[j])) for j in order if vals[j] > 0]

    # ---- plain arrays
    def to_arrays(self, prefix: str) -> dict[str, np.ndarray]:
        arrays: dict[str, np.ndarray] = {
            f"{prefix}coef": self.coef.astype(np.float16),
            f"{prefix}intercept": self.intercept,
            f"{prefix}calib_coef": self.calib_coef,
            f"{prefix}calib_intercept": self.calib_intercept,
        }
        for i, b in enumerate(self.blocks):
            if b.analyzer == "char":
                arrays[f"{prefix}block{i}_keys"] = b.keys
            else:
                arrays[f"{prefix}block{i}_vocabulary"] = np.array(b.vocabulary, dtype=str)
            arrays[f"{prefix}block{i}_idf"] = b.idf
        return arrays

    def spec(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "estimator": self.estimator,
            "C": self.C,
            "blocks": [b.spec() for b in self.blocks],
            "cue_names": self.cue_names,
            "cue_weight": self.cue_weight,
        }

    @classmethod
    def from_arrays(cls, spec: dict[str, Any], arrays: Any, prefix: str) -> LinearTextModel:
        blocks = []
        for i, bs in enumerate(spec["blocks"]):
            char = bs["analyzer"] == "char"
            blocks.append(
                Block(
                    analyzer=bs["analyzer"],
                    part=bs["field"],
                    weight=float(bs["weight"]),
                    ngram_range=(int(bs["ngram_range"][0]), int(bs["ngram_range"][1])),
                    min_df=int(bs["min_df"]),
                    max_features=bs["max_features"],
                    keys=np.asarray(arrays[f"{prefix}block{i}_keys"], dtype=np.uint64)
                    if char
                    else np.zeros(0, dtype=np.uint64),
                    vocabulary=[]
                    if char
                    else [str(t) for t in arrays[f"{prefix}block{i}_vocabulary"]],
                    idf=np.asarray(arrays[f"{prefix}block{i}_idf"], dtype=np.float32),
                )
            )
        model = cls(
            labels=list(spec["labels"]),
            blocks=blocks,
            estimator=spec["estimator"],
            C=float(spec["C"]),
            cue_names=list(spec["cue_names"]),
            cue_weight=float(spec["cue_weight"]),
            coef=np.asarray(arrays[f"{prefix}coef"], dtype=np.float32),
            intercept=np.asarray(arrays[f"{prefix}intercept"], dtype=np.float32),
            calib_coef=np.asarray(arrays[f"{prefix}calib_coef"], dtype=np.float32),
            calib_intercept=np.asarray(arrays[f"{prefix}calib_intercept"], dtype=np.float32),
        )
        n_features = sum(b.size for b in blocks) + len(model.cue_names)
        if model.coef.shape != (len(model.labels), n_features):
            raise ValueError(
                f"weights have shape {model.coef.shape}, expected "
                f"({len(model.labels)}, {n_features}) for {prefix.rstrip('_')}"
            )
        return model


def _readable_keys(keys: np.ndarray) -> np.ndarray:
    mask = np.uint64((1 << BITS) - 1)
    han = np.zeros(len(keys), dtype=bool)
    for i in range(3):
        cp = (keys >> np.uint64(BITS * i)) & mask
        han |= (cp >= 0x4E00) & (cp <= 0x9FFF)
    return han & (keys >= np.uint64(1 << BITS))  # two characters or more


def _as_2d(d: np.ndarray) -> np.ndarray:
    d = np.asarray(d, dtype=np.float64)
    return d.reshape(-1, 1) if d.ndim == 1 else d
