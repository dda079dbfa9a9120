"""Topic: clear cases, evidence, the data split rules and the scores on the real evaluation data.

Run with ``-s`` to see the figures. The floors below are what the shipped model reaches, so a
change that makes it worse fails; the issue's targets (TipDM 0.90, 人民网 0.75) are higher.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.evaluate import score
from classifier.model import PostClassifier, load_classifier
from classifier.text import (
    THREADS_EVAL_FROM,
    join_text,
    read_threads,
    read_tipdm,
)
from classifier.topic import evidence_terms
from classifier.train import load_training_data
from classifier.types import PostText

CASES = [
    (
        "城乡建设",
        "老旧小区改造",
        "我们小区排水管网老化，雨天污水倒灌，希望尽快纳入老旧小区改造，修好小区道路。",
    ),
    ("劳动和社会保障", "拖欠工资", "我在工地务工半年，老板至今拖欠农民工工资，社保也没有缴纳。"),
    ("教育文体", "孩子入学问题", "孩子今年上小学，户籍在本区却被划到很远的学校，学位太紧张。"),
    ("卫生计生", "医院乱收费", "在区人民医院住院，医保报销比例不对，医生还让做不必要的检查。"),
    ("交通运输", "公交线路", "建议增加到火车站的公交线路，早晚高峰公交车太挤，出租车拒载。"),
    ("环境保护", "工厂排放污水", "附近的化工厂每天晚上偷排污水，河水发黑发臭，空气污染严重。"),
    ("商贸旅游", "景区门票", "景区门票价格太高，旅游旺季商家哄抬价格，游客投诉无门。"),
]


@pytest.fixture(scope="module")
def model() -> PostClassifier:
    return load_classifier()


@pytest.mark.parametrize(("topic", "title", "content"), CASES)
def test_clear_cases(model: PostClassifier, topic: str, title: str, content: str) -> None:
    ((label, _),) = model.predict([PostText(title, content)])
    assert label.label == topic
    assert label.evidence["terms"]


def test_evidence_terms_are_readable_and_not_nested() -> None:
    names = {0: "物业", 1: "物", 2: "物业费", 3: "，。", 4: "12", 5: "电梯"}
    terms = evidence_terms([2, 0, 1, 3, 4, 5], names.__getitem__)
    assert terms == ["物业费", "电梯"]


def test_join_text_does_not_repeat_the_title() -> None:
    assert join_text(PostText("路灯不亮", "路灯不亮 已经一个月")) == "路灯不亮 已经一个月"
    assert join_text(PostText("路灯", "不亮\n\n  了")) == "路灯 不亮 了"
    assert join_text(PostText("", "内容")) == "内容"


def test_training_never_sees_the_evaluation_splits(shared_dir: Path) -> None:
    data = load_training_data(shared_dir / "data")
    threads = shared_dir / "data/people_liuyan_guizhou/threads.csv"
    late = {
        join_text(ex.post) for ex in read_threads(threads, task="handling", since=THREADS_EVAL_FROM)
    }
    test = {join_text(ex.post) for ex in read_tipdm(shared_dir / "data/tipdm2020c/test.csv")}
    for task in ("topic", "handling"):
        examples = data.train[task].examples
        assert all(
            ex.created < THREADS_EVAL_FROM
            for ex in examples
            if ex.created[:2] == "20" and "-" in ex.created
        )
        texts = {join_text(ex.post) for ex in examples}
        assert not texts & late
        assert len(texts & test) <= 3  # the two files share three titles-only duplicates at most
    assert data.evaluation["threads_eval_topic"][1]
    assert all(ex.created >= THREADS_EVAL_FROM for ex in data.evaluation["threads_eval_topic"][1])


def _macro_f1(model: PostClassifier, examples: list) -> float:  # type: ignore[type-arg]
    predicted = model.predict_task("topic", [ex.post for ex in examples])
    m = score([ex.label for ex in examples], [p.label for p in predicted], model.topics)
    print(f"\nmacro-F1 {m.macro_f1:.4f} accuracy {m.accuracy:.4f} n {m.n}")
    return m.macro_f1


def test_tipdm_test_split(model: PostClassifier, shared_dir: Path) -> None:
    assert _macro_f1(model, read_tipdm(shared_dir / "data/tipdm2020c/test.csv")) >= 0.87


def test_people_threads_evaluation_split(model: PostClassifier, shared_dir: Path) -> None:
    threads = shared_dir / "data/people_liuyan_guizhou/threads.csv"
    assert _macro_f1(model, read_threads(threads, task="topic", since=THREADS_EVAL_FROM)) >= 0.70


def test_selection_gain_interval_is_paired_and_scores_are_standardised_per_post() -> None:
    import random

    import numpy as np

    from bench.topic_select import paired_delta, standardised

    rng = random.Random(5)
    truth = np.array([rng.choice("abc") for _ in range(300)])
    weaker = np.array([t if rng.random() < 0.7 else rng.choice("abc") for t in truth])
    # the same predictions gain nothing, on every resample
    assert paired_delta(truth, weaker, weaker, resamples=200) == (0.0, 0.0, 0.0)
    # fixing a third of the mistakes is a gain whose interval lies above zero
    wrong = np.flatnonzero(weaker != truth)
    better = weaker.copy()
    better[wrong[: len(wrong) // 3]] = truth[wrong[: len(wrong) // 3]]
    gain, low, high = paired_delta(truth, better, weaker, resamples=200)
    assert 0 < low <= gain <= high
    scores = standardised(np.array([[1.0, 2.0, 6.0], [3.0, 3.0, 3.0]]))
    assert np.allclose(scores[0].mean(), 0) and np.isclose(scores[0].std(), 1)
    assert np.argmax(scores[0]) == 2 and np.allclose(scores[1], 0)
