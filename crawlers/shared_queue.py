"""Several crawler processes, one crawl: scrapy-redis with a cluster-wide idle check.

scrapy-redis gives the shared request queue and fingerprint set. What it lacks for a crawl
that must *end* is knowing when every process is done: a process whose queue is momentarily
empty while another is still parsing a list page would close too early and leave the rest of
the work to the others. So popping a request also counts it as in flight (atomically, in one
Lua script), and a process releases its count only when it is locally idle — after every
follow-up request it produced is already in the shared queue. The crawl is over when the queue
is empty and nothing is in flight anywhere.
"""

from __future__ import annotations

from typing import Any

from scrapy_redis.scheduler import Scheduler

# Pop the highest-priority request and count it as in flight, atomically.
_POP = """
local item = redis.call('ZRANGE', KEYS[1], 0, 0)
if #item == 0 then return false end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
redis.call('INCR', KEYS[2])
redis.call('EXPIRE', KEYS[2], ARGV[1])
return item[1]
"""

# A process that dies leaves its count behind; it expires after this many seconds of quiet.
INFLIGHT_TTL_S = 600
# How often an idle process looks at the shared queue again (Scrapy's default is 5 s).
POLL_INTERVAL_S = 0.25


class SharedScheduler(Scheduler):  # type: ignore[misc]
    def open(self, spider: Any) -> None:
        super().open(spider)
        prefix = spider.crawler.settings.get("YUQING_REDIS_PREFIX") or self.queue_key
        self.inflight_key = f"{prefix}:inflight"
        self.held = 0
        self._pop = self.server.register_script(_POP)
        self.engine = spider.crawler.engine
        # the engine polls an empty scheduler on this heartbeat; 5 s would leave a second
        # process waiting long after work appeared in the shared queue
        self.engine._SLOT_HEARTBEAT_INTERVAL = POLL_INTERVAL_S

    def next_request(self) -> Any:
        data = self._pop(keys=[self.queue.key, self.inflight_key], args=[INFLIGHT_TTL_S])
        if not data:
            return None
        self.held += 1
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        return self.queue._decode_request(data)

    def _locally_idle(self) -> bool:
        scraper_slot = getattr(self.engine.scraper, "slot", None)
        return not self.engine.downloader.active and (
            scraper_slot is None or scraper_slot.is_idle()
        )

    def _release(self) -> None:
        if self.held:
            self.server.decrby(self.inflight_key, self.held)
            self.held = 0

    def has_pending_requests(self) -> bool:
        if self._locally_idle():
            self._release()
        if len(self.queue) > 0:
            return True
        return int(self.server.get(self.inflight_key) or 0) > 0

    def close(self, reason: str) -> None:
        self._release()
        if int(self.server.get(self.inflight_key) or 0) <= 0:
            self.server.delete(self.inflight_key)
            super().close(reason)  # the last one out clears the queue and fingerprints
