"""Model directories: the shipped default, save/load round trip, clear errors."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from classifier import handling
from classifier.linear import LinearTextModel
from classifier.model import (
    DEFAULT_MODEL_DIR,
    ModelError,
    Models,
    PostClassifier,
    load_classifier,
    save_model,
)
from classifier.ngrams import CharSpace, encode
from classifier.text import read_handling_csv
from classifier.types import Label, PostText
from domain.vocabulary import HANDLING_TYPES, TOPICS

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def default() -> PostClassifier:
    return load_classifier()


def test_default_model_is_shipped_small_and_without_pickles() -> None:
    files = sorted(p.name for p in DEFAULT_MODEL_DIR.iterdir())
    assert files == ["metadata.json", "weights.npz"]
    assert sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.iterdir()) < 5_000_000
    with np.load(DEFAULT_MODEL_DIR / "weights.npz", allow_pickle=False) as arrays:
        assert all(arrays[name].dtype != object for name in arrays.files)
    meta = json.loads((DEFAULT_MODEL_DIR / "metadata.json").read_text(encoding="utf-8"))
    for key in ("version", "libraries", "training_data", "metrics", "tasks"):
        assert key in meta
    assert sorted(meta["tasks"]["topic"]["labels"]) == sorted(TOPICS)
    assert sorted(meta["tasks"]["handling"]["labels"]) == sorted(HANDLING_TYPES)
    assert "scikit-learn" in meta["libraries"]
    assert len(meta["training_data"]["sha256"]["topic"]) == 64


def test_predict_gives_labels_with_scores_and_evidence(default: PostClassifier) -> None:
    posts = [
        PostText(
            "小区物业乱收费", "我们小区物业公司擅自提高物业费，还乱收停车费，业主多次投诉无果。"
        ),
        PostText("", "请问今年公办幼儿园入学报名需要什么材料？"),
    ]
    out = default.predict(posts)
    assert len(out) == 2
    for topic, kind in out:
        assert isinstance(topic, Label) and topic.kind == "topic" and topic.label in TOPICS
        assert kind.kind == "handling" and kind.label in HANDLING_TYPES
        for label in (topic, kind):
            assert 0.0 < label.score <= 1.0
            assert label.model_version == default.version
            assert label.needs_review == (label.score < default.review_below[label.kind])
            assert label.evidence["runner_up"]["label"] != label.label
        assert topic.evidence["terms"], "topic evidence names the words that drove it"
    assert out[0][0].label == "城乡建设"
    assert out[1][0].label == "教育文体"
    assert default.predict([]) == []


def _tiny_model() -> tuple[Models, list[PostText]]:
    rows = read_handling_csv(DATA / "handling_train.csv")[:150]
    posts = [r.post for r in rows]
    space = CharSpace(min_df=1)
    X = space.fit_transform(posts)
    topic = LinearTextModel(labels=[], estimator="svc", C=0.5)

    # topic labels for the mechanics only: which kind of place the post names
    def place(p: PostText) -> str:
        return (
            "城乡建设" if "街道" in p.content else "交通运输" if "镇" in p.content else "教育文体"
        )

    topic.fit(X, space.title_columns(), [place(p) for p in posts], folds=3)
    kind = handling.new_model()
    cues = handling.scan(encode(posts)).features
    kind.fit(X, space.title_columns(), [r.label for r in rows], cues=cues, folds=3)
    return Models(space, {"topic": topic, "handling": kind}), posts


def test_save_and_load_round_trip(tmp_path: Path) -> None:
    models, posts = _tiny_model()
    save_model(tmp_path / "m", models, {"version": "clf-test"})
    before = PostClassifier(models, {"version": "clf-test"}).predict(posts[:20])
    loaded = load_classifier(tmp_path / "m")
    after = loaded.predict(posts[:20])
    assert loaded.version == "clf-test"
    for (t1, h1), (t2, h2) in zip(before, after, strict=True):
        assert (t1.label, h1.label) == (t2.label, h2.label)
        assert t1.score == pytest.approx(t2.score, abs=2e-3)  # weights are stored as float16
        assert h1.score == pytest.approx(h2.score, abs=2e-3)


def _copy_default(tmp_path: Path) -> Path:
    target = tmp_path / "model"
    shutil.copytree(DEFAULT_MODEL_DIR, target)
    return target


def _edit_metadata(model_dir: Path, **changes: object) -> None:
    path = model_dir / "metadata.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    for key, value in changes.items():
        if key == "sklearn":
            meta["libraries"]["scikit-learn"] = value
        else:
            meta[key] = value
    path.write_text(json.dumps(meta), encoding="utf-8")


def test_other_scikit_learn_version_is_a_clear_error(tmp_path: Path) -> None:
    model_dir = _copy_default(tmp_path)
    _edit_metadata(model_dir, sklearn="0.24.2")
    with pytest.raises(ModelError, match=r"scikit-learn 0\.24\.2.*yuqing train"):
        load_classifier(model_dir)


def test_missing_and_broken_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="no such model directory"):
        load_classifier(tmp_path / "absent")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="metadata.json"):
        load_classifier(tmp_path / "empty")
    model_dir = _copy_default(tmp_path)
    _edit_metadata(model_dir, format=99)
    with pytest.raises(ModelError, match="format 99"):
        load_classifier(model_dir)
    model_dir = _copy_default(tmp_path / "b")
    (model_dir / "weights.npz").unlink()
    with pytest.raises(ModelError, match="weights.npz is missing"):
        load_classifier(model_dir)
    model_dir = _copy_default(tmp_path / "c")
    meta = json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
    meta["tasks"]["topic"]["cue_names"] = ["extra"]  # arrays no longer fit the spec
    (model_dir / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="do not match"):
        load_classifier(model_dir)


def test_handling_set_is_well_formed() -> None:
    with open(DATA / "handling_train.csv", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) >= 300
    counts = {t: sum(r["handling"] == t for r in rows) for t in HANDLING_TYPES}
    assert min(counts.values()) >= 100, counts
