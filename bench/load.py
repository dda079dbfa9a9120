"""Load: ten boards publishing 1,000 new posts a minute in total while 20 people use the
dashboard; the real service (``yuqing run``, SQLite by default) watches the boards.

At the end it checks that nothing was lost (every published post stored once and analysed)
and prints one JSON line with the throughput, the queue page's latency percentiles under
load, and the error counts. Not part of the test suite (it runs for --minutes plus the
drain).

Usage: python bench/load.py [--minutes 10] [--rate 1000] [--clients 20] [--poll-interval 60]
       [--database-url URL]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from crawlers.localsite.boards import Board, DiscuzBoard, GovTableBoard, PeopleBoard, TiebaBoard
from domain.settings import DEFAULT_CONFIG
from storage import models
from yuqing.demo.harness import ServiceProcess, with_crawl_values
from yuqing.demo.replay_site import Timeline, replay_site

USER, PASSWORD = "load_duty", "load password 2026"
PLACES = ["洪山街道洪山社区", "麻园街道", "市西街道人民公园", "市东街道", "三板桥街道", "观音桥街道",
          "碧阳街道", "德溪街道", "鸭池镇", "梨树镇", "朱昌镇", "燕子口镇", "海子街镇", "长春堡镇",
          "撒拉溪镇", "田坎乡"]
MATTERS = ["垃圾无人清运", "路灯不亮", "下水道堵塞", "占道经营", "噪音扰民", "停水", "道路坑洼",
           "物业乱收费", "拖欠工资", "公厕锁门", "排污", "乱停车", "违章搭建", "电梯故障"]


def boards() -> dict[str, tuple[Board, str, dict[str, Any]]]:
    """Ten boards: name -> (board, spider, params)."""
    out: dict[str, tuple[Board, str, dict[str, Any]]] = {}
    for i in range(3):
        out[f"people{i}"] = (PeopleBoard([], fid=5396 + i, prefix=f"/people{i}"),
                             "people_liuyan", {"fid": 5396 + i, "page_size": 10})
        out[f"gov{i}"] = (GovTableBoard([], prefix=f"/gov{i}"), "gov_board", {"layout": "table"})
    for i in range(2):
        out[f"discuz{i}"] = (DiscuzBoard([], fid=2, prefix=f"/discuz{i}", charset="gbk"),
                             "discuz", {"fid": 2})
        out[f"tieba{i}"] = (TiebaBoard([], prefix=f"/tieba{i}"), "tieba", {"kw": "七星关"})
    return out


def source_url(base: str, name: str, board: Board) -> str:
    if name.startswith("people"):
        return f"{base}{board.prefix}"
    if name.startswith("gov"):
        return f"{base}{board.prefix}/list.html"
    if name.startswith("discuz"):
        return f"{base}{board.prefix}/forum-2-1.html"
    return f"{base}{board.prefix}/f?kw=七星关"


def write_config(path: Path, base: str, spec: dict[str, tuple[Board, str, dict[str, Any]]],
                 interval_s: int, crawl: dict[str, float]) -> None:
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    text = with_crawl_values(text[: text.index("[[sources]]")], crawl)
    for name, (board, spider, params) in spec.items():
        inline = ", ".join(f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in params.items())
        text += (f'\n[[sources]]\nid = "{name}"\nname = "负载测试·{name}"\nspider = "{spider}"\n'
                 f'url = "{source_url(base, name, board)}"\ninterval_s = {interval_s}\n'
                 f"scoped = true\nobey_robots = false\nparams = {{ {inline} }}\n")
    path.write_text(text, encoding="utf-8")


def publisher(timeline: Timeline, names: list[str], rate_per_min: int, stop: threading.Event,
              published: list[tuple[str, int]]) -> None:
    rng = random.Random(11)
    gap = 60.0 / rate_per_min
    next_at = time.monotonic()
    for n in itertools.count():
        if stop.is_set():
            return
        board = names[n % len(names)]
        place, matter = rng.choice(PLACES), rng.choice(MATTERS)
        p = timeline.publish(board, f"{place}{matter}（{n}）",
                             f"{place}{matter}，已经持续{rng.randint(2, 30)}天，希望有关部门处理。编号{n}")
        published.append((board, p.id))
        next_at += gap
        time.sleep(max(0.0, next_at - time.monotonic()))


def client(base: str, stop: threading.Event, latencies: list[float], errors: Counter[str]) -> None:
    s = requests.Session()
    page = s.get(f"{base}/login", timeout=30).text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page)
    if token is None:
        errors["login"] += 1
        return
    r = s.post(f"{base}/login", data={"username": USER, "password": PASSWORD,
                                      "csrf_token": token.group(1)}, timeout=30)
    if r.status_code != 200:
        errors["login"] += 1
        return
    while not stop.is_set():
        t0 = time.perf_counter()
        try:
            r = s.get(f"{base}/", timeout=30)
            if r.status_code == 200 and 'id="queue-rows"' in r.text:
                latencies.append((time.perf_counter() - t0) * 1000)
            else:
                errors[f"http_{r.status_code}"] += 1
        except requests.RequestException as exc:
            errors[type(exc).__name__] += 1
        stop.wait(1.0)  # a person reads the page before the next click


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=10)
    ap.add_argument("--rate", type=int, default=1000, help="new posts per minute, all boards")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--poll-interval", type=int, default=60)
    ap.add_argument("--drain-minutes", type=float, default=5)
    ap.add_argument("--database-url", default="")
    # A crawl fetches a thread of the last revisit_days again only when its list row changed,
    # but it still pages through every list page of those days to see the rows: at a hundred
    # new posts a minute per board that is thousands of list pages a day, so the load run
    # reads new threads only by default. The boards are local: no politeness delay needed.
    ap.add_argument("--revisit-days", type=int, default=0)
    ap.add_argument("--download-delay", type=float, default=0.05)
    ap.add_argument("--log", type=Path, default=None, help="keep the service's log here")
    args = ap.parse_args()
    spec = boards()
    with tempfile.TemporaryDirectory(prefix="yuqing-load-") as tmp, replay_site(
        0, scenario=(), recurring_every_s=None, boards={k: v[0] for k, v in spec.items()}
    ) as (base, timeline):
        root = Path(tmp)
        config = root / "yuqing.toml"
        write_config(config, base, spec, args.poll_interval, {
            "revisit_days": args.revisit_days, "download_delay_s": args.download_delay})
        db_url = args.database_url or f"sqlite:///{root / 'var' / 'yuqing.db'}"
        env = {"YUQING_DATABASE_URL": db_url, "YUQING_LOG_LEVEL": "WARNING",
               "YUQING_MAIL_BACKEND": "dryrun"}
        svc = ServiceProcess(config, root / "var", env=env)
        subprocess.run([sys.executable, "-m", "yuqing", "--config", str(config), "init"],
                       check=True, capture_output=True,
                       env={**_env(svc), **env})
        subprocess.run([sys.executable, "-m", "yuqing", "--config", str(config), "user", "add",
                        USER, "--role", "duty", "--password-stdin"], input=PASSWORD.encode(),
                       check=True, capture_output=True, env={**_env(svc), **env})
        svc.start()
        stop = threading.Event()
        published: list[tuple[str, int]] = []
        latencies: list[float] = []
        errors: Counter[str] = Counter()
        threads = [threading.Thread(target=publisher, args=(timeline, list(spec), args.rate,
                                                            stop, published), daemon=True)]
        threads += [threading.Thread(target=client, args=(svc.base, stop, latencies, errors),
                                     daemon=True) for _ in range(args.clients)]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(args.minutes * 60)
        stop.set()
        for t in threads:
            t.join(60)
        load_s = time.monotonic() - t0
        engine = create_engine(db_url)

        def counts() -> tuple[int, int]:
            with Session(engine) as session:
                stored = session.scalar(select(func.count()).select_from(models.Post)) or 0
                pending = session.scalar(select(func.count()).select_from(models.Post).where(
                    models.Post.analyzed_at.is_(None))) or 0
            return stored, pending

        drain_until = time.monotonic() + args.drain_minutes * 60
        while time.monotonic() < drain_until:
            stored, pending = counts()
            if stored >= len(published) and pending == 0:
                break
            time.sleep(5)
        drained_s = time.monotonic() - t0
        with Session(engine) as session:
            keys = set(session.execute(select(models.Post.source_id, models.Post.external_id)))
            dup = session.scalar(select(func.count()).select_from(models.Post)) or 0
            events = session.scalar(select(func.count()).select_from(models.Event)) or 0
            sent = session.scalar(select(func.count()).select_from(models.Outbox).where(
                models.Outbox.state == "sent")) or 0
            failed_analysis = session.scalar(select(func.count()).select_from(
                models.EventLog).where(models.EventLog.action == "analysis_failed")) or 0
        engine.dispose()
        # the spiders keep the board's own id in the external id (a tid, a thread id, a 编号)
        ids = {(src, int(n)) for src, ext in keys for n in re.findall(r"\d+", str(ext))}
        lost = [(b, i) for b, i in published if (b, i) not in ids]
        svc.stop()
        if args.log is not None and svc.log_path is not None:
            args.log.write_bytes(svc.log_path.read_bytes())
        service_errors = sum(1 for line in (svc.log_tail(100000).splitlines())
                             if " ERROR " in line or "Traceback" in line)
    latencies.sort()
    stored = len(keys)
    print(json.dumps({
        "minutes": args.minutes, "boards": len(spec), "clients": args.clients,
        "revisit_days": args.revisit_days, "download_delay_s": args.download_delay,
        "published": len(published), "stored": stored, "lost": len(lost),
        "duplicates": dup - len(keys), "analysis_failed": failed_analysis,
        "events": events, "notifications_sent": sent,
        "throughput_posts_per_min": round(stored / (drained_s / 60), 1),
        "drain_s_after_load": round(drained_s - load_s, 1),
        "queue_requests": len(latencies), "queue_errors": sum(errors.values()),
        "queue_error_kinds": dict(errors),
        "queue_p50_ms": round(statistics.median(latencies), 1) if latencies else None,
        "queue_p95_ms": round(latencies[int(0.95 * (len(latencies) - 1))], 1)
        if latencies else None,
        "service_error_lines": service_errors,
    }, ensure_ascii=False))


def _env(svc: ServiceProcess) -> dict[str, str]:
    return {**os.environ, "YUQING_VAR_DIR": str(svc.var_dir)}


if __name__ == "__main__":
    main()
