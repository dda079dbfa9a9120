"""Build the topic and handling models from data files (and people's corrections).

Training data:

- topic: ``tipdm2020c/train.csv`` plus 人民网 threads created before 2022-09-01 whose board
  domain maps to a topic (weighted ``THREADS_WEIGHT``: the TipDM board is the cleaner set);
- handling: 人民网 threads created before 2022-09-01 plus the hand-written set
  ``tests/data/handling_train.csv``;
- corrections made by people (``Classification`` rows with status ``corrected``), weighted
  ``CORRECTION_WEIGHT``.

Evaluation splits, never used for fitting or choosing anything: ``tipdm2020c/test.csv`` and the
人民网 threads from 2022-09-01 on. Their scores go into the model's metadata.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from classifier import handling, topic
from classifier.evaluate import Metrics, score
from classifier.model import Models, PostClassifier, library_versions, new_version
from classifier.ngrams import CharSpace, encode
from classifier.text import (
    THREADS_EVAL_FROM,
    Example,
    data_hash,
    read_handling_csv,
    read_threads,
    read_tipdm,
)
from classifier.types import PostText

THREADS_WEIGHT: Final = 0.5
CORRECTION_WEIGHT: Final = 2.0
HANDLING_SET: Final = Path(__file__).resolve().parents[1] / "tests" / "data" / "handling_train.csv"

TIPDM_TRAIN: Final = Path("tipdm2020c/train.csv")
TIPDM_TEST: Final = Path("tipdm2020c/test.csv")
THREADS: Final = Path("people_liuyan_guizhou/threads.csv")


@dataclass
class TaskData:
    examples: list[Example] = field(default_factory=list)
    weights: list[float] = field(default_factory=list)

    def add(self, examples: Sequence[Example], weight: float) -> None:
        self.examples.extend(examples)
        self.weights.extend([weight] * len(examples))


@dataclass
class TrainingData:
    train: dict[str, TaskData]
    evaluation: dict[str, tuple[str, list[Example]]]  # split name -> (task, examples)
    files: dict[str, str]  # file -> sha256

    def describe(self) -> dict[str, Any]:
        return {
            "files": self.files,
            "rows": {t: len(d.examples) for t, d in self.train.items()},
            "sha256": {t: data_hash(d.examples) for t, d in self.train.items()},
            "evaluation_rows": {k: len(v[1]) for k, v in self.evaluation.items()},
        }


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def load_training_data(
    data_dir: Path,
    *,
    handling_set: Path | None = HANDLING_SET,
    corrections: dict[str, list[Example]] | None = None,
) -> TrainingData:
    """Read the training files and the evaluation splits from ``data_dir`` (``../shared/data``)."""
    tipdm_train, tipdm_test, threads = (
        data_dir / TIPDM_TRAIN,
        data_dir / TIPDM_TEST,
        data_dir / THREADS,
    )
    missing = [str(p) for p in (tipdm_train, threads) if not p.is_file()]
    if missing:
        raise FileNotFoundError(f"training data not found: {', '.join(missing)}")
    files = {str(TIPDM_TRAIN): _sha(tipdm_train), str(THREADS): _sha(threads)}

    topic_data = TaskData()
    topic_data.add(read_tipdm(tipdm_train), 1.0)
    topic_data.add(read_threads(threads, task="topic", before=THREADS_EVAL_FROM), THREADS_WEIGHT)
    handling_data = TaskData()
    handling_data.add(read_threads(threads, task="handling", before=THREADS_EVAL_FROM), 1.0)
    if handling_set is not None and handling_set.is_file():
        handling_data.add(read_handling_csv(handling_set), 1.0)
        files[handling_set.name] = _sha(handling_set)
    for task, rows in (corrections or {}).items():
        {"topic": topic_data, "handling": handling_data}[task].add(rows, CORRECTION_WEIGHT)

    evaluation: dict[str, tuple[str, list[Example]]] = {}
    if tipdm_test.is_file():
        evaluation["tipdm_test"] = ("topic", read_tipdm(tipdm_test))
    evaluation["threads_eval_topic"] = (
        "topic",
        read_threads(threads, task="topic", since=THREADS_EVAL_FROM),
    )
    evaluation["threads_eval_handling"] = (
        "handling",
        read_threads(threads, task="handling", since=THREADS_EVAL_FROM),
    )
    return TrainingData({"topic": topic_data, "handling": handling_data}, evaluation, files)


def _unique_posts(data: TrainingData) -> list[PostText]:
    seen: dict[PostText, None] = {}
    for d in data.train.values():
        for ex in d.examples:
            seen.setdefault(ex.post, None)
    return list(seen)


def fit_models(data: TrainingData, *, seed: int = 0) -> tuple[Models, dict[str, float]]:
    """Fit the shared features and both tasks; also returns cross-validated macro-F1 on the
    training rows."""
    space = CharSpace()
    space.fit_transform(_unique_posts(data))  # vocabulary and idf from every training post
    models = {"topic": topic.new_model(), "handling": handling.new_model()}
    cv: dict[str, float] = {}
    for task, model in models.items():
        d = data.train[task]
        posts = [ex.post for ex in d.examples]
        enc = encode(posts)
        model.fit(
            space.transform(enc),
            space.title_columns(),
            [ex.label for ex in d.examples],
            cues=handling.scan(enc).features if model.n_cues else None,
            sample_weight=d.weights,
            seed=seed,
        )
        cv[task] = round(model.cv_macro_f1_, 4)
    return Models(space, models), cv


def evaluate_splits(classifier: PostClassifier, data: TrainingData) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, (task, examples) in data.evaluation.items():
        if examples:
            out[name] = evaluate_examples(classifier, task, examples).summary()
    return out


def evaluate_examples(
    classifier: PostClassifier, task: str, examples: Sequence[Example]
) -> Metrics:
    labels = classifier.predict_task(task, [ex.post for ex in examples])
    return score(
        [ex.label for ex in examples], [lb.label for lb in labels], classifier.models[task].labels
    )


def build(data: TrainingData, *, now: datetime, seed: int = 0) -> PostClassifier:
    """Train and evaluate; the returned classifier carries the full metadata for ``save_model``."""
    models, cv = fit_models(data, seed=seed)
    described = data.describe()
    combined = hashlib.sha256(
        "".join(described["sha256"][t] for t in sorted(described["sha256"])).encode()
    ).hexdigest()
    meta: dict[str, Any] = {
        "version": new_version(combined, now),
        "created_at": now.isoformat(),
        "training_data": {**described, "combined_sha256": combined},
        "review_below": {"topic": topic.REVIEW_BELOW, "handling": handling.REVIEW_BELOW},
        "handling_rules": list(handling.SHIPPED_RULES),
        "label_bias": {"handling": dict(handling.SHIPPED_BIAS)},
        "libraries": library_versions(),
        "metrics": {"cross_validation_macro_f1": cv},
    }
    classifier = PostClassifier(models, meta)
    meta["metrics"]["evaluation"] = evaluate_splits(classifier, data)
    return classifier


def corrections_from_db(session: Any) -> dict[str, list[Example]]:
    """Post-level topic / handling labels that a person corrected, newest correction per post."""
    from sqlalchemy import select

    from storage import models
    from storage.enums import ReviewStatus

    rows = session.execute(
        select(models.Classification, models.Post)
        .join(models.Post, models.Classification.post_id == models.Post.id)
        .where(
            models.Classification.status == ReviewStatus.CORRECTED,
            models.Classification.kind.in_(("topic", "handling")),
        )
        .order_by(models.Classification.id)
    ).all()
    latest: dict[tuple[str, int], Example] = {}
    for cls, post in rows:
        latest[(cls.kind, post.id)] = Example(
            PostText(post.title or "", post.content or ""), cls.label
        )
    out: dict[str, list[Example]] = {"topic": [], "handling": []}
    for (kind, _), ex in latest.items():
        out[kind].append(ex)
    return out


def compare(new: dict[str, dict[str, Any]], old: dict[str, dict[str, Any]]) -> list[str]:
    """Evaluation splits on which the new model's macro-F1 is lower than the old one's."""
    worse = []
    for split, m in new.items():
        if split in old and float(m["macro_f1"]) < float(old[split]["macro_f1"]):
            worse.append(split)
    return worse
