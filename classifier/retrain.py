"""The guarded retraining step: learn from people's corrections, activate only if not worse.

One run:

1. reads the topic and handling corrections (``Classification`` rows a person corrected; the
   newest correction per post and task);
2. holds out the most recent share of them (``RetrainPolicy.holdout``, at least
   ``min_holdout`` per task when there are enough) for evaluation only;
3. trains a candidate on the shipped training data plus the other corrections;
4. scores the candidate and the active model on the held-out corrections and on the standard
   evaluation splits (``tipdm2020c/test.csv``, the 人民网 threads from 2022-09-01);
5. keeps the candidate as a new version in the registry and activates it only when it is not
   worse than the active model by more than ``tolerance`` on any of them; otherwise the active
   model stays, and the run says on which split the candidate fell short.

The step is idempotent: a run whose training data (shipped files and corrections) and
held-out slice are those of the last run does nothing. Every run is written to the registry's
run log, which the weekly digest's "what changed" appendix reads.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from classifier.model import DEFAULT_MODEL_DIR, ModelError, PostClassifier, load_classifier
from classifier.registry import Registry
from classifier.text import Example
from classifier.train import (
    TrainingData,
    build,
    evaluate_examples,
    evaluate_splits,
    load_training_data,
)
from classifier.types import PostText

TASKS = ("topic", "handling")


@dataclass(frozen=True)
class RetrainPolicy:
    holdout: float = 0.2  # share of each task's corrections, the most recent, held out
    min_holdout: int = 20  # held out per task when a task has at least twice as many
    tolerance: float = 0.01  # macro-F1 the candidate may lose on a split and still be activated


@dataclass(frozen=True)
class Correction:
    """A person's label for a post; ``at`` orders corrections (newest last)."""

    task: str
    post: PostText
    label: str
    at: datetime
    key: str  # identifies the post, e.g. its database id


@dataclass
class RetrainResult:
    status: str  # "activated", "refused", "unchanged"
    at: str
    candidate: str | None = None
    previous: str | None = None
    reasons: list[str] = field(default_factory=list)
    scores: dict[str, dict[str, float | None]] = field(default_factory=dict)
    corrections: dict[str, dict[str, int]] = field(default_factory=dict)
    fingerprint: str = ""

    def line(self) -> str:
        if self.status == "unchanged":
            return "no new corrections since the last run; nothing trained"
        text = f"candidate {self.candidate}: {self.status}"
        if self.reasons:
            text += " (" + "; ".join(self.reasons) + ")"
        return text

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def corrections_from_db(session: Any) -> list[Correction]:
    """Every topic / handling correction, newest correction per post and task."""
    from sqlalchemy import select

    from storage import models
    from storage.enums import ReviewStatus

    rows = session.execute(
        select(models.Classification, models.Post)
        .join(models.Post, models.Classification.post_id == models.Post.id)
        .where(
            models.Classification.status == ReviewStatus.CORRECTED,
            models.Classification.kind.in_(TASKS),
        )
        .order_by(models.Classification.id)
    ).all()
    latest: dict[tuple[str, int], Correction] = {}
    for cls, post in rows:
        latest[(cls.kind, post.id)] = Correction(
            cls.kind,
            PostText(post.title or "", post.content or ""),
            cls.label,
            cls.reviewed_at or cls.created_at,
            str(post.id),
        )
    return list(latest.values())


def split_holdout(
    corrections: Sequence[Correction], policy: RetrainPolicy
) -> tuple[dict[str, list[Example]], dict[str, list[Example]]]:
    """(training, held out) examples per task: the newest corrections are held out."""
    train: dict[str, list[Example]] = {t: [] for t in TASKS}
    held: dict[str, list[Example]] = {t: [] for t in TASKS}
    for task in TASKS:
        rows = sorted((c for c in corrections if c.task == task), key=lambda c: (c.at, c.key))
        n = len(rows)
        k = int(round(n * policy.holdout))
        if n >= 2 * policy.min_holdout:
            k = max(k, policy.min_holdout)
        cut = n - k
        train[task] = [Example(c.post, c.label) for c in rows[:cut]]
        held[task] = [Example(c.post, c.label) for c in rows[cut:]]
    return train, held


def fingerprint(data: TrainingData, held: dict[str, list[Example]], policy: RetrainPolicy) -> str:
    described = data.describe()
    payload = {
        "train": described["sha256"],
        "files": described["files"],
        "held": {t: [[e.post.title, e.post.content, e.label] for e in rows] for t, rows in held.items()},
        "policy": policy.__dict__,
    }
    return hashlib.sha256(
        json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()
    ).hexdigest()


def score_all(
    classifier: PostClassifier, data: TrainingData, held: dict[str, list[Example]]
) -> dict[str, float]:
    """macro-F1 on the standard splits and on each task's held-out corrections."""
    out = {k: float(v["macro_f1"]) for k, v in evaluate_splits(classifier, data).items()}
    for task, rows in held.items():
        if rows:
            out[f"corrections_{task}"] = evaluate_examples(classifier, task, rows).macro_f1
    return out


def decide(
    new: dict[str, float], old: dict[str, float], tolerance: float
) -> tuple[bool, list[str]]:
    """Activate when the candidate is nowhere worse than the active model by more than
    ``tolerance``; the reasons name the splits where it is."""
    reasons = [
        f"{split}: {new[split]:.3f} < active {old[split]:.3f}"
        for split in sorted(new)
        if split in old and new[split] < old[split] - tolerance
    ]
    return not reasons, reasons


Trainer = Callable[[TrainingData, datetime], PostClassifier]


def _default_trainer(data: TrainingData, now: datetime) -> PostClassifier:
    return build(data, now=now)


def retrain(
    registry: Registry,
    data_dir: Path,
    corrections: Sequence[Correction],
    now: datetime,
    *,
    policy: RetrainPolicy = RetrainPolicy(),
    active_dir: Path | None = None,
    trainer: Trainer = _default_trainer,
) -> RetrainResult:
    """One guarded retraining run (see the module's docstring). ``active_dir`` is the model in
    use when the registry has no active version (the shipped default when None)."""
    train_rows, held = split_holdout(corrections, policy)
    data = load_training_data(data_dir, corrections=train_rows)
    fp = fingerprint(data, held, policy)
    counts = {
        t: {"train": len(train_rows[t]), "held_out": len(held[t])} for t in TASKS
    }
    last = next((r for r in reversed(registry.runs()) if r.get("fingerprint")), None)
    if last is not None and last["fingerprint"] == fp:
        return RetrainResult("unchanged", now.isoformat(), corrections=counts, fingerprint=fp)

    current_dir = registry.active_dir() or active_dir or DEFAULT_MODEL_DIR
    try:
        active: PostClassifier | None = load_classifier(current_dir)
    except ModelError:
        active = None
    candidate = trainer(data, now)
    candidate.metadata.setdefault("training_data", {})["corrections"] = {
        t: len(train_rows[t]) for t in TASKS
    }
    new_scores = score_all(candidate, data, held)
    old_scores = score_all(active, data, held) if active is not None else {}
    ok, reasons = decide(new_scores, old_scores, policy.tolerance)
    candidate.metadata.setdefault("metrics", {})["retraining"] = {
        "scores": new_scores,
        "active_scores": old_scores,
        "held_out": {t: len(held[t]) for t in TASKS},
    }
    name = registry.add(candidate.models, candidate.metadata)
    previous_name = registry.active() or (active.version if active is not None else None)
    if ok:
        registry.activate(name, now=now, reason="retraining: not worse on any split")
    result = RetrainResult(
        "activated" if ok else "refused",
        now.isoformat(),
        candidate=name,
        previous=previous_name,
        reasons=reasons,
        scores={
            s: {"new": round(new_scores[s], 4), "old": _r(old_scores.get(s))} for s in new_scores
        },
        corrections=counts,
        fingerprint=fp,
    )
    registry.record_run(result.as_dict())
    return result


def _r(v: float | None) -> float | None:
    return None if v is None else round(v, 4)
