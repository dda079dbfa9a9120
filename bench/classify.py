"""Benchmark of the full analysis of a batch of posts, against plain ``jieba.lcut``.

The posts are real citizen messages from ``../shared/data`` (TipDM train/test/unlabelled/replies
and the 人民网 threads), shuffled and repeated to ``--posts`` (default 20,000) with fresh ids
and times spread over three days. One run of the analysis is one call of
``classifier.analyze.analyze_records`` over all of them in this process: topic and handling
type, severity, the false-information flag, events, heat and PII masking, with the user words,
places, grading tables and here / elsewhere of ``config/yuqing.toml``. One run of the baseline is ``jieba.lcut`` (jieba's
defaults) over the same title + content strings. Each is run ``--repeats`` times (default 3)
and the median is reported.

Prints one JSON line:
    {"posts": ..., "posts_per_s": ..., "cpu_ms_per_post": ..., "jieba_lcut_posts_per_s": ...,
     "ratio": ...}
(``cpu_ms_per_post``: process CPU time of the median analysis run per post; on a shared machine
it is steadier than wall time.)

Usage:
    .venv/bin/python -m bench.classify
    .venv/bin/python -m bench.classify --posts 5000 --repeats 1
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # fixed: results do not depend on the clock


def data_dir() -> Path:
    shared = os.environ.get("YUQING_SHARED_DIR")
    return (Path(shared) if shared else ROOT.parent / "shared") / "data"


def real_texts(folder: Path) -> list[tuple[str, str]]:
    """(title, content) of every message in the shared data."""
    out: list[tuple[str, str]] = []
    for name in ("train.csv", "test.csv"):
        with (folder / "tipdm2020c" / name).open(encoding="utf-8", newline="") as fh:
            out += [(r["title"], r["text"]) for r in csv.DictReader(fh)]
    for name in ("hot_unlabelled.csv", "replies.csv"):
        with (folder / "tipdm2020c" / name).open(encoding="utf-8", newline="") as fh:
            out += [(r["留言主题"], r["留言详情"].strip()) for r in csv.DictReader(fh)]
    with (folder / "people_liuyan_guizhou" / "threads.csv").open(
        encoding="utf-8", newline=""
    ) as fh:
        out += [(r["subject"], r["content"]) for r in csv.DictReader(fh)]
    return [(t, c) for t, c in out if (t or c).strip()]


def make_records(texts: list[tuple[str, str]], n: int, seed: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    pool = list(texts)
    records: list[dict[str, Any]] = []
    while len(records) < n:
        rng.shuffle(pool)
        for title, content in pool[: n - len(records)]:
            k = len(records)
            records.append(
                {
                    "id": f"b{k}",
                    "title": title,
                    "content": content,
                    "published_at": (NOW - timedelta(seconds=rng.randrange(3 * 86400))).isoformat(),
                    "source": rng.choice(("people", "gov", "forum", "tieba")),
                    "replies": rng.randrange(20),
                    "likes": rng.randrange(50),
                }
            )
    return records


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--config", type=Path, default=ROOT / "config" / "yuqing.toml")
    args = parser.parse_args(argv)

    import jieba

    from classifier.analyze import analyze_records
    from classifier.grading import grading_from_settings
    from classifier.locality import Locality
    from classifier.model import load_classifier
    from domain.settings import load_settings
    from response_sla.directory import Directory

    jieba.setLogLevel(logging.WARNING)
    folder = data_dir()
    if not folder.is_dir():
        sys.exit(f"no shared data at {folder}: set YUQING_SHARED_DIR")
    records = make_records(real_texts(folder), args.posts, args.seed)
    settings = load_settings(args.config)
    directory = Directory.from_jurisdiction(settings.jurisdiction)
    classifier = load_classifier(None, user_words=directory.words())
    j = settings.jurisdiction
    # as the service grades: the configured tables, the jurisdiction's here and elsewhere
    grading = grading_from_settings(settings)
    locality = Locality.of(j)
    broad = tuple(x for x in {j.name, j.full_name} if len(x) >= 2)

    def places(text: str) -> list[str]:
        return [m.text for m in directory.scan(text) if m.what == "place"]

    strings = [f"{r['title']}\n{r['content']}" for r in records]
    jieba.initialize()
    analysis_s: list[float] = []
    analysis_cpu: list[float] = []
    jieba_s: list[float] = []
    events = 0
    for _ in range(args.repeats):
        t, cpu = time.perf_counter(), time.process_time()
        results = analyze_records(
            records, classifier=classifier, now=NOW, places=places, broad_places=broad,
            grading=grading, locality=locality,
        )
        analysis_s.append(time.perf_counter() - t)
        analysis_cpu.append(time.process_time() - cpu)
        events = len({r["event_id"] for r in results})
        t = time.perf_counter()
        for s in strings:
            jieba.lcut(s)
        jieba_s.append(time.perf_counter() - t)
    posts_per_s = len(records) / statistics.median(analysis_s)
    cpu_ms = 1000 * statistics.median(analysis_cpu) / len(records)
    jieba_per_s = len(records) / statistics.median(jieba_s)
    print(
        json.dumps(
            {
                "posts": len(records),
                "events": events,
                "repeats": args.repeats,
                "posts_per_s": round(posts_per_s, 1),
                "cpu_ms_per_post": round(cpu_ms, 3),
                "jieba_lcut_posts_per_s": round(jieba_per_s, 1),
                "ratio": round(posts_per_s / jieba_per_s, 3),
            }
        )
    )


if __name__ == "__main__":
    main()
