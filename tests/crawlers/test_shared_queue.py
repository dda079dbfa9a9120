"""Scale-out: two crawler processes share one scrapy-redis queue on the real Redis."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
import redis
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawlers.localsite.boards import BoardPost, GovTableBoard
from crawlers.localsite.server import LocalSite, Reply
from crawlers.run import SUMMARY_PREFIX
from crawlers.summary import CrawlRunSummary
from storage.models import Post
from tests.crawlers.conftest import FAST, NOW, source

pytestmark = pytest.mark.redis


def test_two_processes_share_one_crawl(site: LocalSite, crawl_db, crawl_settings, redis_url: str,
                                       tmp_path: Path) -> None:
    posts = [BoardPost(i, f"碧阳街道第{i}号来信", "碧阳湖边路灯不亮", NOW - timedelta(hours=i))
             for i in range(1, 61)]
    board = GovTableBoard(posts, prefix="/g", page_size=10)

    def slow(method: str, path: str, query: str, body: bytes) -> Reply | None:
        time.sleep(0.1)  # a real board's latency: both processes usually get a share
        return board(method, path, query, body)

    site.add(slow)
    prefix = f"yuqing-test-{uuid.uuid4().hex[:8]}"
    settings = crawl_settings(source("g", "gov_board", site.base + "/g/list.html", scoped=True,
                                     params={"layout": "table"}), redis_url=redis_url)
    path = tmp_path / "settings.json"
    path.write_text(settings.model_dump_json())
    overrides = {**FAST, "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
                 "CONCURRENT_REQUESTS": 2, "YUQING_NOW": NOW.isoformat(),
                 "YUQING_REDIS_PREFIX": prefix}
    cmd = [sys.executable, "-m", "crawlers.run", "--settings-json", str(path), "--source", "g"]
    for k, v in overrides.items():
        cmd += ["--set", f"{k}={json.dumps(v)}"]
    client = redis.Redis.from_url(redis_url)
    try:
        procs = [subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
        outputs = [p.communicate(timeout=60) for p in procs]
        summaries = []
        for out, err in outputs:
            line = next((x for x in out.splitlines() if x.startswith(SUMMARY_PREFIX)), None)
            assert line, err[-2000:]
            summaries.append(CrawlRunSummary.from_json(line[len(SUMMARY_PREFIX):]))
        leftover = list(client.scan_iter(f"{prefix}:*"))
    finally:
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)
        client.close()

    # How the pages split between the processes is up to the scheduler (one may even find the
    # queue drained by the other); what must hold is that together they did the crawl once.
    pages = {"/g/list.html", *(f"/g/list_{n}.html" for n in range(2, 7)),
             *(f"/g/detail_{i}.html" for i in range(1, 61))}
    assert set(site.hits) == pages  # every list and detail page, nothing else
    assert all(count == 1 for count in site.hits.values()), site.hits  # none twice
    assert sum(s.pages for s in summaries) == len(pages)  # no page counted by both
    assert sum(s.items_new for s in summaries) == 60
    assert all(s.status == "ok" for s in summaries if s.pages), summaries
    # a process the others left nothing to do is idle, not failed: it must not count towards
    # the board's failures
    assert all(s.status == "idle" for s in summaries if not s.pages), summaries
    with Session(crawl_db[1]) as s:
        assert s.scalar(select(func.count()).select_from(Post)) == 60
    assert leftover == []  # the last process out cleared the queue and the fingerprints
