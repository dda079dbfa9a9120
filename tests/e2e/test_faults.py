"""Faults under the real service: SMTP down, a board behind a WAF, kill -9 mid-crawl and
mid-send. One service run walks through them in order, as an operator's bad day would."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import requests
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from storage import models
from storage.enums import CrawlStatus, OutboxState
from tests.e2e.conftest import POLL_S, ServiceFactory, Smtp, wait_for
from yuqing.demo.replay_site import Timeline

# the first retry of a failed send comes a minute later (backoff 1, 2, 4 … min)
RETRY_S = 60
SETTLE_S = POLL_S + 45


def publish(base: str, board: str, title: str, content: str) -> dict[str, Any]:
    r = requests.post(f"{base}/_admin/publish",
                      json={"board": board, "title": title, "content": content}, timeout=5)
    r.raise_for_status()
    result: dict[str, Any] = r.json()
    return result


def rows(db: Path, query: Any) -> list[Any]:
    engine = create_engine(f"sqlite:///{db}")
    try:
        with Session(engine) as session:
            return list(session.scalars(query))
    finally:
        engine.dispose()


def test_smtp_down_a_blocked_board_and_kill_9_lose_and_double_nothing(
    make_service: ServiceFactory, site: tuple[str, Timeline], smtp: Smtp, tmp_path: Path,
) -> None:
    base, _ = site
    db = tmp_path / "var" / "yuqing.db"
    # a short lease so that a send interrupted by kill -9 is retried within the test
    svc = make_service(YUQING_MAIL_LEASE_S="8")
    svc.start()

    # 1. SMTP is down: the assignment waits in the outbox with the error recorded
    publish(base, "people", "梨树镇高原村这个月停水三次",
            "梨树镇高原村这个月已经停水三次，村民吃水要到山下去挑，请区水务局帮忙解决。")
    pending = wait_for("a failed first attempt", lambda: rows(db, select(models.Outbox).where(
        models.Outbox.kind == "assignment", models.Outbox.attempts >= 1,
        models.Outbox.state == OutboxState.PENDING)), SETTLE_S, svc)
    assert all(r.last_error for r in pending)

    # 2. a board answers 403 from now on; the others carry on
    requests.post(f"{base}/_admin/fault", json={"board": "tieba", "status": 403}, timeout=5)

    # SMTP comes back: everything goes out
    smtp.start()
    wait_for("the delayed assignment email", lambda: smtp.inbox.find("高原村"),
             RETRY_S + SETTLE_S, svc)
    publish(base, "gov", "观音桥农贸市场占道经营", "观音桥街道农贸市场门口占道经营严重，车辆无法通行。")
    wait_for("a post on a healthy board", lambda: smtp.inbox.find("占道经营"), SETTLE_S, svc)
    sources = wait_for("the blocked board flagged", lambda: rows(db, select(models.Source).where(
        models.Source.id == "tieba-qxg", models.Source.unhealthy.is_(True))), SETTLE_S * 2, svc)
    assert sources[0].last_error
    blocked_runs = rows(db, select(models.CrawlRun.status).where(
        models.CrawlRun.source_id == "tieba-qxg"))
    assert CrawlStatus.BLOCKED in blocked_runs
    alert = wait_for("the duty officers' alert", lambda: rows(db, select(models.Outbox).where(
        models.Outbox.kind == "source_unhealthy", models.Outbox.state == OutboxState.SENT)),
        SETTLE_S, svc)
    assert alert[0].payload["source_id"] == "tieba-qxg"
    assert alert[0].message_id in {str(m["Message-ID"]) for m in smtp.inbox.all()}
    requests.post(f"{base}/_admin/fault", json={"board": "tieba", "status": 0}, timeout=5)

    # 3. kill -9 in the middle of a crawl
    before = {d.id: (d.kind, d.starts_at, d.deadline_at, d.original_deadline_at)
              for d in rows(db, select(models.Deadline))}
    titles = [f"鸭池镇石桥村通村路第{i}段塌方" for i in range(3)]
    for t in titles:
        publish(base, "discuz", t, f"{t}，路面开裂，车辆无法通行，请交通部门尽快处理。")
    wait_for("a crawl in progress", lambda: rows(db, select(models.CrawlRun).where(
        models.CrawlRun.status == CrawlStatus.RUNNING)), POLL_S * 3, svc)
    svc.kill()

    # 4. restart with a slow SMTP server and kill -9 in the middle of a send
    smtp.inbox.delay_s = 3.0
    smtp.inbox.receiving.clear()
    svc = make_service(YUQING_MAIL_LEASE_S="8")
    svc.start()
    publish(base, "people", "市东街道小区门口下水道堵塞", "市东街道一小区门口下水道堵塞，污水横流。")
    assert smtp.inbox.receiving.wait(SETTLE_S * 2), svc.log_tail(60)
    svc.kill()
    smtp.inbox.delay_s = 0.0

    svc = make_service(YUQING_MAIL_LEASE_S="8")
    svc.start()
    wait_for("every post crawled once", lambda: all(
        rows(db, select(models.Post.id).where(models.Post.title == t)) for t in
        [*titles, "市东街道小区门口下水道堵塞"]), SETTLE_S * 2, svc)
    wait_for("every notification sent", lambda: not rows(db, select(models.Outbox.id).where(
        models.Outbox.state.in_([OutboxState.PENDING, OutboxState.SENDING]),
        models.Outbox.channel == "email")), RETRY_S + SETTLE_S * 2, svc)

    # nothing lost, nothing duplicated
    posts = rows(db, select(models.Post))
    per_key = Counter((p.source_id, p.external_id) for p in posts)
    assert max(per_key.values()) == 1
    for t in titles:
        assert sum(p.title == t for p in posts) == 1
    assert all(p.analyzed_at is not None for p in posts)
    # deadlines that existed before the crash are exactly as they were
    after = {d.id: (d.kind, d.starts_at, d.deadline_at, d.original_deadline_at)
             for d in rows(db, select(models.Deadline))}
    assert {k: after[k] for k in before} == before
    # every email row went out; a Message-ID twice only for the send the crash interrupted
    sent = rows(db, select(models.Outbox).where(models.Outbox.channel == "email"))
    assert all(r.state is OutboxState.SENT for r in sent), [
        (r.id, r.state, r.last_error) for r in sent if r.state is not OutboxState.SENT]
    seen = Counter(str(m["Message-ID"]) for m in smtp.inbox.all())
    assert {r.message_id for r in sent} <= set(seen)
    assert max(seen.values()) <= 2
    assert sum(1 for n in seen.values() if n == 2) <= 1
