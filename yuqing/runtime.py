"""The running service's shared objects, installed once at start-up.

Scheduled jobs are stored in the database by textual reference (so that a restart finds them),
which means they cannot carry live objects as arguments; they look the runtime up here instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from threading import Lock
from typing import TYPE_CHECKING, Any

from yuqing.bootstrap import App

if TYPE_CHECKING:
    from yuqing.metrics import Metrics


@dataclass
class Runtime:
    app: App
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    analyzer: Any = None  # yuqing.analysis.Analyzer, built by the first analysis run
    # one analysis at a time: the event index lives in this process and a post must not be
    # analysed by two threads at once; flushes are safe concurrently but pointless
    analyze_lock: Lock = field(default_factory=Lock)
    flush_lock: Lock = field(default_factory=Lock)
    # per-job facts for /healthz and the log: job id -> last finish time and outcome
    last_runs: dict[str, dict[str, Any]] = field(default_factory=dict)
    _lock: Lock = field(default_factory=Lock)
    metrics: Metrics | None = None  # this process's Prometheus figures (yuqing.metrics)

    def record(self, job: str, outcome: str, now: datetime | None = None) -> None:
        at = now or datetime.now(UTC)
        with self._lock:
            self.last_runs[job] = {"at": at.isoformat(), "outcome": outcome}
        if self.metrics is not None:
            self.metrics.job_finished(job, not outcome.startswith("failed"), at)


_current: Runtime | None = None


def install(runtime: Runtime) -> None:
    global _current
    _current = runtime


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("the service runtime is not installed; start it with `yuqing run`")
    return _current


def uninstall() -> None:
    global _current
    _current = None
