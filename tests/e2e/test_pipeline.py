"""The real service against the replay site and a real SMTP server on loopback.

A post published on a board must come out the other end — classified, routed, with its
deadlines counted from the post's own published time, in the queue, and its assignment email
accepted by SMTP — within the poll interval plus processing; its follow-up on another board
joins it and raises it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import requests
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from storage import models
from tests.e2e.conftest import POLL_S, ServiceFactory, Smtp, wait_for
from yuqing.demo.replay_site import Timeline
from yuqing.display import iso_utc
from yuqing.web.queue import QueueFilters, QueueRow, fetch_queue, present

PROCESSING_S = 45  # first analysis loads the models; generous on a busy 2-core machine
SHANGHAI = ZoneInfo("Asia/Shanghai")
NEVER = datetime.max.replace(tzinfo=UTC)


def assert_queue_order(rows: list[QueueRow]) -> None:
    """The duty officer's order: the most severe first; within a grade the nearest deadline
    first, events without one after those with one; then the hottest; then the oldest id."""
    keys = [
        (-r.severity.rank, r.next_deadline_at is None, r.next_deadline_at or NEVER, -r.heat, r.id)
        for r in rows
    ]
    assert keys == sorted(keys), [(r.id, r.severity.value, r.next_deadline_at) for r in rows]


def test_post_on_a_board_becomes_a_routed_event_with_deadlines_and_email(
    make_service: ServiceFactory, site: tuple[str, Timeline], smtp: Smtp, tmp_path: Path,
) -> None:
    """A bus crash first reported with 3 deaths (较大), then a follow-up on another board in
    other words ("死亡人数升至13人"): one event, raised to 重大, one alert, one set of
    assignments, one set of 5 h / 24 h clocks counted from the first post."""
    smtp.start()
    service = make_service()
    service.start()
    base, _ = site
    title = "海子街镇新开田村客车坠河，已造成3人死亡"
    published = requests.post(f"{base}/_admin/publish", json={
        "board": "people", "title": title, "kind": "建言",
        "content": "今天上午海子街镇新开田村附近一辆客车侧翻坠入河道，已造成3人死亡、20多人受伤，"
                   "现场还在搜救，请政府尽快公布情况。",
    }, timeout=5).json()
    published_at = datetime.fromisoformat(published["published_at"])
    wait_for("the assignment email", lambda: smtp.inbox.find("新开田村"),
             POLL_S + PROCESSING_S, service)

    engine = create_engine(f"sqlite:///{tmp_path / 'var' / 'yuqing.db'}")
    with Session(engine) as session:
        post = session.scalars(select(models.Post).where(models.Post.title == title)).one()
        assert post.event_id is not None
        event_id = post.event_id
        event = session.get(models.Event, event_id)
        assert event is not None
        assert event.severity.value == "较大"  # 3 deaths, 20-odd injured
        # the board says 建言 (the poster asks the government to act): an accident is none
        assert event.handling is None
        first_lead = event.lead_unit_id
        assert first_lead is not None

    follow_up = "海子街镇客车事故最新：死亡人数升至13人"
    requests.post(f"{base}/_admin/publish", json={
        "board": "discuz", "title": follow_up,
        "content": "跟进：海子街镇那起客车事故死亡人数已上升至13人，仍有2人失联，家属在医院等消息。",
    }, timeout=5).raise_for_status()
    alerts = wait_for("the 重大 alert", lambda: smtp.inbox.find("【重大舆情】"),
                      POLL_S + PROCESSING_S, service)
    assert len(alerts) == 1
    assert "建言" not in alerts[0].get_body(("plain",)).get_content()  # type: ignore[union-attr]

    with Session(engine) as session:
        joined = session.scalars(select(models.Post).where(models.Post.title == follow_up)).one()
        assert joined.event_id == event_id  # the follow-up joined: no second event
        event = session.get(models.Event, event_id)
        assert event is not None
        assert event.severity.value == "重大"  # 13 deaths + 2 missing: 10–29 is 重大
        assert event.post_count == 2
        assert session.scalar(select(func.count()).select_from(models.Event).where(
            models.Event.title.like("%客车%"))) == 1
        assignments = list(session.scalars(
            select(models.Assignment).where(models.Assignment.event_id == event_id)))
        units = [a.unit_id for a in assignments]
        assert len(units) == len(set(units))  # one set of assignments: nobody twice
        roles = {a.unit_id: a.role.value for a in assignments}
        assert event.lead_unit_id == "yjj" and roles["yjj"] == "lead"  # the emergency's lead
        assert roles[first_lead] == "co"
        assert {"qzfb", "xcb"} <= set(roles)  # 重大: government office and 宣传部 coordinate
        outbox = list(session.scalars(
            select(models.Outbox.kind).where(models.Outbox.event_id == event_id)))
        assert outbox.count("new_major_event") == 1
        deadlines = list(session.scalars(
            select(models.Deadline).where(models.Deadline.event_id == event_id)))
        kinds = [d.kind for d in deadlines]
        assert kinds.count("publish_info") == kinds.count("press_conference") == 1
        by_kind = {d.kind: d for d in deadlines}
        # the 人民网 API gives whole seconds: the windows start at the first post's own time
        start = published_at.replace(microsecond=0)
        publish = by_kind["publish_info"]
        assert publish.starts_at.replace(tzinfo=UTC) == start
        assert publish.deadline_at.replace(tzinfo=UTC) == start + timedelta(hours=5)
        press = by_kind["press_conference"]
        assert press.deadline_at.replace(tzinfo=UTC) == start + timedelta(hours=24)
        assert event.next_deadline_at is not None
        # the first page of the duty officer's queue, read by the dashboard's own query
        rows = fetch_queue(session, QueueFilters(), SHANGHAI).rows
        assert event.id in [row.id for row in rows]
        assert_queue_order(rows)
        line = next(x for x in present(rows, datetime.now(UTC), SHANGHAI) if x.id == event.id)
        assert (line.severity, line.state, line.late) == ("重大", "待处置", False)
        assert line.deadline_iso == iso_utc(event.next_deadline_at)

    mails = smtp.inbox.find("新开田村")
    recipients = {r for m in mails for r in str(m["To"]).split(",")}
    assert any("qxg.example" in r for r in recipients)
    assert any("Message-ID" in m for m in mails)

    # the official reply on the board: the thread's list row changes, so the next crawl
    # fetches it again and the reply is stored as response evidence
    requests.post(f"{base}/_admin/reply", json={
        "board": "people", "id": published["id"], "org": "七星关区应急管理局",
        "content": "事故发生后我局立即启动应急响应，救援工作正在进行，详情以官方通报为准。",
    }, timeout=5).raise_for_status()

    def stored_reply() -> str | None:
        with Session(engine) as session:
            return session.scalars(
                select(models.Post.reply_content).where(models.Post.title == title)
            ).one()

    reply = wait_for("the official reply", stored_reply, POLL_S + PROCESSING_S, service)
    assert reply.startswith("事故发生后我局立即启动应急响应")
    engine.dispose()

    health = requests.get(f"{service.base}/healthz", timeout=5).json()
    assert health["database"] == "ok" and health["scheduler"] == "running"
    # SIGTERM stops it cleanly
    assert service.stop() == 0
    assert "yuqing stopped" in service.log_tail(5)
