"""Choose the topic model's settings on ``tipdm2020c/train.csv`` alone, the way the test is run.

The test split (``tipdm2020c/test.csv``) holds only messages with a detail text, while 961 of the
2,794 training rows carry the title only. Cross-validation therefore folds over the training
rows that have a detail text, and the title-only rows are always in the training part of a
fold: each fold is scored on the kind of message the test holds. The 人民网 threads created
before 2022-09-01 whose board domain maps to a topic are in the training part of every fold
with the weight ``yuqing train`` gives them, as in the shipped model; they are never scored.
Neither ``test.csv`` nor the threads from 2022-09-01 are read here.

The search is a short greedy walk: each stage tries a few values of one setting with the best
of the stages before, and keeps the new value only when its cross-validated macro-F1 is higher
by more than ``--margin`` (a simpler setting wins ties). Every candidate's pooled out-of-fold
macro-F1 is printed with its bootstrap 95% interval.

Usage:
    .venv/bin/python -m bench.topic_select            # the full walk (about ten minutes)
    .venv/bin/python -m bench.topic_select --quick    # two folds, fewer candidates

Prints one line per candidate and a final JSON line with the chosen settings.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from classifier.confidence import bootstrap_macro_f1  # noqa: E402
from classifier.ngrams import CharSpace, encode  # noqa: E402
from classifier.text import THREADS_EVAL_FROM, Example, read_threads, read_tipdm  # noqa: E402
from classifier.train import THREADS_WEIGHT  # noqa: E402
from classifier.words import WordSpace  # noqa: E402


def data_dir() -> Path:
    shared = os.environ.get("YUQING_SHARED_DIR")
    return (Path(shared) if shared else ROOT.parent / "shared") / "data"


def user_words(config: Path) -> list[str]:
    """The jurisdiction's unit names, places and matters, for jieba's user dictionary."""
    from domain.settings import load_settings
    from response_sla.directory import Directory

    settings = load_settings(config, environ={})
    return Directory.from_jurisdiction(settings.jurisdiction).words()


@dataclass(frozen=True)
class Candidate:
    estimator: str = "svc"  # "svc" or "logreg"
    C: float = 0.5
    title_weight: float = 0.0
    class_weight: str = "balanced"  # "balanced" or "none"
    min_df: int = 2
    max_text: int = 100_000
    word_weight: float = 0.0  # 0: no word block
    word_fields: str = "title"  # "title" or "all"

    def name(self) -> str:
        parts = [f"{self.estimator} C={self.C:g}", f"title={self.title_weight:g}"]
        if self.class_weight != "balanced":
            parts.append("unweighted")
        if self.min_df != 2 or self.max_text != 100_000:
            parts.append(f"min_df={self.min_df} max_text={self.max_text}")
        if self.word_weight:
            parts.append(f"words({self.word_fields})={self.word_weight:g}")
        return ", ".join(parts)


@dataclass
class Fold:
    train: np.ndarray  # indices into the pool
    test: np.ndarray


def folds(
    labels: Sequence[str], has_detail: np.ndarray, n_folds: int, seed: int
) -> list[Fold]:
    """Stratified folds over the rows with a detail text; every other row trains in all."""
    from sklearn.model_selection import StratifiedKFold

    detail = np.flatnonzero(has_detail)
    always = np.flatnonzero(~has_detail)
    y = np.asarray(labels)[detail]
    out = []
    skf = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    for tr, te in skf.split(detail, y):
        out.append(Fold(np.concatenate([always, detail[tr]]), detail[te]))
    return out


class Features:
    """The design matrix of a candidate on one fold: character blocks (+ words)."""

    def __init__(self, words: WordSpace | None) -> None:
        self.words = words
        self._char: dict[tuple[Any, ...], tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]] = {}
        self._word: dict[tuple[Any, ...], tuple[sp.csr_matrix, sp.csr_matrix]] = {}

    def char(
        self, key: tuple[Any, ...], c: Candidate, train: list[Any], test: list[Any]
    ) -> tuple[sp.csr_matrix, sp.csr_matrix, np.ndarray]:
        k = (*key, c.min_df, c.max_text)
        if k not in self._char:
            space = CharSpace(min_df=c.min_df, max_text=c.max_text)
            Xtr = space.fit_transform(train)
            Xte = space.transform(encode(test))
            self._char[k] = (Xtr, Xte, space.title_columns())
        return self._char[k]

    def word(
        self, key: tuple[Any, ...], c: Candidate, train: list[Any], test: list[Any]
    ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        assert self.words is not None
        k = (*key, c.word_fields)
        if k not in self._word:
            space = self.words.fresh(fields=c.word_fields)
            self._word[k] = (space.fit_transform(train), space.transform(test))
        return self._word[k]


def design(
    c: Candidate, X: sp.csr_matrix, title_cols: np.ndarray, W: sp.csr_matrix | None
) -> sp.csr_matrix:
    scale = np.where(title_cols, c.title_weight, 1.0).astype(np.float32)
    parts = [sp.csr_matrix(X @ sp.diags(scale))]
    if W is not None and c.word_weight:
        parts.append(sp.csr_matrix(W * c.word_weight))
    return sp.csr_matrix(sp.hstack(parts, format="csr"))


def estimator(c: Candidate, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression
    from sklearn.svm import LinearSVC

    cw = "balanced" if c.class_weight == "balanced" else None
    if c.estimator == "svc":
        return LinearSVC(C=c.C, class_weight=cw, random_state=seed)
    return LogisticRegression(C=c.C, class_weight=cw, max_iter=3000)


def run_candidate(
    c: Candidate,
    posts: list[Any],
    labels: np.ndarray,
    weights: np.ndarray,
    fold_list: list[Fold],
    feats: Features,
    seed: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Out-of-fold predictions on the scored rows (indices, predicted labels)."""
    idx, pred = [], []
    for f, fold in enumerate(fold_list):
        train = [posts[i] for i in fold.train]
        test = [posts[i] for i in fold.test]
        Xtr, Xte, title_cols = feats.char((f,), c, train, test)
        Wtr = Wte = None
        if c.word_weight:
            Wtr, Wte = feats.word((f,), c, train, test)
        est = estimator(c, seed)
        est.fit(design(c, Xtr, title_cols, Wtr), labels[fold.train], sample_weight=weights[fold.train])
        idx.append(fold.test)
        pred.append(est.predict(design(c, Xte, title_cols, Wte)))
    return np.concatenate(idx), np.concatenate(pred)


STAGES: list[tuple[str, list[dict[str, Any]]]] = [
    (
        "regularisation",
        [{"C": 0.25}, {"C": 1.0}, {"C": 2.0}, {"estimator": "logreg", "C": 10.0}, {"estimator": "logreg", "C": 30.0}],
    ),
    ("title weight", [{"title_weight": 0.25}, {"title_weight": 0.5}, {"title_weight": 1.0}, {"title_weight": 1.5}, {"title_weight": 2.0}]),
    ("regularisation again", [{"C": 0.25}, {"C": 1.0}]),
    ("class weights", [{"class_weight": "none"}]),
    ("vocabulary", [{"min_df": 1, "max_text": 200_000}, {"max_text": 200_000}]),
    (
        "jieba words",
        [
            {"word_weight": 0.5, "word_fields": "title"},
            {"word_weight": 1.0, "word_fields": "title"},
            {"word_weight": 0.5, "word_fields": "all"},
        ],
    ),
]
QUICK = {"regularisation": 2, "title weight": 1, "regularisation again": 1, "class weights": 1, "vocabulary": 1, "jieba words": 1}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--margin", type=float, default=0.002)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-threads", action="store_true", help="train on train.csv alone")
    args = parser.parse_args(argv)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    folder = args.data_dir or data_dir()
    tipdm = read_tipdm(folder / "tipdm2020c" / "train.csv")
    extra: list[Example] = []
    if not args.no_threads:
        extra = read_threads(
            folder / "people_liuyan_guizhou" / "threads.csv", task="topic", before=THREADS_EVAL_FROM
        )
    examples = tipdm + extra
    posts = [ex.post for ex in examples]
    labels = np.asarray([ex.label for ex in examples])
    weights = np.asarray([1.0] * len(tipdm) + [THREADS_WEIGHT] * len(extra))
    # scored: TipDM rows with a detail text; title-only TipDM rows and threads always train
    has_detail = np.array([bool(ex.post.content.strip()) for ex in tipdm] + [False] * len(extra))
    n_folds = 2 if args.quick else args.folds
    fold_list = folds(labels, has_detail, n_folds, args.seed)
    print(
        f"train.csv: {len(tipdm)} rows, {int(has_detail.sum())} with detail text (scored, "
        f"{n_folds} folds); {len(tipdm) - int(has_detail.sum())} title-only and {len(extra)} "
        "threads before 2022-09-01 always in training",
        flush=True,
    )
    feats = Features(WordSpace(user_words(ROOT / "config" / "yuqing.toml")))
    results: list[dict[str, Any]] = []

    def evaluate(c: Candidate) -> float:
        t0 = time.perf_counter()
        idx, pred = run_candidate(c, posts, labels, weights, fold_list, feats, args.seed)
        ci = bootstrap_macro_f1(labels[idx].tolist(), pred.tolist(), seed=args.seed)
        print(f"  {c.name():<60} {ci}  {time.perf_counter() - t0:5.1f}s", flush=True)
        results.append({"candidate": c.__dict__, **ci.as_dict()})
        return ci.value

    best = Candidate()
    print("baseline (the shipped settings)")
    best_score = evaluate(best)
    for stage, changes in STAGES:
        print(stage)
        if args.quick:
            changes = changes[: QUICK[stage]]
        stage_best, stage_score = best, best_score
        for change in changes:
            c = replace(best, **change)
            s = evaluate(c)
            if s > stage_score + args.margin:
                stage_best, stage_score = c, s
        best, best_score = stage_best, stage_score
    print(json.dumps({"chosen": best.__dict__, "cv_macro_f1": round(best_score, 4)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
