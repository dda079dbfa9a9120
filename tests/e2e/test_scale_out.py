"""Two ``yuqing run`` processes on one PostgreSQL database, and kill -9 of the leader.

Both analyse and send (they claim posts and outbox rows); only the leader runs the schedule.
The leader dies mid-run; the follower must take the schedule over within seconds, and in
the end every post on the boards is stored and analysed once, each event and assignment
exists once, and each email went out once, but for the one send the kill may have cut off
(it goes again with the same Message-ID).
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from storage import models
from storage.enums import OutboxState
from tests.e2e.conftest import POLL_S, SEED, Smtp, wait_for
from yuqing.demo.harness import ServiceProcess, write_config
from yuqing.demo.replay_site import Timeline, replay_site
from yuqing.demo.scenario import ScenarioPost

pytestmark = pytest.mark.postgres

# posts that appear on the boards while the two processes run (offset: seconds after the
# site starts), distinct matters so that each opens an event of its own
ON_THE_WAY = (
    ("people", 20, "碧阳街道菜市场周边污水横流", "碧阳街道菜市场周边下水道堵塞，污水横流，气味难闻，请尽快疏通。"),
    ("gov", 22, "长春堡镇卫生院夜间没有医生值班", "长春堡镇卫生院晚上没有医生值班，老人半夜发病只能往城里送。"),
    ("discuz", 25, "朱昌镇朱昌工业园排污", "朱昌工业园有企业晚上偷偷排污水，河水发黑发臭，请环保部门查处。"),
    ("tieba", 28, "市西街道人民公园广场舞噪音", "人民公园晚上广场舞音响开得太大，一直到十点多，附近居民无法休息。"),
    ("people", 32, "撒拉溪镇低保评定不公平", "撒拉溪镇冲锋村低保评定不公开，有的人家里有车有房也吃低保，请区民政局核查。"),
    ("gov", 36, "观音桥街道农贸市场占道经营", "观音桥街道农贸市场门口占道经营严重，车辆无法通行。"),
    ("discuz", 45, "鸭池镇中学门口交通拥堵", "鸭池镇中学门口上下学时段车辆乱停，交通拥堵，学生过马路很危险。"),
    ("tieba", 55, "麻园路小区电梯经常故障", "麻园路一小区电梯经常出故障，上个月还困过人，物业一直不修。"),
)
# published after the kill: only a leader crawls, so these arrive only if the survivor leads
AFTER_KILL = (
    ("people", "梨树镇高原村饮水困难", "梨树镇高原村这个月已经停水三次，村民吃水要到山下去挑，请区水务局帮忙解决。"),
    ("gov", "德溪街道小区垃圾清运不及时", "德溪街道一小区垃圾桶满了好几天没人清运，苍蝇到处飞，请环卫部门处理。"),
)
SETTLE_S = POLL_S + 60
TAKEOVER_S = 60  # the bound the service promises


@pytest.fixture
def timeline_site() -> Iterator[tuple[str, Timeline]]:
    scenario = SEED + tuple(ScenarioPost(f"s{i}", board, offset, title, content)
                            for i, (board, offset, title, content) in enumerate(ON_THE_WAY))
    with replay_site(0, scenario=scenario, recurring_every_s=None) as running:
        yield running


def health(svc: ServiceProcess) -> dict[str, Any]:
    body: dict[str, Any] = requests.get(f"{svc.base}/healthz", timeout=5).json()
    return body


def ticked_since(svc: ServiceProcess, since: datetime) -> dict[str, Any] | None:
    """The process's /healthz once it has run the SLA tick after ``since``."""
    body = health(svc)
    tick = body.get("last_tick")
    return body if tick and datetime.fromisoformat(tick) > since else None


def test_two_processes_and_kill_9_of_the_leader_lose_and_double_nothing(
    pg_url: str, timeline_site: tuple[str, Timeline], smtp: Smtp, tmp_path: Path,
) -> None:
    began = time.monotonic()
    base, timeline = timeline_site
    smtp.start()
    # each send takes a moment, so that the kill is likely to cut one off
    smtp.inbox.delay_s = 0.5
    config = write_config(tmp_path / "yuqing.toml", base, POLL_S)
    env = {
        "YUQING_DATABASE_URL": pg_url,
        "YUQING_MAIL_BACKEND": "smtp",
        "YUQING_SMTP_HOST": "127.0.0.1",
        "YUQING_SMTP_PORT": str(smtp.port),
        "YUQING_LOG_LEVEL": "INFO",
        # a send cut off by the kill goes again after 8 s rather than 10 min
        "YUQING_MAIL_LEASE_S": "8",
    }
    a = ServiceProcess(config, tmp_path / "var-a", env=env)
    b = ServiceProcess(config, tmp_path / "var-b", env=env)
    engine = create_engine(pg_url)
    try:
        a.start()
        assert health(a)["role"] == "leader"
        b.start()
        first = health(b)
        assert first["role"] == "follower" and first["ok"] and first["scheduler"] == "standby"

        def analysed() -> int:
            with Session(engine) as s:
                return int(s.scalar(select(func.count()).select_from(models.Post).where(
                    models.Post.analyzed_at.is_not(None))) or 0)

        # mid-run: posts analysed and mail going out, more posts still to come on the boards
        wait_for("work under way", lambda: analysed() >= 3 and smtp.inbox.all(),
                 SETTLE_S, a)
        a.kill()
        killed_at = datetime.now(UTC)
        killed = time.monotonic()
        wait_for("the survivor to lead", lambda: health(b)["role"] == "leader", TAKEOVER_S, b)
        takeover_s = time.monotonic() - killed

        for board, title, content in AFTER_KILL:
            requests.post(f"{base}/_admin/publish", json={
                "board": board, "title": title, "content": content}, timeout=5
            ).raise_for_status()
        # the whole timeline: what was on the boards, what came later, what was published
        expected = [p.title for p in SEED] + [t for _, _, t, _ in ON_THE_WAY] + [
            t for _, t, _ in AFTER_KILL]

        def settled() -> bool:
            with Session(engine) as s:
                titles = set(s.scalars(select(models.Post.title).where(
                    models.Post.analyzed_at.is_not(None))))
                unsent = s.scalar(select(func.count()).select_from(models.Outbox).where(
                    models.Outbox.channel == "email",
                    models.Outbox.state.in_([OutboxState.PENDING, OutboxState.SENDING])))
            return titles >= set(expected) and unsent == 0

        # the posts the leader had claimed when it died wait out its lease (30 s)
        wait_for("every post analysed and every email sent", settled, SETTLE_S + 30, b)
        # the SLA tick runs every minute, on the leader only
        survivor = wait_for("the survivor's SLA tick", lambda: ticked_since(b, killed_at), 70, b)

        with Session(engine) as s:
            posts = list(s.scalars(select(models.Post)))
            log = list(s.scalars(select(models.EventLog).where(
                models.EventLog.action.in_(["created", "post_joined"]))))
            labels = Counter((c.post_id, c.kind) for c in s.scalars(
                select(models.Classification).where(models.Classification.post_id.is_not(None))))
            events = list(s.scalars(select(models.Event)))
            assignments = Counter((x.event_id, x.unit_id, x.role, x.cycle) for x in s.scalars(
                select(models.Assignment)))
            mail = list(s.scalars(select(models.Outbox).where(models.Outbox.channel == "email")))
            failed = list(s.scalars(select(models.EventLog).where(
                models.EventLog.action == "analysis_failed")))
        assert b.stop() == 0  # the new leader stops cleanly, its schedule with it
    finally:
        engine.dispose()
        a.kill()
        b.stop()

    # no post lost, none stored twice, none left claimed
    on_boards = [p.title for board in timeline.boards.values() for p in board.posts]
    assert sorted(on_boards) == sorted(expected)
    assert sorted(p.title for p in posts) == sorted(expected)
    assert max(Counter((p.source_id, p.external_id) for p in posts).values()) == 1
    assert all(p.analyzed_at is not None and p.claimed_by is None for p in posts)
    assert all(p.event_id is not None for p in posts) and not failed
    # none analysed twice: one event-creation or join per post, one label of each kind
    per_post = Counter(r.detail["post_id"] if r.action == "created" else r.entity_id for r in log)
    assert set(per_post) == {p.id for p in posts} and max(per_post.values()) == 1
    assert set(labels) == {(p.id, k) for p in posts
                           for k in ("topic", "handling", "severity", "rumour")}
    assert max(labels.values()) == 1
    # no event or assignment twice
    created = Counter(r.event_id for r in log if r.action == "created")
    assert len(events) == len(created) and max(created.values()) == 1
    assert sum(e.post_count for e in events) == len(posts)
    assert max(assignments.values()) == 1
    # every email row sent and received; a Message-ID twice only for the send cut off
    assert all(r.state is OutboxState.SENT for r in mail)
    seen = Counter(str(m["Message-ID"]) for m in smtp.inbox.all())
    assert {r.message_id for r in mail} == set(seen)
    twice = [mid for mid, n in seen.items() if n > 1]
    assert max(seen.values()) <= 2 and len(twice) <= 1
    # the survivor runs the schedule: it leads, crawled after the kill (the posts published
    # then are there), and its scheduler runs
    assert survivor["role"] == "leader" and survivor["scheduler"] == "running"
    crawls_after = [job for job, run in survivor["jobs"].items()
                    if job.startswith("crawl:") and datetime.fromisoformat(run["at"]) > killed_at]
    assert crawls_after
    assert takeover_s < TAKEOVER_S
    print(f"\nscale-out: {len(posts)} posts, {len(events)} events, "
          f"{sum(assignments.values())} assignments, {len(mail)} email rows, "
          f"{len(smtp.inbox.all())} messages received ({len(twice)} repeated), "
          f"takeover {takeover_s:.1f} s, survivor's SLA tick at {survivor['last_tick']}, "
          f"{time.monotonic() - began:.0f} s in all")
