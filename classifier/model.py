"""The topic + handling classifier and its model directory.

A model directory holds::

    metadata.json   version, library versions, labels, training-data hash, metrics, settings
    weights.npz     the shared n-gram vocabulary, its idf and the weight matrices (no pickles)

Both tasks read one feature matrix per batch (``classifier.ngrams.CharSpace``): a post's
n-grams are extracted and looked up once, and each task multiplies them by its own weights.

``load_classifier()`` without a directory loads the default model shipped in
``classifier/models/default``. Loading checks the format and the scikit-learn version the model
was built with and raises ``ModelError`` with a message that says what to do.
"""

from __future__ import annotations

import json
import platform
import threading
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from importlib import metadata as importlib_metadata
from pathlib import Path
from typing import Any, Final

import numpy as np
import scipy.sparse as sp

from classifier import handling, topic
from classifier.linear import LinearTextModel, top_contributions
from classifier.ngrams import CharSpace, encode
from classifier.tokenize import Tokenizer
from classifier.types import Label, PostText

FORMAT: Final = 2
DEFAULT_MODEL_DIR: Final = Path(__file__).resolve().parent / "models" / "default"
METADATA: Final = "metadata.json"
WEIGHTS: Final = "weights.npz"
TASKS: Final = ("topic", "handling")
ACTIVE_DIR: Final = "model"  # under var_dir
EVIDENCE_TERMS: Final = 6
CHUNK: Final = 2000


class ModelError(Exception):
    """A model directory that cannot be used, with the reason and the fix."""


class Models(dict[str, LinearTextModel]):
    """The task models of one model directory and the feature space they share."""

    def __init__(self, space: CharSpace, models: dict[str, LinearTextModel]) -> None:
        super().__init__(models)
        self.space = space


def library_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for dist in ("scikit-learn", "numpy", "scipy", "jieba", "jieba-fast-dat"):
        try:
            out[dist] = importlib_metadata.version(dist)
        except importlib_metadata.PackageNotFoundError:
            continue
    return out


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])


def check_compatible(meta: dict[str, Any], where: Path) -> None:
    """Raise ModelError when the model cannot be trusted with the installed libraries."""
    fmt = meta.get("format")
    if fmt != FORMAT:
        raise ModelError(
            f"{where}: model format {fmt!r}, this version of yuqing reads format {FORMAT}; "
            "rebuild it with `yuqing train`"
        )
    built = str(meta.get("libraries", {}).get("scikit-learn", "unknown"))
    installed = library_versions().get("scikit-learn", "unknown")
    # vectorizers are rebuilt with the installed scikit-learn: analyzers may change between
    # minor releases, so a model is only used with the minor release it was trained with
    if _minor(built) != _minor(installed):
        raise ModelError(
            f"{where}: the model was built with scikit-learn {built}, but {installed} is "
            f"installed; retrain it with `yuqing train --out {where}` or install "
            f"scikit-learn=={_minor(built)}.*"
        )


def read_metadata(model_dir: Path) -> dict[str, Any]:
    path = model_dir / METADATA
    if not path.is_file():
        raise ModelError(
            f"{model_dir}: no {METADATA}; not a model directory (build one with `yuqing train`)"
        )
    try:
        meta = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"{path}: unreadable metadata ({exc})") from exc
    if not isinstance(meta, dict):
        raise ModelError(f"{path}: metadata is not a JSON object")
    return meta


def save_model(model_dir: Path, models: Models, meta: dict[str, Any]) -> None:
    """Write weights and metadata; the metadata goes last so a half-written dir fails to load."""
    model_dir.mkdir(parents=True, exist_ok=True)
    arrays: dict[str, np.ndarray] = models.space.to_arrays()
    for task, m in models.items():
        arrays.update(m.to_arrays(f"{task}_"))
    full = {
        **meta,
        "format": FORMAT,
        "libraries": library_versions(),
        "features": models.space.spec(),
        "tasks": {task: m.spec() for task, m in models.items()},
    }
    tmp = model_dir / (WEIGHTS + ".tmp.npz")
    np.savez_compressed(tmp, **arrays)  # type: ignore[arg-type]
    tmp.replace(model_dir / WEIGHTS)
    (model_dir / METADATA).write_text(
        json.dumps(full, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def load_models(model_dir: Path) -> tuple[Models, dict[str, Any]]:
    meta = read_metadata(model_dir)
    check_compatible(meta, model_dir)
    weights = model_dir / WEIGHTS
    if not weights.is_file():
        raise ModelError(
            f"{model_dir}: {WEIGHTS} is missing; rebuild the model with `yuqing train`"
        )
    try:
        with np.load(weights, allow_pickle=False) as arrays:
            space = CharSpace.from_arrays(meta["features"], arrays)
            models = {
                task: LinearTextModel.from_arrays(
                    meta["tasks"][task], arrays, f"{task}_", space.size
                )
                for task in TASKS
            }
    except (KeyError, ValueError, OSError) as exc:
        raise ModelError(f"{model_dir}: weights do not match the metadata ({exc})") from exc
    return Models(space, models), meta


_TOKENIZERS: dict[tuple[str, ...], Tokenizer] = {}
_TOKENIZER_LOCK = threading.Lock()


def shared_tokenizer(user_words: Iterable[str] = ()) -> Tokenizer:
    """One tokenizer per set of user words: building the prefix dictionary takes about a second."""
    key = tuple(sorted({w.strip() for w in user_words if w.strip()}))
    with _TOKENIZER_LOCK:
        tok = _TOKENIZERS.get(key)
        if tok is None:
            tok = _TOKENIZERS[key] = Tokenizer(key)
        return tok


class PostClassifier:
    """Topic and handling type for posts, each with a calibrated score and its evidence."""

    def __init__(
        self,
        models: Models,
        metadata: dict[str, Any],
        *,
        user_words: Iterable[str] = (),
    ) -> None:
        self.models = models
        self.space = models.space
        self.metadata = metadata
        self.user_words = tuple(user_words)
        self._tokenizer: Tokenizer | None = None
        self.version: str = str(metadata.get("version", "unknown"))
        review = metadata.get("review_below", {})
        self.review_below = {
            "topic": float(review.get("topic", topic.REVIEW_BELOW)),
            "handling": float(review.get("handling", handling.REVIEW_BELOW)),
        }
        self._readable = self.space.readable()
        # cue rules laid over the handling model's answer (``classifier.handling.RULES``)
        self.handling_rules: tuple[str, ...] = tuple(metadata.get("handling_rules", ()))
        # a prior shift per label, added to the log-probabilities (``classifier.handling``)
        self.label_bias: dict[str, np.ndarray] = {}
        for task, bias in dict(metadata.get("label_bias", {})).items():
            if task in models and bias:
                labels = models[task].labels
                self.label_bias[task] = np.array(
                    [float(bias.get(lb, 0.0)) for lb in labels], dtype=np.float64
                )

    @property
    def tokenizer(self) -> Tokenizer:
        """jieba with the user words, for callers that want the jurisdiction's words; built on
        first use (the models themselves read character n-grams)."""
        if self._tokenizer is None:
            self._tokenizer = shared_tokenizer(self.user_words)
        return self._tokenizer

    @property
    def topics(self) -> list[str]:
        return list(self.models["topic"].labels)

    def predict(self, posts: Sequence[PostText]) -> list[tuple[Label, Label]]:
        """(topic, handling) for each post, in order."""
        if not posts:
            return []
        out = self._predict(("topic", "handling"), posts)
        return list(zip(out["topic"], out["handling"], strict=True))

    def predict_task(self, task: str, posts: Sequence[PostText]) -> list[Label]:
        if task not in self.models:
            raise KeyError(f"no {task!r} model; tasks: {', '.join(self.models)}")
        if not posts:
            return []
        return self._predict((task,), posts)[task]

    def _predict(self, tasks: Sequence[str], posts: Sequence[PostText]) -> dict[str, list[Label]]:
        out: dict[str, list[Label]] = {task: [] for task in tasks}
        # a few thousand posts at a time keep the n-gram arrays small enough to stay fast
        for start in range(0, len(posts), CHUNK):
            for task, labels in self._predict_chunk(tasks, posts[start : start + CHUNK]).items():
                out[task].extend(labels)
        return out

    def _predict_chunk(
        self, tasks: Sequence[str], posts: Sequence[PostText]
    ) -> dict[str, list[Label]]:
        enc = encode(posts)
        X = self.space.transform(enc)
        cues = handling.scan(enc) if "handling" in tasks else None
        rules = (
            handling.rule_labels(cues, self.handling_rules)
            if cues is not None and self.handling_rules
            else None
        )
        return {
            task: self._labels(
                task,
                X,
                cues.features if cues is not None and task == "handling" else None,
                cues.matched if cues is not None and task == "handling" else None,
                rules if task == "handling" else None,
            )
            for task in tasks
        }

    def _labels(
        self,
        task: str,
        X: sp.csr_matrix,
        cue_features: np.ndarray | None,
        matched: list[dict[str, list[str]]] | None,
        rules: list[tuple[str, str] | None] | None = None,
    ) -> list[Label]:
        model = self.models[task]
        proba = model.predict_proba(X, cue_features)
        if task in self.label_bias:
            z = np.log(np.maximum(proba, 1e-12)) + self.label_bias[task]
            z -= z.max(axis=1, keepdims=True)
            proba = np.exp(z)
            proba /= proba.sum(axis=1, keepdims=True)
        order = np.argsort(-proba, axis=1, kind="stable")
        best = order[:, 0]
        runner = order[:, 1] if proba.shape[1] > 1 else best
        fired: dict[int, str] = {}
        if rules is not None:
            for i, hit in enumerate(rules):
                if hit is not None and hit[1] in model.labels:
                    k = model.labels.index(hit[1])
                    if k != best[i]:
                        runner[i] = best[i]  # the model's own answer becomes the runner-up
                        best[i] = k
                    fired[i] = hit[0]
        rows = np.arange(len(best))
        scores = proba[rows, best].round(4).tolist()
        runner_scores = proba[rows, runner].round(4).tolist()
        strongest = top_contributions(X, model.coef, best, self._readable, 2 * EVIDENCE_TERMS)
        labels = model.labels
        review = self.review_below[task]
        out: list[Label] = []
        for i, k in enumerate(best.tolist()):
            evidence: dict[str, Any] = {
                "terms": topic.evidence_terms(strongest[i], self.space.name, EVIDENCE_TERMS),
                "runner_up": {"label": labels[int(runner[i])], "score": runner_scores[i]},
            }
            if matched is not None:
                evidence["cues"] = matched[i]
            if i in fired:
                evidence["rule"] = fired[i]
            out.append(
                Label(
                    kind=task,
                    label=labels[k],
                    score=scores[i],
                    evidence=evidence,
                    needs_review=scores[i] < review,
                    model_version=self.version,
                )
            )
        return out


def load_classifier(
    model_dir: Path | None = None, *, user_words: Iterable[str] = ()
) -> PostClassifier:
    """Load a model directory (``None``: the shipped default).

    ``user_words`` (unit names, places from the jurisdiction) are added to the word segmenter so
    they are never split.
    """
    directory = DEFAULT_MODEL_DIR if model_dir is None else Path(model_dir)
    if not directory.is_dir():
        raise ModelError(f"{directory}: no such model directory")
    models, meta = load_models(directory)
    return PostClassifier(models, meta, user_words=user_words)


def active_model_dir(var_dir: Path) -> Path | None:
    """The active version of the model registry (``<var_dir>/models``, see
    ``classifier.registry``) when one is active, else ``<var_dir>/model`` (where ``yuqing
    train`` writes) when it holds a model, else None, which ``load_classifier`` reads as the
    shipped default."""
    from classifier.registry import Registry

    chosen = Registry.of(var_dir).active_dir()
    if chosen is not None:
        return chosen
    path = Path(var_dir) / ACTIVE_DIR
    return path if (path / METADATA).is_file() else None


def new_version(data_hash: str, now: datetime) -> str:
    return f"clf-{now.astimezone(UTC):%Y%m%d}-{data_hash[:8]}"
