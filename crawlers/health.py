"""A crawl run's verdict and the source's health: pure functions of the run's figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from storage.enums import CrawlStatus

BAD = (CrawlStatus.FAILED, CrawlStatus.EMPTY, CrawlStatus.BLOCKED)
Flip = Literal["unhealthy", "recovered"]  # a run that changed the source's health


def run_status(*, close_reason: str, ok_pages: int, rows: int, items: int, dropped: int,
               errors: dict[str, int], responses: int = 0, shared: bool = False) -> CrawlStatus:
    """``responses``: every response received, whatever its status; ``shared``: the crawl's
    requests come from a queue that other processes take from too."""
    if close_reason == "blocked" or (errors.get("blocked") and not ok_pages):
        return CrawlStatus.BLOCKED
    if not (close_reason == "finished" or close_reason.startswith("closespider")):
        return CrawlStatus.FAILED
    if shared and close_reason == "finished" and responses == 0 and not errors:
        return CrawlStatus.IDLE
    if ok_pages == 0:
        return CrawlStatus.FAILED
    if rows == 0 and items == 0:
        return CrawlStatus.EMPTY
    if items == 0 and dropped == 0 and errors:
        return CrawlStatus.FAILED  # threads listed, none could be read
    return CrawlStatus.OK


# drop reasons that mean a post was lost, not judged (``irrelevant`` and the like are routine)
LOST = ("store_failed", "error_", "content_unparsed")


def lost_items(dropped: dict[str, int]) -> dict[str, int]:
    return {k: v for k, v in dropped.items() if v and k.startswith(LOST)}


def describe(status: CrawlStatus, errors: dict[str, int],
             dropped: dict[str, int] | None = None) -> str:
    """The run in one line for the source's health: its status, its commonest errors, and the
    posts it could not store, by reason."""
    lost = lost_items(dropped or {})
    tail = ""
    if lost:
        tail = "; not stored: " + ", ".join(f"{k}×{v}" for k, v in sorted(lost.items()))
    if not errors:
        head = status.value if status is not CrawlStatus.EMPTY else "empty: the board showed no posts"
        return head + tail
    top = sorted(errors.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
    return f"{status.value}: " + ", ".join(f"{k}×{v}" for k, v in top) + tail


@dataclass(frozen=True)
class Health:
    consecutive_failures: int
    unhealthy: bool
    unhealthy_since: datetime | None
    last_error: str | None
    flipped: Flip | None = None


def next_health(current: Health, status: CrawlStatus, error: str, threshold: int,
                now: datetime) -> Health:
    """Bad runs in a row flag the source at ``threshold``; one good run clears the flag; an
    idle run (another process did the work) changes nothing."""
    if status is CrawlStatus.IDLE:
        return current
    if status in BAD:
        failures = current.consecutive_failures + 1
        if not current.unhealthy and failures >= threshold:
            return Health(failures, True, now, error, "unhealthy")
        return Health(failures, current.unhealthy, current.unhealthy_since, error)
    if current.unhealthy:
        return Health(0, False, None, current.last_error, "recovered")
    return Health(0, False, None, current.last_error)
