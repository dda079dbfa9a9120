"""Scores of a classifier against labelled data: per-class metrics, macro-F1, confusion matrix."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)


@dataclass(frozen=True)
class Metrics:
    labels: list[str]
    n: int
    accuracy: float
    macro_f1: float
    per_class: dict[str, dict[str, float]]  # label -> precision, recall, f1, support
    confusion: list[list[int]]  # rows: true label, columns: predicted, in ``labels`` order

    def summary(self) -> dict[str, Any]:
        return {
            "macro_f1": round(self.macro_f1, 4),
            "accuracy": round(self.accuracy, 4),
            "n": self.n,
            "labels": self.labels,
            "per_class": self.per_class,
            "confusion": self.confusion,
        }

    def report(self) -> str:
        width = max(len(lb) for lb in self.labels) + 2
        lines = [f"{'':<{width}} precision  recall  f1      support"]
        for lb in self.labels:
            m = self.per_class[lb]
            lines.append(
                f"{lb:<{width}} {m['precision']:.4f}     {m['recall']:.4f}  {m['f1']:.4f}  {int(m['support'])}"
            )
        lines.append(f"macro-F1 {self.macro_f1:.4f}   accuracy {self.accuracy:.4f}   n {self.n}")
        lines.append("confusion matrix (rows: true, columns: predicted)")
        lines.append("  ".join([" " * width, *(f"{i:>4}" for i in range(len(self.labels)))]))
        for i, (lb, row) in enumerate(zip(self.labels, self.confusion, strict=True)):
            lines.append(f"{i:>2} {lb:<{width - 3}}" + "  ".join(f"{v:>4}" for v in row))
        return "\n".join(lines)


def score(y_true: Sequence[str], y_pred: Sequence[str], labels: Sequence[str]) -> Metrics:
    """Metrics over the labels that occur in ``y_true`` (macro-F1 averages those)."""
    present = [lb for lb in labels if lb in set(y_true)]
    extra = sorted(set(y_true) - set(labels))
    present += extra
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=present, zero_division=0)
    per_class = {
        lb: {
            "precision": round(float(p[i]), 4),
            "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4),
            "support": int(s[i]),
        }
        for i, lb in enumerate(present)
    }
    cm = confusion_matrix(y_true, y_pred, labels=present)
    return Metrics(
        labels=present,
        n=len(y_true),
        accuracy=float(accuracy_score(y_true, y_pred)),
        macro_f1=float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        per_class=per_class,
        confusion=np.asarray(cm).astype(int).tolist(),
    )
