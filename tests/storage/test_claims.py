"""Claiming posts for analysis, on SQLite and PostgreSQL: one owner per post, a lease that
runs out, and an analysis that commits only while its claim stands."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage import models
from storage.claims import claim_posts, finish, held, release_all
from storage.db import transaction

T0 = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
LEASE = timedelta(seconds=60)  # the tests' own, not the default


def add_posts(sessions: sessionmaker[Session], n: int, tag: str = "",
              analyzed_at: datetime | None = None) -> list[int]:
    with transaction(sessions) as s:
        if s.get(models.Source, "s1") is None:
            s.add(models.Source(id="s1", name="测试板", spider="gov_board",
                                url="http://127.0.0.1/"))
            s.flush()
        posts = [models.Post(source_id="s1", external_id=f"e{i}-{tag}",
                             url=f"http://127.0.0.1/{i}", title=f"标题{i}", content="内容",
                             first_seen_at=T0, last_seen_at=T0, content_hash=f"h{i}",
                             analyzed_at=analyzed_at)
                 for i in range(n)]
        s.add_all(posts)
        s.flush()
        return [p.id for p in posts]


def claim(sessions: sessionmaker[Session], now: datetime, owner: str,
          limit: int = 100) -> list[int]:
    return claim_posts(sessions, now, lease=LEASE, owner=owner, limit=limit)


def test_claims_take_waiting_posts_oldest_first_once(sessions: sessionmaker[Session]) -> None:
    ids = add_posts(sessions, 5)
    add_posts(sessions, 2, tag="done", analyzed_at=T0)
    assert claim(sessions, T0, "a", limit=3) == ids[:3]
    assert claim(sessions, T0, "b") == ids[3:]  # a's claims stand
    assert claim(sessions, T0 + timedelta(seconds=30), "c") == []
    with sessions() as s:
        owners = dict(s.execute(select(models.Post.id, models.Post.claimed_by).where(
            models.Post.id.in_(ids))).tuples().all())
    assert owners == {**dict.fromkeys(ids[:3], "a"), **dict.fromkeys(ids[3:], "b")}


def test_an_owner_takes_back_its_own_claims_and_others_wait_for_the_lease(
    sessions: sessionmaker[Session],
) -> None:
    ids = add_posts(sessions, 2)
    assert claim(sessions, T0, "a") == ids
    # a failed run of a left its claims: a itself takes them again at once
    assert claim(sessions, T0 + timedelta(seconds=5), "a") == ids
    assert claim(sessions, T0 + timedelta(seconds=64), "b") == []  # renewed at T0 + 5 s
    # a died: once the lease has run out, b takes over
    assert claim(sessions, T0 + timedelta(seconds=66), "b") == ids


def test_finish_marks_analysed_and_clears_only_a_standing_claim(
    sessions: sessionmaker[Session],
) -> None:
    ids = add_posts(sessions, 3)
    assert claim(sessions, T0, "a") == ids
    assert claim(sessions, T0 + timedelta(minutes=2), "b", limit=1) == ids[:1]  # taken over
    with transaction(sessions) as s:
        assert [p.id for p in s.scalars(select(models.Post).where(held("a", ids)))] == ids[1:]
        assert finish(s, ids, "a", T0 + timedelta(minutes=3)) == 2
    with sessions() as s:
        rows = {p.id: p for p in s.scalars(select(models.Post).where(models.Post.id.in_(ids)))}
    first, *rest = ids
    assert rows[first].analyzed_at is None and rows[first].claimed_by == "b"
    for post_id in rest:
        assert rows[post_id].analyzed_at == T0 + timedelta(minutes=3)
        assert rows[post_id].claimed_by is None and rows[post_id].claimed_at is None
    # an analysed post is claimed by no one, a post changed again (analyzed_at cleared) anew
    later = T0 + timedelta(minutes=2, seconds=30)  # b's claim of T0 + 2 min still stands
    assert claim(sessions, later, "c") == []
    with transaction(sessions) as s:
        post = s.get(models.Post, rest[0])
        assert post is not None
        post.analyzed_at = None
    assert claim(sessions, later, "c") == [rest[0]]


def test_concurrent_claimers_never_share_a_post(sessions: sessionmaker[Session]) -> None:
    ids = add_posts(sessions, 60)
    got: dict[str, list[int]] = {}
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def run(owner: str) -> None:
        try:
            start.wait()
            mine: list[int] = []
            # as the analysis does: claim a batch, finish it, claim the next
            while batch := claim(sessions, T0, owner, limit=7):
                with transaction(sessions) as s:
                    assert finish(s, batch, owner, T0) == len(batch)
                mine += batch
            got[owner] = mine
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(f"w{i}",), daemon=True) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    every = [post_id for mine in got.values() for post_id in mine]
    assert sorted(every) == ids  # each post claimed exactly once


@pytest.mark.postgres
def test_postgres_claimers_skip_rows_an_analysis_holds(pg_url: str) -> None:
    from storage.db import make_engine, make_sessionmaker
    from storage.models import Base

    engine = make_engine(pg_url)
    Base.metadata.create_all(engine)
    sessions = make_sessionmaker(engine)
    try:
        ids = add_posts(sessions, 3)
        assert claim(sessions, T0, "a", limit=1) == ids[:1]
        with transaction(sessions) as s:
            # a's analysis reads its post FOR UPDATE; b's lease-expired takeover skips it
            # rather than waiting, and takes the others
            locked = s.scalars(select(models.Post).where(held("a", ids)).with_for_update())
            assert [p.id for p in locked] == ids[:1]
            assert claim(sessions, T0 + timedelta(minutes=5), "b") == ids[1:]
            assert finish(s, ids, "a", T0) == 1
        assert claim(sessions, T0 + timedelta(minutes=10), "b") == ids[1:]
    finally:
        engine.dispose()


def test_the_only_analyser_releases_claims_a_dead_process_left(
    sessions: sessionmaker[Session],
) -> None:
    ids = add_posts(sessions, 3)
    done = add_posts(sessions, 1, tag="done", analyzed_at=T0)
    assert claim(sessions, T0, "dead", limit=2) == ids[:2]
    with transaction(sessions) as s:
        assert release_all(s) == 2
    # a new owner takes them at once, without waiting for the lease
    assert claim(sessions, T0 + timedelta(seconds=1), "new") == ids
    with sessions() as s:
        assert s.get(models.Post, done[0]).claimed_by is None  # type: ignore[union-attr]
