"""Handling type (建言 / 咨询 / 投诉/求助): the agreement ceiling, the model's settings and the cue
rules, chosen on the 人民网 threads created before 2022-09-01 alone.

Citizens pick the type themselves, so the same complaint may come as 建言 one day and as
投诉/求助 the next. The *agreement ceiling* estimates how far any model can agree with such
labels: pairs of near-duplicate threads (cosine of their character 1–3-gram TF-IDF at least
``--near``) are read as the same message labelled twice, and the macro-F1 of one copy's label
against the other's (both directions) is the ceiling, with its bootstrap interval.

Cross-validation folds over the threads before 2022-09-01 (five folds, stratified); the
hand-written set ``tests/data/handling_train.csv`` is in the training part of every fold. For
each setting of the model the out-of-fold macro-F1 is printed, and the macro-F1 on the
threads of July and August 2022 of a model trained on the earlier ones (what people write
about shifts over the months, which random folds hide); then the same with each cue rule of
``classifier.handling.RULES`` laid over the model's answer. A rule is kept when it raises both
by more than ``--margin``. When no rule is kept, a prior shift of 建言 and 咨询 (added to the
log-probabilities, grid ``BIAS_GRID``) is chosen the same way: among the shifts that raise the
hold-out, the best on the folds, and within ``--margin`` of it the smallest. The threads from 2022-09-01 are
not read.

Usage:
    .venv/bin/python -m bench.handling_select           # the shipped settings and the rules
    .venv/bin/python -m bench.handling_select --grid    # also C 0.3 / 3 and title weight 1
    .venv/bin/python -m bench.handling_select --compare --half-lives 3,6,12 --Cs 0.5,2,4 \
        --title-weights 0.25,1 --extra-cues --cache DIR

``--compare`` (``bench.handling_candidates``) sets each candidate against the shipped settings
on the same folds and on two forward splits (from 2022-07-01 and from 2022-06-01), each
candidate with its own prior shift chosen by the rule above, and prints the paired bootstrap
interval of every gain. A candidate should ship only when the gain is mostly above zero on the
folds and on both forward splits. Figures (seed 0, five folds; shipped: CV 0.645 [0.615, 0.678],
from 2022-07-01 0.560 [0.501, 0.617], from 2022-06-01 0.580 [0.528, 0.628]); paired gains
CV / from 07-01 / from 06-01:

- recency half-life 3 months: -0.016 [-0.034, +0.000] / -0.006 [-0.031, +0.024] / -0.024 [-0.044, -0.001]
- recency half-life 6 months: -0.003 [-0.020, +0.013] / -0.012 [-0.034, +0.010] / -0.013 [-0.030, +0.002]
- recency half-life 12 months: +0.000 [-0.015, +0.016] / -0.018 [-0.037, -0.001] / -0.008 [-0.025, +0.006]
- C 0.5: -0.012 [-0.022, -0.003] / -0.008 [-0.024, +0.003] / -0.006 [-0.012, -0.001]
- C 2: +0.014 [+0.005, +0.025] / -0.005 [-0.014, +0.000] / +0.006 [-0.001, +0.014]
- C 4: +0.024 [+0.008, +0.039] / -0.009 [-0.025, +0.007] / +0.006 [-0.012, +0.024]
- title weight 0.25: -0.001 [-0.012, +0.009] / -0.009 [-0.028, +0.004] / -0.001 [-0.004, +0.002]
- title weight 1: -0.018 [-0.034, -0.001] / -0.003 [-0.028, +0.026] / +0.002 [-0.019, +0.024]
- extra cues: +0.001 [-0.015, +0.016] / -0.018 [-0.044, +0.010] / -0.017 [-0.038, +0.007]
- C 2 + extra cues: +0.019 [+0.004, +0.032] / -0.017 [-0.044, +0.005] / -0.014 [-0.037, +0.006]
- C 2 + half-life 12 months: +0.013 [+0.005, +0.023] / -0.005 [-0.014, +0.000] / +0.003 [-0.001, +0.008]
- C 2 + title weight 0.25: +0.010 [+0.000, +0.021] / -0.005 [-0.021, +0.006] / +0.001 [-0.008, +0.008]

None wins on all three, so the shipped settings stay. Recency weights lose on the forward
splits too: the shift from July (far more 建言 in August) is not a continuation of earlier
months. A larger C gains on the random folds only; a likely reason (not tested here) is that
near-duplicate threads (201 pairs at cosine 0.8) fall on both sides of a random fold, which a
less regularised model recalls.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.handling_candidates import (  # noqa: E402
    SHIPPED,
    Candidate,
    Run,
    choose_bias,
    paired_gain,
    run,
)
from bench.handling_candidates import with_bias as labels_with_bias  # noqa: E402
from classifier import handling  # noqa: E402
from classifier.confidence import Interval, bootstrap_macro_f1  # noqa: E402
from classifier.linear import LinearTextModel  # noqa: E402
from classifier.ngrams import CharSpace, encode  # noqa: E402
from classifier.text import THREADS_EVAL_FROM, Example, read_handling_csv, read_threads  # noqa: E402
from classifier.train import HANDLING_SET  # noqa: E402
from domain.vocabulary import HANDLING_TYPES  # noqa: E402

HOLDOUT_FROM = "2022-07-01"  # the July–August hold-out of the threads before 2022-09-01
SECOND_HOLDOUT_FROM = "2022-06-01"  # a second forward split: June–August
LABELS = list(HANDLING_TYPES)
_PROBA: dict[str, np.ndarray] = {}  # out-of-fold probabilities of the last model, LABELS order
BIAS_GRID = (-1.5, -1.0, -0.5, 0.0, 0.5, 1.0)


def with_bias(proba: np.ndarray, bias: dict[str, float]) -> list[str]:
    """Labels after adding ``bias`` to the log-probabilities (a prior shift per label)."""
    z = np.log(np.maximum(proba, 1e-12)) + np.array([bias.get(lb, 0.0) for lb in LABELS])
    return [LABELS[k] for k in z.argmax(axis=1).tolist()]


def data_dir() -> Path:
    shared = os.environ.get("YUQING_SHARED_DIR")
    return (Path(shared) if shared else ROOT.parent / "shared") / "data"


def agreement_ceiling(
    examples: Sequence[Example], *, near: float = 0.8, seed: int = 0
) -> tuple[Interval | None, int, float]:
    """(macro-F1 of near-duplicate pairs' labels with its interval, pairs, share of pairs that
    disagree). ``None`` when there are no pairs."""
    posts = [ex.post for ex in examples]
    space = CharSpace(min_df=1)
    X = space.fit_transform(posts)
    text = X[:, : space.n_text]  # the text block is unit length on its own
    sims = (text @ text.T).tocoo()
    keep = (sims.row < sims.col) & (sims.data >= near)
    a, b = sims.row[keep], sims.col[keep]
    if len(a) == 0:
        return None, 0, 0.0
    la = [examples[i].label for i in a.tolist()]
    lb = [examples[i].label for i in b.tolist()]
    disagree = float(np.mean([x != y for x, y in zip(la, lb, strict=True)]))
    return bootstrap_macro_f1(la + lb, lb + la, seed=seed), len(a), disagree


def _fit_predict(
    model: LinearTextModel, train: list[Example], test: list[Example], seed: int
) -> tuple[LinearTextModel, np.ndarray, handling.CueScan]:
    """A copy of ``model`` fitted on ``train`` (character space and cues built from it), its
    probabilities on ``test`` and the cues ``test`` fired."""
    space = CharSpace()
    space.fit_transform([ex.post for ex in train])
    enc_tr = encode([ex.post for ex in train])
    m = replace(model)
    m.fit(
        space.transform(enc_tr),
        space.title_columns(),
        [ex.label for ex in train],
        cues=handling.scan(enc_tr).features,
        folds=3,
        seed=seed,
    )
    enc = encode([ex.post for ex in test])
    cues = handling.scan(enc)
    return m, m.predict_proba(space.transform(enc), cues.features), cues


def cv_predictions(
    model: LinearTextModel,
    threads: list[Example],
    always: list[Example],
    n_folds: int,
    seed: int,
) -> tuple[np.ndarray, list[str], dict[str, list[tuple[str, str] | None]]]:
    """(thread indices, predicted labels, each rule's hits) out of fold."""
    from sklearn.model_selection import StratifiedKFold

    y = np.array([ex.label for ex in threads])
    idx_all: list[int] = []
    pred_all: list[str] = []
    hits: dict[str, list[tuple[str, str] | None]] = {rule: [] for rule in handling.RULES}
    probas: list[np.ndarray] = []
    skf = StratifiedKFold(n_folds, shuffle=True, random_state=seed)
    for tr, te in skf.split(np.zeros(len(y)), y):
        train = [threads[i] for i in tr] + always
        test = [threads[i] for i in te]
        m, proba, cues = _fit_predict(model, train, test, seed)
        idx_all += te.tolist()
        pred_all += [m.labels[k] for k in proba.argmax(axis=1).tolist()]
        probas.append(proba[:, [m.labels.index(lb) for lb in LABELS]])
        for rule in handling.RULES:
            hits[rule] += handling.rule_labels(cues, [rule])
    _PROBA["cv"] = np.vstack(probas)
    return np.array(idx_all), pred_all, hits


def holdout_predictions(
    model: LinearTextModel,
    threads: list[Example],
    always: list[Example],
    since: str,
    seed: int,
) -> tuple[list[int], list[str], dict[str, list[tuple[str, str] | None]]]:
    """Trained on the threads created before ``since`` (+ ``always``), predicting the later
    ones: the same shape as the real split, a few months on."""
    early = [ex for ex in threads if ex.created < since]
    late_idx = [i for i, ex in enumerate(threads) if ex.created >= since]
    late = [threads[i] for i in late_idx]
    m, proba, cues = _fit_predict(model, early + always, late, seed)
    pred = [m.labels[k] for k in proba.argmax(axis=1).tolist()]
    _PROBA["holdout"] = proba[:, [m.labels.index(lb) for lb in LABELS]]
    return late_idx, pred, {rule: handling.rule_labels(cues, [rule]) for rule in handling.RULES}


def overlay(pred: list[str], fired: list[list[tuple[str, str] | None]]) -> list[str]:
    out = list(pred)
    for rule_hits in fired:
        for i, hit in enumerate(rule_hits):
            if hit is not None and out[i] == pred[i]:
                out[i] = hit[1]
    return out


def _floats(text: str) -> list[float]:
    return [float(v) for v in text.split(",") if v.strip()]


def candidates_of(args: argparse.Namespace) -> list[Candidate]:
    """One candidate per given setting (the others as shipped), or one with all of them."""
    settings: list[dict[str, Any]] = [{"half_life": h} for h in _floats(args.half_lives)]
    settings += [{"C": c} for c in _floats(args.Cs)]
    settings += [{"title_weight": w} for w in _floats(args.title_weights)]
    if args.extra_cues:
        settings.append({"extra_cues": True})
    if args.combine:
        settings = [{k: v for s in settings for k, v in s.items()}] if settings else []
    return [Candidate(**s) for s in settings]


def cached_run(
    c: Candidate,
    threads: list[Example],
    always: list[Example],
    args: argparse.Namespace,
    splits: list[str],
) -> Run:
    """``run`` once per candidate, folds, seed and splits when ``--cache`` names a folder."""
    key = f"{c.name()} folds={args.folds} seed={args.seed} splits={','.join(splits)}"
    path = None
    if args.cache is not None:
        args.cache.mkdir(parents=True, exist_ok=True)
        path = args.cache / (key.replace(" ", "_").replace("=", "-").replace(",", "+") + ".npz")
        if path.is_file():
            with np.load(path) as z:
                return Run(
                    z["cv_idx"],
                    z["cv_proba"],
                    {s: (z[f"idx_{s}"], z[f"proba_{s}"]) for s in splits},
                )
    r = run(c, threads, always, folds=args.folds, seed=args.seed, splits=splits)
    if path is not None:
        arrays = {"cv_idx": r.cv_idx, "cv_proba": r.cv_proba}
        for s, (i, p) in r.splits.items():
            arrays[f"idx_{s}"], arrays[f"proba_{s}"] = i, p
        np.savez(path, **arrays)  # type: ignore[arg-type]
    return r


def compare(threads: list[Example], always: list[Example], args: argparse.Namespace) -> int:
    """Each candidate, with its own prior shift, against the shipped settings: CV and every
    forward split, with intervals and paired gains."""
    splits = [s.strip() for s in args.splits.split(",") if s.strip()]
    y = np.array([ex.label for ex in threads], dtype=object)
    runs = {}
    results = []
    for c in [SHIPPED, *candidates_of(args)]:
        r = cached_run(c, threads, always, args, splits)
        cv_truth = y[r.cv_idx]
        first_idx, first_proba = r.splits[splits[0]]
        bias = (
            dict(c.bias)
            if c.bias is not None
            else choose_bias(cv_truth, r.cv_proba, y[first_idx], first_proba, args.margin)
        )
        preds = {"CV": (r.cv_idx, labels_with_bias(r.cv_proba, bias))}
        preds.update({f"from {s}": (i, labels_with_bias(p, bias)) for s, (i, p) in r.splits.items()})
        runs[c] = preds
        row: dict[str, Any] = {"candidate": c.name(), "bias": bias}
        print(f"{c.name()}  bias {json.dumps(bias, ensure_ascii=False)}", flush=True)
        for part, (idx, pred) in preds.items():
            truth = y[idx]
            ci = bootstrap_macro_f1(truth.tolist(), pred.tolist(), seed=args.seed)
            line = f"    {part:<16} {ci}"
            row[part] = {"macro_f1": ci.as_dict()}
            if c is not SHIPPED:
                base_idx, base_pred = runs[SHIPPED][part]
                order = np.argsort(base_idx)  # the same rows in the same order
                mine = np.argsort(idx)
                gain, low, high = paired_gain(
                    truth[mine], pred[mine], base_pred[order], seed=args.seed
                )
                line += f"  paired gain {gain:+.4f} [{low:+.4f}, {high:+.4f}]"
                row[part]["gain"] = [round(gain, 4), round(low, 4), round(high, 4)]
            print(line, flush=True)
        results.append(row)
    print(json.dumps({"compare": results}, ensure_ascii=False))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--near", type=float, default=0.8)
    parser.add_argument("--margin", type=float, default=0.002)
    parser.add_argument("--grid", action="store_true", help="also try other model settings")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="compare candidates with the shipped settings (paired gains, forward splits)",
    )
    parser.add_argument(
        "--splits",
        default=f"{HOLDOUT_FROM},{SECOND_HOLDOUT_FROM}",
        help="forward split dates for --compare; the first one chooses each prior shift",
    )
    parser.add_argument("--half-lives", default="", help="recency half-lives in months")
    parser.add_argument("--Cs", default="", help="values of C")
    parser.add_argument("--title-weights", default="", help="title block weights")
    parser.add_argument("--extra-cues", action="store_true", help="add the extra cue features")
    parser.add_argument(
        "--cache", type=Path, default=None, help="keep each candidate's probabilities here"
    )
    parser.add_argument(
        "--combine", action="store_true", help="one candidate with all the given settings at once"
    )
    args = parser.parse_args(argv)
    folder = args.data_dir or data_dir()
    threads = read_threads(
        folder / "people_liuyan_guizhou" / "threads.csv", task="handling", before=THREADS_EVAL_FROM
    )
    always = read_handling_csv(HANDLING_SET) if HANDLING_SET.is_file() else []
    if args.compare:
        return compare(threads, always, args)
    for near in sorted({args.near, 0.6}, reverse=True):
        ceiling, pairs, disagree = agreement_ceiling(threads, near=near, seed=args.seed)
        print(
            f"threads before {THREADS_EVAL_FROM}: {len(threads)}; near-duplicate pairs "
            f"(cosine >= {near}): {pairs}, {disagree:.1%} with different labels; "
            f"agreement ceiling macro-F1 {ceiling}",
            flush=True,
        )
    ceiling, pairs, disagree = agreement_ceiling(threads, near=args.near, seed=args.seed)
    y = [ex.label for ex in threads]
    base = handling.new_model()
    candidates = [base]
    if args.grid:  # slow on a shared machine: each setting is five trainings with calibration
        candidates += [replace(base, C=0.3), replace(base, C=3.0), replace(base, title_weight=1.0)]
    best: dict[str, Any] = {"score": -1.0}
    for model in candidates:
        name = f"{model.estimator} C={model.C:g} title={model.title_weight:g}"
        idx, pred, hits = cv_predictions(model, threads, always, args.folds, args.seed)
        truth = [y[i] for i in idx.tolist()]
        h_idx, h_pred, h_hits = holdout_predictions(model, threads, always, HOLDOUT_FROM, args.seed)
        h_truth = [y[i] for i in h_idx]
        plain = bootstrap_macro_f1(truth, pred, seed=args.seed)
        h_plain = bootstrap_macro_f1(h_truth, h_pred, seed=args.seed)
        print(f"  {name:<28} {'model alone':<44} CV {plain}  hold-out {h_plain}", flush=True)
        kept: list[str] = []
        score, h_score = plain.value, h_plain.value
        for rule in handling.RULES:
            trial = overlay(pred, [hits[r] for r in [*kept, rule]])
            ci = bootstrap_macro_f1(truth, trial, seed=args.seed)
            h_trial = overlay(h_pred, [h_hits[r] for r in [*kept, rule]])
            h_ci = bootstrap_macro_f1(h_truth, h_trial, seed=args.seed)
            label = "+ " + " + ".join([*kept, rule])
            print(f"  {name:<28} {label:<44} CV {ci}  hold-out {h_ci}", flush=True)
            # kept only when it helps both the random folds and the later months
            if ci.value > score + args.margin and h_ci.value > h_score + args.margin:
                kept.append(rule)
                score, h_score = ci.value, h_ci.value
        # a prior shift per type added to the log-probabilities: balanced class weights may
        # find the rare types too often or too seldom for the best macro-F1
        bias: dict[str, float] = {}
        if not kept:
            # every shift that helps the later months; the best on the folds wins, and within
            # ``margin`` of it the smallest shift
            passing: list[tuple[float, float, dict[str, float]]] = []
            for a in BIAS_GRID:
                for b in BIAS_GRID:
                    trial_bias = {"建言": a, "咨询": b}
                    ci = bootstrap_macro_f1(truth, with_bias(_PROBA["cv"], trial_bias), resamples=0)
                    h_ci = bootstrap_macro_f1(
                        h_truth, with_bias(_PROBA["holdout"], trial_bias), resamples=0
                    )
                    print(f"    bias 建言 {a:+.1f} 咨询 {b:+.1f}: CV {ci.value:.3f}  hold-out {h_ci.value:.3f}")
                    if h_ci.value > h_plain.value + args.margin:
                        passing.append((ci.value, abs(a) + abs(b), trial_bias))
            top = max((p[0] for p in passing), default=-1.0)
            if top > plain.value + args.margin:
                near_top = [p for p in passing if p[0] >= top - args.margin]
                bias = min(near_top, key=lambda p: (p[1], -p[0]))[2]
            if bias:
                ci = bootstrap_macro_f1(truth, with_bias(_PROBA["cv"], bias), seed=args.seed)
                h_ci = bootstrap_macro_f1(h_truth, with_bias(_PROBA["holdout"], bias), seed=args.seed)
                print(f"  {name:<28} {'+ bias ' + json.dumps(bias, ensure_ascii=False):<44} CV {ci}  hold-out {h_ci}", flush=True)
                score = ci.value
        if score > best["score"] + args.margin or best["score"] < 0:
            best = {
                "score": score,
                "C": model.C,
                "title_weight": model.title_weight,
                "rules": kept,
                "bias": bias,
            }
    print(
        json.dumps(
            {
                "chosen": best,
                "ceiling": None if ceiling is None else ceiling.as_dict(),
                "near_duplicate_pairs": pairs,
                "pairs_disagreeing": round(disagree, 4),
            },
            ensure_ascii=False,
        )
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
