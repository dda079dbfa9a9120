"""The result of one crawl run, as printed by ``yuqing crawl`` and returned by run_crawl."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class CrawlRunSummary:
    source_id: str
    status: str
    run_id: int | None = None
    pages: int = 0
    items_new: int = 0
    items_updated: int = 0
    items_unchanged: int = 0
    items_dropped: dict[str, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    duration_s: float = 0.0
    unhealthy: bool = False
    close_reason: str = ""

    def line(self) -> str:
        dropped = sum(self.items_dropped.values())
        errors = sum(self.errors.values())
        extra = ""
        if self.items_dropped:
            extra += " (" + ", ".join(f"{k} {v}" for k, v in sorted(self.items_dropped.items())) + ")"
        err = ""
        if self.errors:
            err = " (" + ", ".join(f"{k} {v}" for k, v in sorted(self.errors.items())) + ")"
        flag = "; source UNHEALTHY" if self.unhealthy else ""
        return (
            f"{self.source_id}: {self.status} — {self.pages} pages, {self.items_new} new, "
            f"{self.items_updated} updated, {self.items_unchanged} unchanged, {dropped} dropped"
            f"{extra}, {errors} errors{err} in {self.duration_s:.1f} s{flag}"
        )

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> CrawlRunSummary:
        data: dict[str, Any] = json.loads(text)
        return cls(**data)
