"""Run one source's crawl: ``python -m crawlers.run --config FILE --source ID``.

Scrapy's reactor cannot be restarted inside one process, so a long-lived caller (the scheduler)
runs each crawl as a subprocess through ``run_crawl``; the ``yuqing crawl`` command runs it in
its own process with ``crawl_in_process``. Both end with the same CrawlRunSummary.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings as ScrapySettings

from crawlers.config import scrapy_settings
from crawlers.summary import CrawlRunSummary
from domain.settings import Settings, load_settings

SUMMARY_PREFIX = "CRAWL-SUMMARY "


class CrawlError(Exception):
    """The crawl process could not run or did not report a result."""


def build_scrapy_settings(settings: Settings, source_id: str,
                          overrides: dict[str, Any] | None = None) -> ScrapySettings:
    source = settings.source(source_id)
    out = ScrapySettings()
    out.setmodule("crawlers.settings", priority="project")
    out.setdict(scrapy_settings(settings, source, dict(overrides or {})), priority="cmdline")
    return out


def crawl_in_process(settings: Settings, source_id: str,
                     overrides: dict[str, Any] | None = None) -> CrawlRunSummary:
    """Run the crawl here; the process cannot run another Scrapy crawl afterwards."""
    source = settings.source(source_id)
    process = CrawlerProcess(build_scrapy_settings(settings, source_id, overrides),
                             install_root_handler=True)
    crawler = process.create_crawler(source.spider)
    process.crawl(crawler)
    process.start()
    raw = crawler.stats.get_value("yuqing/summary") if crawler.stats else None
    if not raw:
        raise CrawlError(f"crawl of {source_id} ended without a summary (see the log above)")
    return CrawlRunSummary.from_json(str(raw))


def run_crawl(settings: Settings, source_id: str, overrides: dict[str, Any] | None = None,
              timeout_s: float | None = None) -> CrawlRunSummary:
    """Run the crawl in a subprocess with exactly these settings; safe to call repeatedly from
    a long-lived process."""
    settings.source(source_id)  # unknown ids fail here, not in the child
    with tempfile.TemporaryDirectory(prefix="yuqing-crawl-") as tmp:
        path = Path(tmp) / "settings.json"
        path.write_text(settings.model_dump_json(), encoding="utf-8")
        cmd = [sys.executable, "-m", "crawlers.run", "--settings-json", str(path),
               "--source", source_id]
        for key, value in (overrides or {}).items():
            cmd += ["--set", f"{key}={json.dumps(value)}"]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout_s,
                              env={**os.environ, "PYTHONUNBUFFERED": "1"}, check=False)
    for line in reversed(proc.stdout.splitlines()):
        if line.startswith(SUMMARY_PREFIX):
            return CrawlRunSummary.from_json(line[len(SUMMARY_PREFIX):])
    tail = "\n".join(proc.stderr.splitlines()[-15:])
    raise CrawlError(f"crawl of {source_id} exited with {proc.returncode} and no summary:\n{tail}")


def _parse_set(values: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in values:
        key, _, value = item.partition("=")
        try:
            out[key] = json.loads(value)
        except ValueError:
            out[key] = value
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawlers.run", description=__doc__)
    where = parser.add_mutually_exclusive_group(required=True)
    where.add_argument("--config", type=Path, help="yuqing TOML configuration")
    where.add_argument("--settings-json", type=Path, help="resolved settings, as run_crawl writes")
    parser.add_argument("--source", required=True, help="source id from the configuration")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=JSON",
                        help="override one Scrapy setting (repeatable)")
    args = parser.parse_args(argv)
    if args.settings_json:
        settings = Settings.model_validate_json(args.settings_json.read_text(encoding="utf-8"))
    else:
        settings = load_settings(args.config)
    summary = crawl_in_process(settings, args.source, _parse_set(args.set))
    print(summary.line())
    print(SUMMARY_PREFIX + summary.to_json(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
