"""The final figures of the topic and handling models, each with its bootstrap 95% interval,
and the learning curve of corrections.

Run once, after the settings were chosen (``bench/topic_select.py``,
``bench/handling_select.py``) and the shipped model was retrained with ``yuqing train``:
nothing here feeds back into a choice.

1. The shipped model (or ``--model DIR``) on ``tipdm2020c/test.csv`` (topic) and on the
   人民网 threads from 2022-09-01 (topic, for the seven board domains that map to a topic; and
   handling type), with the handling agreement ceiling of those threads beside its score.
2. The baseline of the issue: character 1–3-gram TF-IDF + ``LinearSVC`` (scikit-learn's own,
   default settings) trained on ``train.csv``, on ``test.csv``.
3. The learning curve: a model trained on ``tipdm2020c/train.csv`` alone (topic) and on the
   hand-written handling set (handling), then the same with 100, 300 and 1,000 of the 人民网
   threads created before 2022-09-01 added as if they were a county's corrections (weight of a
   correction, a random sample, ``--seed``), scored on the threads from 2022-09-01 after each.

Usage:
    .venv/bin/python -m bench.topic_eval
    .venv/bin/python -m bench.topic_eval --skip-curve
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.handling_select import agreement_ceiling  # noqa: E402
from classifier.confidence import Interval, bootstrap_macro_f1  # noqa: E402
from classifier.model import PostClassifier, load_classifier  # noqa: E402
from classifier.text import (  # noqa: E402
    THREADS_EVAL_FROM,
    Example,
    read_handling_csv,
    read_threads,
    read_tipdm,
)
from classifier.train import (  # noqa: E402
    CORRECTION_WEIGHT,
    HANDLING_SET,
    TaskData,
    TrainingData,
    build,
)

CURVE = (0, 100, 300, 1000)


def data_dir() -> Path:
    shared = os.environ.get("YUQING_SHARED_DIR")
    return (Path(shared) if shared else ROOT.parent / "shared") / "data"


def scored(model: PostClassifier, task: str, examples: list[Example], seed: int) -> Interval:
    predicted = model.predict_task(task, [ex.post for ex in examples])
    return bootstrap_macro_f1([ex.label for ex in examples], [p.label for p in predicted], seed=seed)


def baseline(train: list[Example], test: list[Example], seed: int) -> Interval:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.svm import LinearSVC

    from classifier.text import join_text

    vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2)
    X = vec.fit_transform([join_text(ex.post) for ex in train])
    clf = LinearSVC(random_state=seed).fit(X, [ex.label for ex in train])
    pred = clf.predict(vec.transform([join_text(ex.post) for ex in test]))
    return bootstrap_macro_f1([ex.label for ex in test], pred.tolist(), seed=seed)


def curve_point(
    tipdm: list[Example],
    handset: list[Example],
    added_topic: list[Example],
    added_handling: list[Example],
    eval_topic: list[Example],
    eval_handling: list[Example],
    seed: int,
) -> dict[str, Any]:
    from datetime import UTC, datetime

    topic = TaskData()
    topic.add(tipdm, 1.0)
    topic.add(added_topic, CORRECTION_WEIGHT)
    handling = TaskData()
    handling.add(handset, 1.0)
    handling.add(added_handling, CORRECTION_WEIGHT)
    data = TrainingData({"topic": topic, "handling": handling}, {}, {})
    model = build(data, now=datetime(2026, 1, 1, tzinfo=UTC), seed=seed)
    return {
        "topic": scored(model, "topic", eval_topic, seed).as_dict(),
        "handling": scored(model, "handling", eval_handling, seed).as_dict(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--model", type=Path, default=None, help="[default: the shipped model]")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--near", type=float, default=0.8)
    parser.add_argument("--skip-curve", action="store_true")
    args = parser.parse_args(argv)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    folder = args.data_dir or data_dir()
    threads_csv = folder / "people_liuyan_guizhou" / "threads.csv"
    tipdm = read_tipdm(folder / "tipdm2020c" / "train.csv")
    test = read_tipdm(folder / "tipdm2020c" / "test.csv")
    eval_topic = read_threads(threads_csv, task="topic", since=THREADS_EVAL_FROM)
    eval_handling = read_threads(threads_csv, task="handling", since=THREADS_EVAL_FROM)
    out: dict[str, Any] = {}

    model = load_classifier(args.model)
    out["model"] = model.version
    out["tipdm_test_topic"] = scored(model, "topic", test, args.seed).as_dict()
    out["threads_eval_topic"] = scored(model, "topic", eval_topic, args.seed).as_dict()
    out["threads_eval_handling"] = scored(model, "handling", eval_handling, args.seed).as_dict()
    for name, rows in (
        ("before", read_threads(threads_csv, task="handling", before=THREADS_EVAL_FROM)),
        ("eval", eval_handling),
    ):
        ceiling, pairs, disagree = agreement_ceiling(rows, near=args.near, seed=args.seed)
        out[f"handling_ceiling_{name}"] = {
            "near": args.near,
            "pairs": pairs,
            "pairs_disagreeing": round(disagree, 4),
            **({} if ceiling is None else ceiling.as_dict()),
        }
    for key, value in out.items():
        print(f"{key}: {value}", flush=True)
    out["baseline_tipdm_test_topic"] = baseline(tipdm, test, args.seed).as_dict()
    print(f"baseline_tipdm_test_topic: {out['baseline_tipdm_test_topic']}", flush=True)

    if not args.skip_curve:
        before_topic = read_threads(threads_csv, task="topic", before=THREADS_EVAL_FROM)
        before_handling = read_threads(threads_csv, task="handling", before=THREADS_EVAL_FROM)
        handset = read_handling_csv(HANDLING_SET) if HANDLING_SET.is_file() else []
        # one random order of the threads: the first n are "the county's first n corrections"
        order = list(range(len(before_handling)))
        random.Random(args.seed).shuffle(order)
        topic_of = {(ex.post, ex.created): ex for ex in before_topic}
        curve = []
        for n in CURVE:
            chosen = [before_handling[i] for i in order[:n]]
            added_topic = [
                topic_of[(ex.post, ex.created)] for ex in chosen if (ex.post, ex.created) in topic_of
            ]
            point = curve_point(
                tipdm, handset, added_topic, chosen, eval_topic, eval_handling, args.seed
            )
            point = {"threads_added": n, "topic_labelled": len(added_topic), **point}
            print(f"curve: {point}", flush=True)
            curve.append(point)
        out["curve"] = curve
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
