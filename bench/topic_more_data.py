"""Does more text help the topic model? Three sources beyond the labelled rows, judged on
training data alone.

1. **Unlabelled TipDM messages** (``hot_unlabelled.csv`` and ``replies.csv``, the same city board
   as the test split): self-training, i.e. the model's own confident answers on them (margin
   between its two best scores at least ``margin``) added as labelled rows with a weight.
2. **The unit that answered** (``replies.csv``'s 答复意见): a reply written by one department's
   family (教育局 → 教育文体, 交通运输局 → 交通运输, …; ``ANSWERING_UNITS``) labels the message
   with that department's topic, a label the model did not make. Replies naming two families
   are left out.
3. **Per-source feature copies** (feature augmentation for two sources): every feature once for
   all rows and once more for the rows of its own source (TipDM or 人民网 threads), so that
   where the two boards label alike the shared copy learns it and where they differ each source
   keeps its own weights.

Also the weight of the title-only rows and of the threads, and numbers and Latin letters masked
(``A3区``, dates and phone numbers are noise to a topic).

Two judgements, as in ``bench/topic_select.py`` and never on ``test.csv`` or the threads from
2022-09-01:

- **TipDM cross-validation:** folds over the ``train.csv`` rows with a detail text, every other
  row always in training; the shipped settings' out-of-fold answers against each candidate's,
  with the paired bootstrap interval of the gain.
- **Forward thread hold-outs:** trained on ``train.csv`` and the threads before 1 May, 1 June
  and 1 July 2022, scored on the threads from then until 2022-09-01, the shape of the real
  thread evaluation a few months earlier.

Messages of the unlabelled files whose title is that of a ``train.csv`` or ``test.csv`` row are
dropped, so no evaluation text reaches training; ``test.csv`` is read for its titles only.

Usage:
    .venv/bin/python -m bench.topic_more_data            # about five minutes on two cores
"""

from __future__ import annotations

import argparse
import csv
import logging
import re
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.topic_select import data_dir, folds, paired_delta  # noqa: E402
from classifier import topic  # noqa: E402
from classifier.confidence import bootstrap_macro_f1  # noqa: E402
from classifier.ngrams import CharSpace  # noqa: E402
from classifier.text import THREADS_EVAL_FROM, Example, read_threads, read_tipdm  # noqa: E402
from classifier.train import THREADS_WEIGHT  # noqa: E402
from classifier.types import PostText  # noqa: E402

# the families of departments whose reply settles a message's topic; written from the
# departments' remits, not from the data
ANSWERING_UNITS: Final[dict[str, str]] = {
    "教育文体": r"教育局|教育厅|教育体育局|文体局|文化局|体育局|文广|文化旅游",
    "交通运输": r"交通运输局|交通局|公路局|运管|公交公司|交通运输厅|交警|客运|轨道交通",
    "环境保护": r"环保局|环境保护局|生态环境局|生态环境厅|环境保护厅",
    "劳动和社会保障": r"人社局|人力资源和社会保障|社保局|社保中心|劳动监察|就业服务",
    "城乡建设": r"住建局|住房和城乡建设|城乡规划|规划局|规划分局|国土|不动产|房产局|住房保障"
    r"|城管局|城市管理|建设局|物业办|物管办",
    "卫生计生": r"卫生局|卫健委|卫计委|卫生和计划生育|卫生健康|疾控|卫生计生",
    "商贸旅游": r"商务局|旅游局|市场监管|市场和质量监督|工商局|物价局|食药监",
}
_UNIT_PATTERNS: Final = {label: re.compile(p) for label, p in ANSWERING_UNITS.items()}
_SPACE: Final = re.compile(r"\s+")
_NUMBERS: Final = re.compile(r"[A-Za-z]+\d*|\d+")
HOLDOUTS: Final = ("2022-05-01", "2022-06-01", "2022-07-01")
TIPDM, THREAD, EXTRA = 0, 1, 2  # the source of a training row


def _squeeze(s: str | None) -> str:
    return _SPACE.sub("", s or "")


@dataclass(frozen=True)
class Candidate:
    name: str
    self_training: tuple[float, float] | None = None  # (margin, weight)
    replies_weight: float = 0.0
    copies: float = 0.0  # the weight of the per-source copy; 0: none
    title_only_weight: float = 1.0
    threads_weight: float = THREADS_WEIGHT
    mask_numbers: bool = False


CANDIDATES: Final = (
    Candidate("self-training, margin 0.5, weight 0.5", self_training=(0.5, 0.5)),
    Candidate("self-training, margin 1.0, weight 1.0", self_training=(1.0, 1.0)),
    Candidate("self-training, margin 0.25, weight 0.3", self_training=(0.25, 0.3)),
    Candidate("answering unit as label, weight 0.5", replies_weight=0.5),
    Candidate("answering unit as label, weight 1.0", replies_weight=1.0),
    Candidate("per-source copies x0.5", copies=0.5),
    Candidate("per-source copies x1", copies=1.0),
    Candidate("title-only rows x2", title_only_weight=2.0),
    Candidate("title-only rows x0.5", title_only_weight=0.5),
    Candidate("threads x1", threads_weight=1.0),
    Candidate("threads x0 (TipDM alone)", threads_weight=0.0),
    Candidate("numbers and Latin letters masked", mask_numbers=True),
)
SHIPPED: Final = Candidate("shipped settings")


@dataclass
class Unlabelled:
    posts: list[PostText]  # every unlabelled message kept
    weak: list[Example]  # those whose reply names one family of departments


def read_unlabelled(folder: Path, exclude_titles: set[str]) -> Unlabelled:
    """The messages of ``hot_unlabelled.csv`` and ``replies.csv`` not in ``exclude_titles``
    (one per title), and the reply-labelled ones among them."""
    seen = set(exclude_titles)
    posts: list[PostText] = []
    weak: list[Example] = []
    for name in ("hot_unlabelled.csv", "replies.csv"):
        path = folder / "tipdm2020c" / name
        if not path.is_file():
            continue
        with path.open(encoding="utf-8-sig", newline="") as fh:
            for row in csv.DictReader(fh):
                title = _squeeze(row.get("留言主题"))
                if not title or title in seen:
                    continue
                seen.add(title)
                post = PostText(title, _squeeze(row.get("留言详情")))
                posts.append(post)
                label = answering_topic(row.get("答复意见") or "")
                if label is not None:
                    weak.append(Example(post, label))
    return Unlabelled(posts, weak)


def answering_topic(reply: str) -> str | None:
    """The topic of the one family of departments the reply's opening names, if just one."""
    head = _squeeze(reply)[:300]  # the answering unit introduces itself early
    hits = {label for label, pattern in _UNIT_PATTERNS.items() if pattern.search(head)}
    return hits.pop() if len(hits) == 1 else None


@dataclass
class Pool:
    """Training rows with their source; the rows scored by cross-validation have detail text."""

    examples: list[Example]
    source: np.ndarray
    title_only: np.ndarray

    @property
    def labels(self) -> np.ndarray:
        return np.asarray([ex.label for ex in self.examples])


def pool(tipdm: list[Example], threads: list[Example], weak: list[Example]) -> Pool:
    examples = tipdm + threads + weak
    source = np.array([TIPDM] * len(tipdm) + [THREAD] * len(threads) + [EXTRA] * len(weak))
    title_only = np.array(
        [not ex.post.content.strip() for ex in tipdm] + [False] * (len(threads) + len(weak))
    )
    return Pool(examples, source, title_only)


def _masked(post: PostText) -> PostText:
    return PostText(_NUMBERS.sub("0", post.title), _NUMBERS.sub("0", post.content))


def _copies(X: sp.csr_matrix, source: np.ndarray, k: float) -> sp.csr_matrix:
    blocks = [X]
    for s in (TIPDM, THREAD):
        blocks.append(sp.csr_matrix(sp.diags((source == s).astype(np.float32) * k) @ X))
    return sp.csr_matrix(sp.hstack(blocks, format="csr"))


def fit_predict(
    c: Candidate,
    train: Pool,
    test: Sequence[PostText],
    test_source: int,
    unlabelled: Sequence[PostText],
    seed: int,
) -> np.ndarray:
    """``c``'s model trained on ``train`` and its answers for ``test``."""
    from sklearn.svm import LinearSVC

    shipped = topic.new_model()
    weights = np.select(
        [train.source == THREAD, train.source == EXTRA, train.title_only],
        [c.threads_weight, c.replies_weight, c.title_only_weight],
        1.0,
    )
    rows = np.flatnonzero(weights > 0)
    prep: Callable[[PostText], PostText] = _masked if c.mask_numbers else (lambda p: p)
    space = CharSpace()
    Xtr = space.fit_transform([prep(train.examples[i].post) for i in rows])
    scale = sp.diags(np.where(space.title_columns(), shipped.title_weight, 1.0).astype(np.float32))

    def design(posts: Sequence[PostText], source: np.ndarray) -> sp.csr_matrix:
        X = sp.csr_matrix(space.transform([prep(p) for p in posts]) @ scale)
        return _copies(X, source, c.copies) if c.copies else X

    Xtr = sp.csr_matrix(Xtr @ scale)
    if c.copies:
        Xtr = _copies(Xtr, train.source[rows], c.copies)
    y, w = train.labels[rows], weights[rows]

    def svc() -> LinearSVC:
        return LinearSVC(C=shipped.C, class_weight="balanced", random_state=seed)

    est = svc().fit(Xtr, y, sample_weight=w)
    if c.self_training is not None:
        margin, weight = c.self_training
        Xu = design(unlabelled, np.full(len(unlabelled), TIPDM))
        d = est.decision_function(Xu)
        top2 = np.sort(d, axis=1)[:, -2:]
        sure = (top2[:, 1] - top2[:, 0]) >= margin
        est = svc().fit(
            sp.vstack([Xtr, Xu[sure]], format="csr"),
            np.concatenate([y, est.classes_[d.argmax(axis=1)][sure]]),
            sample_weight=np.concatenate([w, np.full(int(sure.sum()), weight)]),
        )
    return np.asarray(est.predict(design(test, np.full(len(test), test_source))))


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    logging.getLogger("jieba").setLevel(logging.WARNING)
    folder = args.data_dir or data_dir()
    tipdm = read_tipdm(folder / "tipdm2020c" / "train.csv")
    threads = read_threads(
        folder / "people_liuyan_guizhou" / "threads.csv", task="topic", before=THREADS_EVAL_FROM
    )
    exclude = {_squeeze(ex.post.title) for ex in tipdm}
    test_csv = folder / "tipdm2020c" / "test.csv"
    if test_csv.is_file():
        exclude |= {_squeeze(ex.post.title) for ex in read_tipdm(test_csv)}
    extra = read_unlabelled(folder, exclude)
    print(
        f"unlabelled TipDM messages kept: {len(extra.posts)}; labelled by the answering unit: "
        f"{len(extra.weak)} {dict(Counter(ex.label for ex in extra.weak).most_common())}",
        flush=True,
    )
    everything = pool(tipdm, threads, extra.weak)
    labels = everything.labels
    scored = ~everything.title_only & (everything.source == TIPDM)
    fold_list = folds(labels, scored, args.folds, args.seed)

    def cross_validated(c: Candidate) -> tuple[np.ndarray, np.ndarray]:
        idx, pred = [], []
        for fold in fold_list:
            train = Pool(
                [everything.examples[i] for i in fold.train],
                everything.source[fold.train],
                everything.title_only[fold.train],
            )
            test = [everything.examples[i].post for i in fold.test]
            pred.append(fit_predict(c, train, test, TIPDM, extra.posts, args.seed))
            idx.append(fold.test)
        order = np.argsort(np.concatenate(idx))
        return labels[np.concatenate(idx)[order]], np.concatenate(pred)[order]

    def forward(c: Candidate, since: str) -> tuple[np.ndarray, np.ndarray]:
        early = [ex for ex in threads if ex.created < since]
        late = [ex for ex in threads if ex.created >= since]
        train = pool(tipdm, early, extra.weak)
        pred = fit_predict(c, train, [ex.post for ex in late], THREAD, extra.posts, args.seed)
        return np.asarray([ex.label for ex in late]), pred

    def report(title: str, truth: np.ndarray, pred: np.ndarray, base: np.ndarray | None) -> None:
        ci = bootstrap_macro_f1(truth.tolist(), pred.tolist(), seed=args.seed)
        line = f"    {title:<22} {ci}"
        if base is not None:
            gain, low, high = paired_delta(truth, pred, base, seed=args.seed)
            line += f"  gain {gain:+.4f} [{low:+.4f}, {high:+.4f}]"
        print(line, flush=True)

    baseline: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for c in (SHIPPED, *CANDIDATES):
        print(c.name, flush=True)
        runs = [("TipDM CV", cross_validated(c))]
        runs += [(f"threads from {s}", forward(c, s)) for s in HOLDOUTS]
        for title, (truth, pred) in runs:
            base = baseline.get(title)
            report(title, truth, pred, None if base is None else base[1])
            if c is SHIPPED:
                baseline[title] = (truth, pred)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
