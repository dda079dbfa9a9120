"""Handling type: cue words, clear cases and the score on the 人民网 evaluation threads.

The floor is what the shipped model reaches (0.608); the issue's target (0.62) is higher: the board's
own labels are chosen by the people who post and overlap a lot (many 建言 are complaints).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from classifier.evaluate import score
from classifier.handling import CUE_NAMES, cue_vector, matched_cues
from classifier.model import PostClassifier, load_classifier
from classifier.text import THREADS_EVAL_FROM, read_threads
from classifier.types import PostText


@pytest.fixture(scope="module")
def model() -> PostClassifier:
    return load_classifier()


def test_cue_words_are_evidence() -> None:
    post = PostText("关于增设公交站的建议", "建议在德溪大道增设公交站。请问是否可以？")
    cues = matched_cues(post)
    assert {"建议", "增设"} <= set(cues["建言"])
    assert "请问" in cues["咨询"]
    assert "投诉/求助" not in cues
    # "是否可以" is one 建言 cue, not also 咨询's "是否"
    assert "是否" not in cues["咨询"] and "是否可以" in cues["建言"]


def test_cue_vector_shape_and_title_counts() -> None:
    v = cue_vector(PostText("请问低保怎么申请？", "谢谢"))
    assert len(v) == len(CUE_NAMES)
    named = dict(zip(CUE_NAMES, v, strict=True))
    assert named["标题:咨询"] > 0 and named["标题:问号"] > 0
    assert named["正文:咨询"] == 0 and named["标题:建言"] == 0


@pytest.mark.parametrize(
    ("kind", "title", "content"),
    [
        (
            "建言",
            "关于增设公交线路的建议",
            "建议区交通运输局优化公交线路，增加早晚高峰班次，方便群众出行。",
        ),
        ("咨询", "请问低保怎么申请？", "请问申请低保需要什么条件和材料？在哪里办理？"),
        ("投诉/求助", "拖欠工资求助", "老板拖欠我们工资两年了，多次讨要无果，恳请领导帮帮我们。"),
    ],
)
def test_clear_cases(model: PostClassifier, kind: str, title: str, content: str) -> None:
    ((_, label),) = model.predict([PostText(title, content)])
    assert label.label == kind
    assert kind in label.evidence["cues"]


def test_people_threads_evaluation_split(model: PostClassifier, shared_dir: Path) -> None:
    threads = shared_dir / "data/people_liuyan_guizhou/threads.csv"
    examples = read_threads(threads, task="handling", since=THREADS_EVAL_FROM)
    predicted = model.predict_task("handling", [ex.post for ex in examples])
    m = score(
        [ex.label for ex in examples], [p.label for p in predicted], model.models["handling"].labels
    )
    print(f"\nhandling macro-F1 {m.macro_f1:.4f} accuracy {m.accuracy:.4f} n {m.n}")
    assert m.macro_f1 >= 0.60


def test_rules_fire_on_plain_questions_and_suggestions_only() -> None:
    from classifier.handling import RULES, rule_labels, scan
    from classifier.ngrams import encode

    posts = [
        PostText("低保怎么申请？", "需要什么材料？"),
        PostText("关于增设公交站的建议", "建议在德溪大道增设公交站，方便群众出行。"),
        # a question or a suggestion made while complaining stays the model's call
        PostText("工资什么时候发？", "老板拖欠工资半年，多次讨要无果。"),
        PostText("建议严查", "小区旁工地夜间施工扰民，建议严查。"),
        PostText("路灯坏了", "小区路灯坏了一个月。"),
    ]
    hits = rule_labels(scan(encode(posts)), list(RULES))
    assert hits[0] == ("title_question", "咨询")
    assert hits[1] is not None and hits[1][1] == "建言"
    assert hits[2] is None and hits[3] is None and hits[4] is None
    only_title = rule_labels(scan(encode(posts)), ["title_suggestion"])
    assert only_title[1] == ("title_suggestion", "建言") and only_title[0] is None
    with pytest.raises(ValueError, match="unknown handling rules"):
        rule_labels(scan(encode(posts)), ["no_such_rule"])


def test_a_model_with_rules_shows_the_rule_as_evidence(model: PostClassifier) -> None:
    from classifier.model import PostClassifier as Classifier

    ruled = Classifier(model.models, {**model.metadata, "handling_rules": ["title_question"]})
    post = PostText("请问低保怎么申请？", "请问申请低保需要什么条件和材料？")
    ((_, label),) = ruled.predict([post])
    assert label.label == "咨询" and label.evidence["rule"] == "title_question"
    ((_, plain),) = ruled.predict([PostText("路灯坏了", "小区路灯坏了一个月，无人管。")])
    assert "rule" not in plain.evidence


def test_a_label_bias_shifts_answers_towards_a_type(model: PostClassifier) -> None:
    from classifier.model import PostClassifier as Classifier

    posts = [PostText("路灯坏了", "小区路灯坏了一个月，希望尽快修好。")] * 2
    plain = model.predict_task("handling", posts)[0]
    shifted = Classifier(
        model.models, {**model.metadata, "label_bias": {"handling": {"咨询": 50.0}}}
    ).predict_task("handling", posts)[0]
    assert plain.label != "咨询" and shifted.label == "咨询"
    assert shifted.score > 0.99
