"""The digest's appendix "模型更新": what the retraining job and people did to the models in the
period — each retraining run (activated or refused, and why) and each version activated by
hand (a rollback), from the model registry under ``var_dir``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from classifier.registry import Registry

SPLIT_LABELS = {
    "tipdm_test": "TipDM 测试集（领域）",
    "threads_eval_topic": "人民网留言（领域）",
    "threads_eval_handling": "人民网留言（类型）",
    "corrections_topic": "近期人工更正（领域）",
    "corrections_handling": "近期人工更正（类型）",
}


@dataclass(frozen=True)
class ModelChange:
    at: datetime
    what: str  # "启用新模型", "未启用新模型", "人工切换模型"
    version: str
    previous: str | None
    detail: list[str]  # one line per split: "人民网留言（领域）：0.801（原 0.790）"


def model_changes(var_dir: Path, start: datetime, end: datetime) -> list[ModelChange]:
    """Changes with ``start <= at < end`` (aware datetimes), oldest first."""
    registry = Registry.of(var_dir)
    out: list[ModelChange] = []
    for run in registry.runs():
        at = _when(run.get("at"))
        if at is None or not start <= at < end or run.get("status") not in ("activated", "refused"):
            continue
        lines = []
        for split, s in sorted(run.get("scores", {}).items()):
            old = s.get("old")
            lines.append(
                f"{SPLIT_LABELS.get(split, split)}：{s['new']:.3f}"
                + (f"（原 {old:.3f}）" if old is not None else "")
            )
        corr = run.get("corrections", {})
        lines.append(
            "人工更正：领域 {t} 条、类型 {h} 条用于训练，最近 {tk} / {hk} 条留作检验".format(
                t=corr.get("topic", {}).get("train", 0),
                h=corr.get("handling", {}).get("train", 0),
                tk=corr.get("topic", {}).get("held_out", 0),
                hk=corr.get("handling", {}).get("held_out", 0),
            )
        )
        activated = run["status"] == "activated"
        out.append(
            ModelChange(
                at,
                "启用新模型" if activated else "未启用新模型（比现用模型差）",
                str(run.get("candidate")),
                run.get("previous"),
                lines,
            )
        )
    for row in registry.history():
        at = _when(row.get("at"))
        if at is None or not start <= at < end or row.get("reason") != "by hand":
            continue
        out.append(ModelChange(at, "人工切换模型", str(row["version"]), row.get("previous"), []))
    return sorted(out, key=lambda c: c.at)


def _when(value: object) -> datetime | None:
    try:
        at = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return at if at.tzinfo is not None else None
