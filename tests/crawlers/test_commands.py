"""`scrapy list`, `scrapy crawl KIND -a source=ID` and `yuqing crawl SOURCE_ID`."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawlers.localsite.boards import BoardPost, GovListBoard
from crawlers.localsite.server import LocalSite
from storage.models import CrawlRun, Post
from tests.crawlers.conftest import NOW

ROOT = Path(__file__).resolve().parents[2]
SCRAPY = Path(sys.executable).parent / "scrapy"
YUQING = Path(sys.executable).parent / "yuqing"


def _config(tmp_path: Path, base: str) -> Path:
    sample = (ROOT / "config" / "yuqing.toml").read_text(encoding="utf-8")
    head = sample.split("[[sources]]", 1)[0]
    text = head.replace('download_delay_s = 0.5', 'download_delay_s = 0') + f'''
[[sources]]
id = "wz"
name = "问政"
spider = "gov_board"
url = "{base}/wz/index"
scoped = true
obey_robots = false
params = {{ layout = "list" }}
'''
    path = tmp_path / "yuqing.toml"
    path.write_text(text, encoding="utf-8")
    return path


def _env(tmp_path: Path, db_url: str, config: Path) -> dict[str, str]:
    return {**os.environ, "YUQING_DATABASE_URL": db_url, "YUQING_VAR_DIR": str(tmp_path / "var"),
            "YUQING_CONFIG": str(config), "YUQING_LOG_LEVEL": "WARNING"}


def test_scrapy_list() -> None:
    out = subprocess.run([str(SCRAPY), "list"], cwd=ROOT, capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.split() == ["discuz", "gov_board", "people_liuyan", "tieba"]


def test_yuqing_crawl_and_scrapy_crawl(site: LocalSite, crawl_db, tmp_path: Path) -> None:
    site.add(GovListBoard([BoardPost(i, f"市东街道第{i}号", "清毕路施工噪音", NOW) for i in (1, 2)],
                          prefix="/wz"))
    config = _config(tmp_path, site.base)
    env = _env(tmp_path, crawl_db[0], config)

    out = subprocess.run([str(YUQING), "crawl", "wz"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip().splitlines()[-1].startswith("wz: ok — 3 pages, 2 new, 0 updated")

    out = subprocess.run([str(SCRAPY), "crawl", "gov_board", "-a", "source=wz"], cwd=ROOT,
                         env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr[-2000:]
    with Session(crawl_db[1]) as s:
        assert s.scalar(select(func.count()).select_from(Post)) == 2
        runs = s.scalars(select(CrawlRun).order_by(CrawlRun.id)).all()
    # the second run finds both posts already stored (and older than revisit_days): no change
    assert [(r.items_new, r.items_updated, r.status.value) for r in runs] == [
        (2, 0, "ok"), (0, 0, "ok")]

    out = subprocess.run([str(YUQING), "crawl", "nope"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 1 and "unknown source 'nope'" in out.stderr
