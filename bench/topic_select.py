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
    .venv/bin/python -m bench.topic_select --round-two  # estimators and ensembles, from the
                                                        # shipped settings

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
    alpha: float = 1e-4  # the SGD estimator's regularisation
    # a second model whose row-standardised scores are averaged with the first's:
    # "" none, "words" (jieba words, own LinearSVC), "cnb" (Complement NB on the same
    # features), "char14" / "char25" (scikit-learn's char 1–4- / 2–5-gram TF-IDF of title and
    # content, sublinear tf, own LinearSVC); a blend weight of 1 is the second model alone
    blend: str = ""
    blend_weight: float = 0.0

    def name(self) -> str:
        head = (
            f"sgd alpha={self.alpha:g}"
            if self.estimator == "sgd"
            else f"{self.estimator} C={self.C:g}"
        )
        parts = [head, f"title={self.title_weight:g}"]
        if self.class_weight != "balanced":
            parts.append("unweighted")
        if self.min_df != 2 or self.max_text != 100_000:
            parts.append(f"min_df={self.min_df} max_text={self.max_text}")
        if self.word_weight:
            parts.append(f"words({self.word_fields})={self.word_weight:g}")
        if self.blend:
            what = self.blend.replace("words", f"words({self.word_fields})")
            if self.blend.startswith("stack-"):
                parts.append(f"stacked with {what.removeprefix('stack-')}")
            else:
                parts.append(f"+ {what} x{self.blend_weight:g}")
        return ", ".join(parts)


@dataclass
class Fold:
    train: np.ndarray  # indices into the pool
    test: np.ndarray


def folds(
    labels: Sequence[str] | np.ndarray, has_detail: np.ndarray, n_folds: int, seed: int
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
        self._char14: dict[tuple[Any, ...], tuple[sp.csr_matrix, sp.csr_matrix]] = {}

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

    def char14(
        self, key: tuple[Any, ...], train: list[Any], test: list[Any], ngrams: tuple[int, int]
    ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        from sklearn.feature_extraction.text import TfidfVectorizer

        from classifier.text import join_text

        key = (*key, ngrams)
        if key not in self._char14:
            vec = TfidfVectorizer(analyzer="char", ngram_range=ngrams, sublinear_tf=True, min_df=2)
            Xtr = vec.fit_transform([join_text(p) for p in train])
            self._char14[key] = (Xtr, vec.transform([join_text(p) for p in test]))
        return self._char14[key]


def design(
    c: Candidate, X: sp.csr_matrix, title_cols: np.ndarray, W: sp.csr_matrix | None
) -> sp.csr_matrix:
    scale = np.where(title_cols, c.title_weight, 1.0).astype(np.float32)
    parts = [sp.csr_matrix(X @ sp.diags(scale))]
    if W is not None and c.word_weight:
        parts.append(sp.csr_matrix(W * c.word_weight))
    return sp.csr_matrix(sp.hstack(parts, format="csr"))


def estimator(c: Candidate, seed: int) -> Any:
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.svm import LinearSVC

    cw = "balanced" if c.class_weight == "balanced" else None
    if c.estimator == "svc":
        return LinearSVC(C=c.C, class_weight=cw, random_state=seed)
    if c.estimator == "sgd":
        return SGDClassifier(
            loss="modified_huber", alpha=c.alpha, class_weight=cw, random_state=seed
        )
    return LogisticRegression(C=c.C, class_weight=cw, max_iter=3000)


def standardised(d: np.ndarray) -> np.ndarray:
    """Scores scaled per row (mean 0, unit spread), so two models' scores can be averaged."""
    d = np.asarray(d, dtype=np.float64)
    spread = d.std(axis=1, keepdims=True)
    return np.asarray((d - d.mean(axis=1, keepdims=True)) / np.where(spread > 0, spread, 1.0))


def paired_delta(
    truth: np.ndarray, a: np.ndarray, b: np.ndarray, *, resamples: int = 1000, seed: int = 0
) -> tuple[float, float, float]:
    """Macro-F1 of ``a`` minus that of ``b`` on the same rows, with the percentile bootstrap 95%
    interval of the difference (both scored on the same resamples)."""
    from classifier.confidence import macro_f1

    rng = np.random.default_rng(seed)
    n = len(truth)
    diffs = []
    for _ in range(resamples):
        rows = rng.integers(0, n, size=n)
        t = truth[rows].tolist()
        diffs.append(macro_f1(t, a[rows].tolist()) - macro_f1(t, b[rows].tolist()))
    low, high = np.quantile(diffs, [0.025, 0.975])
    return (
        macro_f1(truth.tolist(), a.tolist()) - macro_f1(truth.tolist(), b.tolist()),
        float(low),
        float(high),
    )


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
        Dtr, Dte = design(c, Xtr, title_cols, Wtr), design(c, Xte, title_cols, Wte)
        ytr, wtr = labels[fold.train], weights[fold.train]
        est.fit(Dtr, ytr, sample_weight=wtr)
        idx.append(fold.test)
        if not c.blend:
            pred.append(est.predict(Dte))
            continue
        if c.blend == "cnb":
            from sklearn.naive_bayes import ComplementNB

            second: Any = ComplementNB(alpha=0.3).fit(Dtr, ytr, sample_weight=wtr)
            d2 = second.predict_log_proba(Dte)
        else:
            kind = c.blend.removeprefix("stack-")
            if kind == "words":
                Btr, Bte = feats.word((f,), c, train, test)
            else:
                ngrams = (1, 4) if kind == "char14" else (2, 5)
                Btr, Bte = feats.char14((f,), train, test, ngrams)
            second = estimator(replace(c, estimator="svc"), seed).fit(Btr, ytr, sample_weight=wtr)
            d2 = second.decision_function(Bte)
            if c.blend.startswith("stack-"):
                pred.append(stacked(c, seed, (Dtr, Btr), (Dte, Bte), ytr, wtr))
                continue
        if list(second.classes_) != list(est.classes_):
            raise RuntimeError("the two models order their labels differently")
        d = (1 - c.blend_weight) * standardised(est.decision_function(Dte))
        d += c.blend_weight * standardised(d2)
        pred.append(est.classes_[d.argmax(axis=1)])
    return np.concatenate(idx), np.concatenate(pred)


def stacked(
    c: Candidate,
    seed: int,
    train: tuple[sp.csr_matrix, sp.csr_matrix],
    test: tuple[sp.csr_matrix, sp.csr_matrix],
    y: np.ndarray,
    w: np.ndarray,
) -> np.ndarray:
    """Two LinearSVCs (one per feature set) and a logistic regression over their decision
    values, learnt on inner-fold decisions of rows the SVCs did not see."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    inner = StratifiedKFold(5, shuffle=True, random_state=seed)
    held, full = [], []
    for Xtr, Xte in zip(train, test, strict=True):
        svc = estimator(replace(c, estimator="svc"), seed)
        held.append(
            cross_val_predict(
                svc, Xtr, y, cv=inner, method="decision_function", params={"sample_weight": w}
            )
        )
        full.append(svc.fit(Xtr, y, sample_weight=w).decision_function(Xte))
    cw = "balanced" if c.class_weight == "balanced" else None
    meta = LogisticRegression(C=1.0, class_weight=cw, max_iter=2000)
    meta.fit(np.hstack(held), y, sample_weight=w)
    return np.asarray(meta.predict(np.hstack(full)))


STAGES: list[tuple[str, list[dict[str, Any]]]] = [
    (
        "regularisation",
        [
            {"C": 0.25},
            {"C": 1.0},
            {"C": 2.0},
            {"estimator": "logreg", "C": 10.0},
            {"estimator": "logreg", "C": 30.0},
        ],
    ),
    (
        "title weight",
        [
            {"title_weight": 0.25},
            {"title_weight": 0.5},
            {"title_weight": 1.0},
            {"title_weight": 1.5},
            {"title_weight": 2.0},
        ],
    ),
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
# round two, from the shipped settings: other estimators and two-model ensembles
ROUND_TWO: list[tuple[str, list[dict[str, Any]]]] = [
    (
        "estimator and ensembles",
        [
            {"estimator": "sgd", "alpha": 1e-4},
            {"estimator": "sgd", "alpha": 3e-5},
            {"blend": "cnb", "blend_weight": 0.3},
            {"blend": "words", "word_fields": "all", "blend_weight": 0.3},
            {"blend": "words", "word_fields": "all", "blend_weight": 0.5},
            {"blend": "words", "word_fields": "title", "blend_weight": 0.3},
            {"blend": "char14", "blend_weight": 0.5},
            {"blend": "char14", "blend_weight": 1.0},
            {"blend": "char25", "blend_weight": 0.5},
            {"blend": "words", "word_fields": "all", "blend_weight": 0.15},
            {"blend": "cnb", "blend_weight": 0.15},
            {"blend": "stack-words", "word_fields": "all"},
            {"blend": "stack-char14"},
        ],
    ),
    ("class weights with the ensemble", [{"class_weight": "none"}]),
]
SHIPPED = Candidate(title_weight=1.0)
QUICK = {
    "regularisation": 2,
    "title weight": 1,
    "regularisation again": 1,
    "class weights": 1,
    "vocabulary": 1,
    "jieba words": 1,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--margin", type=float, default=0.002)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--no-threads", action="store_true", help="train on train.csv alone")
    parser.add_argument(
        "--round-two",
        action="store_true",
        help="start from the shipped settings and try other estimators and ensembles; a "
        "candidate wins only when the paired bootstrap interval of its gain excludes zero",
    )
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
    predictions: dict[Candidate, np.ndarray] = {}

    def evaluate(c: Candidate) -> float:
        t0 = time.perf_counter()
        idx, pred = run_candidate(c, posts, labels, weights, fold_list, feats, args.seed)
        order = np.argsort(idx)
        predictions[c] = pred[order]
        ci = bootstrap_macro_f1(labels[idx].tolist(), pred.tolist(), seed=args.seed)
        print(f"  {c.name():<60} {ci}  {time.perf_counter() - t0:5.1f}s", flush=True)
        results.append({"candidate": c.__dict__, **ci.as_dict()})
        return ci.value

    scored_truth = labels[np.sort(np.concatenate([f.test for f in fold_list]))]

    def wins(c: Candidate, score: float, incumbent: Candidate, incumbent_score: float) -> bool:
        if not args.round_two:
            return bool(score > incumbent_score + args.margin)
        gain, low, high = paired_delta(
            scored_truth, predictions[c], predictions[incumbent], seed=args.seed
        )
        print(f"    paired gain over {incumbent.name()}: {gain:+.4f} [{low:+.4f}, {high:+.4f}]")
        return bool(score > incumbent_score + args.margin and low > 0)

    best = SHIPPED if args.round_two else Candidate()
    print(
        "start: " + ("the shipped settings" if args.round_two else "the settings before round one")
    )
    best_score = evaluate(best)
    for stage, changes in ROUND_TWO if args.round_two else STAGES:
        if stage == "class weights with the ensemble" and not best.blend:
            continue
        print(stage)
        if args.quick:
            changes = changes[: QUICK.get(stage, 2)]
        stage_best, stage_score = best, best_score
        for change in changes:
            c = replace(best, **change)
            s = evaluate(c)
            if wins(c, s, stage_best, stage_score):
                stage_best, stage_score = c, s
        best, best_score = stage_best, stage_score
    print(json.dumps({"chosen": best.__dict__, "cv_macro_f1": round(best_score, 4)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
