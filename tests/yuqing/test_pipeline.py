"""One pipeline: the service's analysis stage and ``yuqing analyze`` label, place and route a
post the same way."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings
from response_sla.configured import from_settings
from storage import models
from storage.db import transaction
from yuqing.analysis import Analyzer, analyze_pending
from yuqing.bootstrap import sync_directory
from yuqing.pipeline import Models, analyze_records

T0 = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # a Tuesday, 10:00 in 七星关区

POSTS: list[dict[str, Any]] = [
    {
        "id": "crash",
        "title": "海子街镇一客车侧翻坠入河道，已造成11人死亡",
        "content": "今天上午海子街镇新开田村附近一辆载有30多人的客车侧翻坠入河道，据现场群众说已"
        "造成11人死亡、23人受伤。听说还有人失踪，是真的吗？",
        "replies": 40,
        "likes": 12,
    },
    {
        "id": "garbage",
        "title": "洪山街道洪山社区垃圾多日无人清运",
        "content": "洪山街道洪山社区3组附近的垃圾池已经一个星期没有人清运了，臭味很大。",
    },
    {
        "id": "school",
        "title": "请问孩子转学需要什么材料？",
        "content": "想咨询一下七星关区小学转学的手续，需要准备哪些材料？",
        "likes": 3,
    },
]


@pytest.fixture(scope="module")
def model_cache() -> dict[str, Models]:
    return {}


def _models(settings: Settings, cache: dict[str, Models]) -> Models:
    if "models" not in cache:
        cache["models"] = Models.from_settings(settings)
    return cache["models"]


def test_the_service_and_the_command_agree(
    sessions: sessionmaker[Session], settings: Settings, model_cache: dict[str, Models]
) -> None:
    models_ = _models(settings, model_cache)
    with transaction(sessions) as session:
        sync_directory(session, settings)
    with transaction(sessions) as session:
        ids = {}
        for i, p in enumerate(POSTS):
            at = T0 + timedelta(minutes=i)
            post = models.Post(
                source_id="people-liuyan", external_id=p["id"], url=f"http://b.example/{i}",
                title=p["title"], content=p["content"], replies=p.get("replies", 0),
                likes=p.get("likes", 0), published_at=at, first_seen_at=at, last_seen_at=at,
                content_hash=hashlib.sha256(p["content"].encode()).hexdigest(),
            )
            session.add(post)
            session.flush()
            ids[p["id"]] = post.id
    analyzer = Analyzer(settings, models_, from_settings(settings), models_.event_index())
    assert analyze_pending(analyzer, sessions, T0 + timedelta(hours=1)).new_events == 3

    records = [{**p, "published_at": (T0 + timedelta(minutes=i)).isoformat()}
               for i, p in enumerate(POSTS)]
    lines = analyze_records(records, models_, from_settings(settings), T0 + timedelta(hours=1))

    with sessions() as session:
        for line in lines:
            post = session.get(models.Post, ids[line["id"]])
            assert post is not None and post.event is not None
            stored = {c.kind: c.label for c in session.scalars(
                select(models.Classification).where(models.Classification.post_id == post.id))}
            rumour = "不实信息" if line["rumour"] else "非不实信息"
            # an emergency has no handling type, in the output as in storage
            handling = {"handling": line["handling"]} if line["handling"] else {}
            assert stored == {"topic": line["topic"], **handling,
                              "severity": line["severity"], "rumour": rumour}, line["id"]
            assert post.event.handling == line["handling"], line["id"]
            assert post.event.lead_unit_id == line["lead_unit"], line["id"]
            units = set(session.scalars(select(models.Assignment.unit_id).where(
                models.Assignment.event_id == post.event.id)))
            assert units == {line["lead_unit"], *line["co_units"], *line["coordinate_units"]}


def test_a_record_without_a_time_counts_its_windows_from_now(
    settings: Settings, model_cache: dict[str, Models]
) -> None:
    now = datetime(2026, 11, 27, 1, 0, tzinfo=UTC)  # 09:00 in 七星关区
    (line,) = analyze_records(
        [{"id": 1, "title": "咨询", "content": "洪山社区什么时候通燃气？"}],
        _models(settings, model_cache),
        from_settings(settings),
        now,
    )
    assert line["lead_unit"] == "hongshan" and line["published_at"] is None
    due = {d["kind"]: d["due_at"] for d in line["deadlines"]}
    assert due["respond"] == "2026-11-29T09:00:00+08:00"
