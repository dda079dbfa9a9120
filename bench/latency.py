"""Detection latency: a post appears on a board → its assignment email is accepted by SMTP.

Starts the replay site, a real SMTP server on loopback and the real service (``yuqing run``
in a child process, SQLite, the sample configuration's schedule), publishes posts one at a
time at random moments on the four boards, and prints one JSON line:

    {"median_s": …, "p95_s": …, "poll_interval_s": …, "posts": …, "missed": …}

Usage: python bench/latency.py [--posts 20] [--poll-interval 60] [--gap-min 5 --gap-max 25]
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import random
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import requests
from aiosmtpd.controller import Controller

from yuqing.demo.harness import ServiceProcess, free_port, write_config
from yuqing.demo.replay_site import replay_site

BOARDS = ("people", "gov", "discuz", "tieba")
# (place, matter): every post names a different place, so no two of them are one event
POSTS = [
    ("洪山街道洪山社区", "垃圾池一个星期没有人清运，臭味很大"),
    ("麻园街道麻园社区", "夜间渣土车噪音扰民，路面全是泥"),
    ("市西街道人民公园", "广场舞音响开到十点多，居民无法休息"),
    ("市东街道", "小区门口下水道堵塞，污水横流"),
    ("三板桥街道石桥边社区", "主干道路灯坏了半个月，晚上一片漆黑"),
    ("观音桥街道", "农贸市场占道经营，车辆无法通行"),
    ("碧阳街道", "老旧小区外墙瓷砖脱落，存在安全隐患"),
    ("德溪街道", "新建小区物业费上涨没有公示"),
    ("鸭池镇", "通村路坑坑洼洼，学生上学很不方便"),
    ("梨树镇", "村里这个月停水三次，吃水要到山下挑"),
    ("朱昌镇", "工业园有企业夜间偷排污水，河水发黑"),
    ("燕子口镇", "工地拖欠农民工工资五个月"),
    ("海子街镇", "集镇上的公厕长期锁门"),
    ("长春堡镇", "卫生院夜间没有医生值班"),
    ("撒拉溪镇", "低保评定不公开，希望民政部门核查"),
    ("田坎乡", "客运班车减少，群众出行困难"),
    ("洪山街道", "学校门口早晚高峰拥堵，没有交警疏导"),
    ("麻园街道", "小区电梯经常困人，物业不维修"),
    ("市西街道", "老年人办理社保认证太麻烦，希望简化"),
    ("鸭池镇", "养殖场臭气熏天，影响周边村民"),
    ("梨树镇", "农村危房改造补助迟迟没有发放"),
    ("朱昌镇", "集镇街道积水严重，一下雨就淹"),
]


class Sink:
    def __init__(self) -> None:
        self.seen: dict[str, float] = {}  # token -> first time an email carried it
        self.lock = threading.Lock()
        self.tokens: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        at = time.time()
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        text = str(msg["Subject"])
        for part in msg.walk():
            if part.get_content_type() == "text/plain":
                text += part.get_content()
        with self.lock:
            for token in self.tokens:
                if token in text and token not in self.seen:
                    self.seen[token] = at
        return "250 OK"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--poll-interval", type=int, default=60,
                    help="crawl interval of every source (the sample's default: 60 s)")
    ap.add_argument("--gap-min", type=float, default=5.0)
    ap.add_argument("--gap-max", type=float, default=25.0)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    sink = Sink()
    smtp_port = free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    published: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="yuqing-latency-") as tmp, \
            replay_site(0, scenario=(), recurring_every_s=None) as (base, _):
        root = Path(tmp)
        config = write_config(root / "yuqing.toml", base, args.poll_interval)
        svc = ServiceProcess(config, root / "var", env={
            "YUQING_DATABASE_URL": f"sqlite:///{root / 'var' / 'yuqing.db'}",
            "YUQING_MAIL_BACKEND": "smtp", "YUQING_SMTP_HOST": "127.0.0.1",
            "YUQING_SMTP_PORT": str(smtp_port), "YUQING_LOG_LEVEL": "WARNING",
        })
        svc.start()
        try:
            # let the first crawls and the model loading pass, as in a service that runs
            time.sleep(args.poll_interval + 10)
            for i in range(args.posts):
                place, matter = POSTS[i % len(POSTS)]
                token = f"编号{1000 + i}"
                with sink.lock:
                    sink.tokens.append(token)
                board = BOARDS[i % len(BOARDS)]
                r = requests.post(f"{base}/_admin/publish", json={
                    "board": board, "title": f"{place}{matter[:12]}（{token}）",
                    "content": f"{place}{matter}，希望有关部门尽快处理。{token}",
                }, timeout=5)
                r.raise_for_status()
                published[token] = time.time()
                time.sleep(rng.uniform(args.gap_min, args.gap_max))
            deadline = time.time() + args.poll_interval * 2 + 60
            while time.time() < deadline and len(sink.seen) < len(published):
                time.sleep(1)
        finally:
            svc.stop()
            controller.stop()
    latencies = sorted(sink.seen[t] - published[t] for t in published if t in sink.seen)
    p95 = latencies[max(0, round(0.95 * len(latencies)) - 1)] if latencies else None
    print(json.dumps({
        "median_s": round(statistics.median(latencies), 1) if latencies else None,
        "p95_s": round(p95, 1) if p95 is not None else None,
        "poll_interval_s": args.poll_interval,
        "posts": len(published),
        "missed": len(published) - len(latencies),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
