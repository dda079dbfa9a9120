"""The handling candidates' comparison: recency weights, extra cues, the prior-shift rule and the
paired gain interval (no data files needed)."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from bench.handling_candidates import (
    EXTRA_CUES,
    SHIPPED,
    Candidate,
    choose_bias,
    extra_cue_features,
    months_before,
    paired_gain,
    recency_weights,
    with_bias,
)
from bench.handling_select import candidates_of
from classifier.handling import SHIPPED_BIAS, new_model, scan
from classifier.ngrams import encode
from classifier.text import Example
from classifier.types import PostText


def test_recency_halves_the_weight_every_half_life() -> None:
    rows = [
        Example(PostText("a", "b"), "建言", "2022-08-31 10:00"),
        Example(PostText("a", "b"), "建言", "2022-03-03 10:00"),
        Example(PostText("a", "b"), "建言"),  # the hand-written set has no date
    ]
    w = recency_weights(rows, "2022-09-01", 6.0)
    assert w[0] == pytest.approx(1.0, abs=0.01)
    assert w[1] == pytest.approx(0.5, abs=0.01)
    assert w[2] == 1.0
    assert recency_weights(rows, "2022-09-01", None).tolist() == [1.0, 1.0, 1.0]
    assert months_before("2022-07-01", "2022-09-01") == pytest.approx(62 / 30.44)


def test_extra_cues_mark_questions_and_suggestions_without_grievance() -> None:
    posts = [
        PostText("公积金能否异地提取", "想了解一下办理流程"),
        PostText("关于增设公交站的建议", "建议增设公交站"),
        PostText("工资什么时候发", "老板拖欠工资半年"),
    ]
    f = extra_cue_features(posts, scan(encode(posts)))
    assert f.shape == (3, len(EXTRA_CUES))
    named = [dict(zip(EXTRA_CUES, row.tolist(), strict=True)) for row in f]
    assert named[0]["问句无诉求"] == 1.0 and named[0]["建言无诉求"] == 0.0
    assert named[1]["建言无诉求"] == 1.0 and named[1]["标题:问句"] == 0.0
    assert named[2]["标题:问句"] == 1.0 and named[2]["问句无诉求"] == 0.0


def test_candidates_change_one_setting_or_all_of_them() -> None:
    args = argparse.Namespace(half_lives="3,6", Cs="2", title_weights="", extra_cues=True)
    single = candidates_of(argparse.Namespace(**vars(args), combine=False))
    assert [c.name() for c in single] == [
        "C=1 title=0.5 half-life=3mo",
        "C=1 title=0.5 half-life=6mo",
        "C=2 title=0.5",
        "C=1 title=0.5 extra-cues",
    ]
    (both,) = candidates_of(argparse.Namespace(**vars(args), combine=True))
    assert both == Candidate(C=2.0, half_life=6.0, extra_cues=True)
    assert both.model().cue_names[-len(EXTRA_CUES) :] == EXTRA_CUES
    # the baseline is what ships: the same model and its prior shift
    assert SHIPPED.model().spec() == new_model().spec() and dict(SHIPPED.bias or ()) == SHIPPED_BIAS


def test_choose_bias_needs_the_forward_split_and_the_folds() -> None:
    # the model over-predicts 咨询: a negative shift of 咨询 helps both parts
    truth = np.array(["投诉/求助"] * 6 + ["咨询"] * 2 + ["建言"] * 2, dtype=object)
    proba = np.array([[0.3, 0.45, 0.25]] * 6 + [[0.1, 0.8, 0.1]] * 2 + [[0.7, 0.1, 0.2]] * 2)
    # columns follow LABELS: 建言, 咨询, 投诉/求助
    assert with_bias(proba, {}).tolist()[:6] == ["咨询"] * 6
    bias = choose_bias(truth, proba, truth, proba, 0.002)
    assert bias and bias["咨询"] < 0
    assert with_bias(proba, bias).tolist() == truth.tolist()
    # nothing to gain: no shift
    exact = np.eye(3)[[2] * 6 + [1] * 2 + [0] * 2]
    assert choose_bias(truth, exact, truth, exact, 0.002) == {}


def test_paired_gain_interval() -> None:
    rng = np.random.default_rng(1)
    truth = rng.choice(np.array(["a", "b", "c"], dtype=object), 300)
    worse = truth.copy()
    worse[:60] = "a"
    gain, low, high = paired_gain(truth, truth, worse, resamples=200)
    assert gain > 0 and 0 < low <= gain <= high
    same = paired_gain(truth, worse, worse, resamples=50)
    assert same == (0.0, 0.0, 0.0)
