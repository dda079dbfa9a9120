"""Crawl benchmark: a local site of board pages through the full pipeline into SQLite, compared
with ``scrapy bench`` on the same machine in the same run.

    .venv/bin/python bench/crawl.py [--posts 2500] [--runs 3]

Serves a 12345 table board and a GBK Discuz! 7.x board (each ``--posts`` threads, 20 a list
page) on 127.0.0.1, crawls both with politeness delays off (it is our own server), then runs
``scrapy bench`` outside the project. Prints one JSON line; with ``--runs N`` the figures are
the medians of N runs.
"""

from __future__ import annotations

import argparse
import json
import re
import resource
import statistics
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from crawlers.localsite.boards import BoardPost, DiscuzBoard, GovTableBoard  # noqa: E402
from crawlers.localsite.server import LocalSite  # noqa: E402
from crawlers.run import run_crawl  # noqa: E402
from domain.settings import Source, load_settings  # noqa: E402
from storage.db import make_engine  # noqa: E402
from storage.models import Base  # noqa: E402

NOW = datetime(2024, 5, 22, 4, 0, tzinfo=UTC)
PLACES = ["洪山路", "麻园社区", "鸭池镇", "碧阳湖", "德溪大道", "三板桥农贸市场", "燕子口镇"]
OVERRIDES: dict[str, Any] = {
    "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 16,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 16, "LOG_LEVEL": "WARNING", "YUQING_NOW": NOW.isoformat(),
}


def make_posts(n: int, offset: int) -> list[BoardPost]:
    posts = []
    for i in range(1, n + 1):
        place = PLACES[i % len(PLACES)]
        body = (f"{place}附近第{i}号问题：" + "道路破损，雨天积水严重，居民出行不便。" * 8
                + f"\n请七星关区相关部门尽快处理。联系电话1380000{i:04d}。")
        posts.append(BoardPost(offset + i, f"{place}第{i}号来信", body,
                               NOW - timedelta(minutes=7 * i), author=f"网友{i}",
                               unit="区住建局", state="已办结" if i % 3 else "待回复",
                               reply_org="毕节市七星关区住房和城乡建设局" if i % 3 else "",
                               reply_at=NOW - timedelta(minutes=3 * i) if i % 3 else None,
                               reply_content="已安排维修。" if i % 3 else ""))
    return posts


def crawl_site(posts_per_board: int, workdir: Path) -> dict[str, float]:
    site = LocalSite()
    site.add(GovTableBoard(make_posts(posts_per_board, 0), prefix="/gov", page_size=20))
    site.add(DiscuzBoard(make_posts(posts_per_board, 100000), prefix="/bbs", page_size=20,
                         version="7", charset="gbk", meta_only=True))
    db = workdir / "bench.db"
    engine = make_engine(f"sqlite:///{db}")
    Base.metadata.create_all(engine)
    engine.dispose()
    settings = load_settings(ROOT / "config" / "yuqing.toml",
                             environ={"YUQING_DATABASE_URL": f"sqlite:///{db}",
                                      "YUQING_VAR_DIR": str(workdir)})
    pages = items = 0
    seconds = 0.0
    with site.running():
        sources = [
            Source(id="gov", name="gov", spider="gov_board", url=site.base + "/gov/list.html",
                   scoped=True, obey_robots=False, params={"layout": "table"}),
            Source(id="bbs", name="bbs", spider="discuz", obey_robots=False,
                   url=site.base + "/bbs/forumdisplay.php?fid=2&page=1"),
        ]
        settings = settings.model_copy(update={
            "sources": sources,
            "crawl": settings.crawl.model_copy(update={"max_pages_per_run": 10000}),
        })
        for src in sources:
            summary = run_crawl(settings, src.id, OVERRIDES, timeout_s=900)
            if summary.status != "ok":
                raise SystemExit(f"bench crawl of {src.id} ended {summary.status}: {summary.line()}")
            pages += summary.pages
            items += summary.items_new
            seconds += summary.duration_s
    # ru_maxrss of waited-for children, in KiB on Linux: the crawler processes so far
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"pages": pages, "items": items, "seconds": seconds,
            "pages_per_s": pages / seconds, "items_per_s": items / seconds,
            "peak_rss_mb": peak_kib / 1024}


def scrapy_bench(seconds: int = 10) -> float:
    """``scrapy bench`` from a folder outside the project, so Scrapy's defaults apply."""
    scrapy = Path(sys.executable).parent / "scrapy"
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([str(scrapy), "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
                              "-s", "LOG_LEVEL=INFO"], cwd=tmp, capture_output=True, text=True,
                             timeout=seconds + 120, check=True)
    log = out.stderr
    count = re.search(r"'response_received_count': (\d+)", log)
    elapsed = re.search(r"'elapsed_time_seconds': ([\d.]+)", log)
    if not count or not elapsed:
        raise SystemExit("could not read scrapy bench's stats:\n" + log[-2000:])
    return int(count.group(1)) / float(elapsed.group(1))


def one_run(posts: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="yuqing-bench-") as tmp:
        result = crawl_site(posts, Path(tmp))
    result["scrapy_bench_pages_per_s"] = scrapy_bench()
    result["ratio"] = result["pages_per_s"] / result["scrapy_bench_pages_per_s"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=2500, help="threads per board")
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()
    runs = [one_run(args.posts) for _ in range(args.runs)]
    keys = ("pages_per_s", "items_per_s", "scrapy_bench_pages_per_s", "ratio", "peak_rss_mb")
    out: dict[str, Any] = {k: round(statistics.median(r[k] for r in runs), 2) for k in keys}
    out["pages"] = runs[0]["pages"]
    out["items"] = runs[0]["items"]
    out["runs"] = len(runs)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
