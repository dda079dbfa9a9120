"""Bootstrap intervals of macro-F1, and the cross-validation folds of the topic selection."""

from __future__ import annotations

import random

import numpy as np
from sklearn.metrics import f1_score

from bench.topic_select import folds
from classifier.confidence import bootstrap_macro_f1


def test_macro_f1_matches_scikit_learn_and_the_interval_holds_it() -> None:
    rng = random.Random(3)
    truth = [rng.choice("abcd") for _ in range(400)]
    pred = [t if rng.random() < 0.7 else rng.choice("abcde") for t in truth]
    ci = bootstrap_macro_f1(truth, pred, seed=1)
    expected = f1_score(truth, pred, labels=sorted(set(truth)), average="macro")
    assert abs(ci.value - expected) < 1e-9
    assert ci.low < ci.value < ci.high and ci.high - ci.low < 0.2
    # the same seed gives the same interval; fewer rows give a wider one
    assert bootstrap_macro_f1(truth, pred, seed=1) == ci
    small = bootstrap_macro_f1(truth[:60], pred[:60], seed=1)
    assert small.high - small.low > ci.high - ci.low
    assert bootstrap_macro_f1(truth, truth).as_dict()["ci95"] == [1.0, 1.0]


def test_selection_folds_score_only_rows_with_a_detail_text() -> None:
    labels = ["a", "b", "c"] * 20
    has_detail = np.array([i % 3 != 0 or i < 30 for i in range(60)])
    fold_list = folds(labels, has_detail, 5, seed=0)
    scored = np.concatenate([f.test for f in fold_list])
    assert sorted(scored.tolist()) == np.flatnonzero(has_detail).tolist()
    for f in fold_list:
        assert has_detail[f.test].all()
        assert set(np.flatnonzero(~has_detail)) <= set(f.train.tolist())
        assert not set(f.test.tolist()) & set(f.train.tolist())
