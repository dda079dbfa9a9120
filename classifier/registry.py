"""Model versions kept side by side, one of them active, for safe retraining and rollback.

Layout under ``<var_dir>/models``::

    <version>/            a model directory (metadata.json + weights.npz)
    ACTIVE                the active version's name (written atomically)
    history.jsonl         one line per activation: version, previous, when, why
    runs.jsonl            one line per retraining run: the candidate, its scores and the decision

Nothing is deleted when a version is replaced: ``yuqing classify activate VERSION`` brings any
kept version back. A registry without ``ACTIVE`` means the shipped default (or the single
``<var_dir>/model`` that ``yuqing train`` writes) is in use.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

from classifier.model import METADATA, ModelError, Models, read_metadata, save_model

REGISTRY_DIR: Final = "models"  # under var_dir
ACTIVE: Final = "ACTIVE"
HISTORY: Final = "history.jsonl"
RUNS: Final = "runs.jsonl"
_VERSION: Final = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


@dataclass(frozen=True)
class Version:
    name: str
    created_at: str
    active: bool
    metrics: dict[str, Any]
    corrections: dict[str, int]

    def scores(self) -> dict[str, float]:
        """macro-F1 of each evaluation split recorded in the metadata."""
        evaluation = self.metrics.get("evaluation", {})
        return {k: float(v["macro_f1"]) for k, v in evaluation.items() if "macro_f1" in v}


class Registry:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @classmethod
    def of(cls, var_dir: Path) -> Registry:
        return cls(Path(var_dir) / REGISTRY_DIR)

    # ---- reading
    def path(self, version: str) -> Path:
        if not _VERSION.match(version):
            raise ModelError(f"{version!r} is not a model version name")
        return self.root / version

    def has(self, version: str) -> bool:
        return (self.path(version) / METADATA).is_file()

    def active(self) -> str | None:
        try:
            name = (self.root / ACTIVE).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return name if name and self.has(name) else None

    def active_dir(self) -> Path | None:
        name = self.active()
        return None if name is None else self.path(name)

    def versions(self) -> list[Version]:
        """Every kept version, oldest first."""
        if not self.root.is_dir():
            return []
        active = self.active()
        out = []
        for child in self.root.iterdir():
            if not (child / METADATA).is_file():
                continue
            try:
                meta = read_metadata(child)
            except ModelError:
                continue
            rows = meta.get("training_data", {}).get("corrections", {})
            out.append(
                Version(
                    child.name,
                    str(meta.get("created_at", "")),
                    child.name == active,
                    dict(meta.get("metrics", {})),
                    {k: int(v) for k, v in rows.items()},
                )
            )
        return sorted(out, key=lambda v: (v.created_at, v.name))

    def history(self) -> list[dict[str, Any]]:
        return _read_lines(self.root / HISTORY)

    def runs(self) -> list[dict[str, Any]]:
        return _read_lines(self.root / RUNS)

    # ---- writing
    def add(self, models: Models, meta: dict[str, Any]) -> str:
        """Keep a model as a new version (named after its metadata's version; a suffix when the
        name is taken) and return the name. It is not activated."""
        base = str(meta.get("version", "model"))
        name, n = base, 1
        while self.path(name).exists():
            n += 1
            name = f"{base}-{n}"
        meta = {**meta, "version": name}
        save_model(self.path(name), models, meta)
        return name

    def activate(self, version: str, *, now: datetime, reason: str) -> str | None:
        """Make ``version`` the active model; returns the version it replaces."""
        if not self.has(version):
            known = ", ".join(v.name for v in self.versions()) or "none"
            raise ModelError(f"no model version {version!r} (kept: {known})")
        previous = self.active()
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / (ACTIVE + ".tmp")
        tmp.write_text(version + "\n", encoding="utf-8")
        os.replace(tmp, self.root / ACTIVE)
        _append(
            self.root / HISTORY,
            {"version": version, "previous": previous, "at": now.isoformat(), "reason": reason},
        )
        return previous

    def record_run(self, run: dict[str, Any]) -> None:
        _append(self.root / RUNS, run)


def _append(path: Path, row: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


def _read_lines(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            try:
                out.append(json.loads(line))
            except ValueError:
                continue  # a line cut short by a crash
    return out
