"""Claiming posts for analysis, so that several processes analyse each post once.

A claim is a lease: ``claimed_by`` names the analysis run that took the post and
``claimed_at`` when. Until ``claimed_at + lease`` has passed no other owner takes the post;
after that the owner is taken to be dead and the post can be claimed again. An owner may
always take back its own claims: within one process the analysis runs one at a time, so a
claim of its own that is still standing is one a failed run left behind.

A takeover never makes a post analysed twice, however short the lease: the analysis
commits its work only through ``finish``, which marks the post analysed on condition that
the claim is still the owner's, in the same transaction as the rest of its work. A lease
that ran out under a slow run costs that run its work, not the post its uniqueness.

On PostgreSQL the candidates are read with ``FOR UPDATE SKIP LOCKED``, so two claimers
never wait on each other and never take the same row, and a row an analysis transaction
holds (it reads its posts ``FOR UPDATE``) is skipped rather than taken over. SQLite has no
row locks: there every row is taken by a compare-and-set UPDATE whose rowcount says
whether it was ours.
"""

from __future__ import annotations

import os
import secrets
import socket
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, and_, func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from storage.db import transaction
from storage.models import Post

# A claim outlives the step that made it only if its process died, or if a batch failed and
# its posts wait to be retried one by one. Taking over early is harmless (see above), so the
# lease is short: it bounds how long the posts of a dead process wait.
LEASE = timedelta(seconds=30)


def process_owner() -> str:
    """An owner id for this process: readable (host and pid) and unique across restarts."""
    return f"{socket.gethostname()[:80]}:{os.getpid()}:{secrets.token_hex(4)}"


def _claimable(now: datetime, lease: timedelta, owner: str) -> ColumnElement[bool]:
    return and_(
        Post.analyzed_at.is_(None),
        or_(Post.claimed_by.is_(None), Post.claimed_by == owner,
            Post.claimed_at.is_(None), Post.claimed_at < now - lease),
    )


def claim_posts(
    sessions: sessionmaker[Session], now: datetime, *, lease: timedelta, owner: str,
    limit: int,
) -> list[int]:
    """Claim up to ``limit`` posts that wait for analysis, oldest first, for ``owner``;
    commits the claim and returns the claimed ids in ascending order."""
    with transaction(sessions) as session:
        candidates = (
            select(Post.id).where(_claimable(now, lease, owner)).order_by(Post.id).limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            ids = list(session.scalars(candidates.with_for_update(skip_locked=True)))
            if ids:
                session.execute(
                    update(Post).where(Post.id.in_(ids))
                    .values(claimed_by=owner, claimed_at=now)
                    .execution_options(synchronize_session=False)
                )
            return ids
        claimed = []
        for post_id in session.scalars(candidates).all():
            # the condition is read again by the UPDATE: another claimer may have been first
            result = cast(CursorResult[Any], session.execute(
                update(Post).where(Post.id == post_id, _claimable(now, lease, owner))
                .values(claimed_by=owner, claimed_at=now)
                .execution_options(synchronize_session=False)
            ))
            if result.rowcount == 1:
                claimed.append(post_id)
        return claimed


def held(owner: str, ids: Sequence[int]) -> ColumnElement[bool]:
    """Posts among ``ids`` still waiting for analysis under ``owner``'s claim."""
    return and_(Post.id.in_(list(ids)), Post.analyzed_at.is_(None), Post.claimed_by == owner)


def finish(session: Session, ids: Sequence[int], owner: str, now: datetime) -> int:
    """Mark the posts analysed and clear their claim, where the claim is still ``owner``'s;
    returns how many were. Call it in the transaction that writes the analysis."""
    if not ids:
        return 0
    result = cast(CursorResult[Any], session.execute(
        update(Post).where(held(owner, ids))
        .values(analyzed_at=now, claimed_at=None, claimed_by=None)
    ))
    return int(result.rowcount)


class ClaimLost(RuntimeError):
    """Another owner took over posts of this run (its lease ran out): the run's work on them
    is rolled back, since the new owner analyses them."""

    def __init__(self, owner: str, ids: Sequence[int]) -> None:
        super().__init__(f"claims of {owner} on posts {list(ids)} were taken over")
        self.ids = list(ids)


# one key for the matching of posts to events; a stable number any process computes alike
MATCHING_LOCK = int.from_bytes(b"yq:match", "big", signed=True)


def lock_matching(session: Session) -> None:
    """Match posts to events one process at a time, until this transaction ends. Two
    processes analysing two posts of one incident at once would each find no event and open
    one; with the lock, the second reads the first's committed event and joins it. SQLite
    needs none: its writers already take turns and only one service runs on it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(MATCHING_LOCK)))


def release_all(session: Session) -> int:
    """Drop every claim on posts still waiting; returns how many. Only for a process that is
    the database's only analyser (the SQLite service, which holds the database's lock file):
    a claim it finds at start-up was left by a process that died, and need not wait out its
    lease."""
    result = cast(CursorResult[Any], session.execute(
        update(Post).where(Post.analyzed_at.is_(None), Post.claimed_by.is_not(None))
        .values(claimed_at=None, claimed_by=None)
    ))
    return int(result.rowcount)
