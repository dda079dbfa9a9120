"""The demo's timeline played into a database in-process: the same posts on the same boards at
the same offsets, analysed, ticked and answered as ``yuqing demo`` does, without crawling.

Screens, emails and digests of this data are what a new user sees first, so the tests that
read them as a person would (no field names, ids or enum values) run over it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from domain.settings import Settings, load_settings
from response_sla.configured import run_tick
from storage import models
from storage.db import make_engine, make_sessionmaker, transaction
from storage.models import Base
from tests.conftest import SAMPLE_CONFIG
from yuqing.analysis import Analyzer, analyze_pending
from yuqing.bootstrap import sync_directory
from yuqing.demo.accounts import ensure_demo_accounts
from yuqing.demo.scenario import SCENARIO, ScenarioPost

SOURCES = {
    "people": "people-liuyan",
    "gov": "qxg-12345",
    "discuz": "bijie-forum",
    "tieba": "tieba-qxg",
}
SEEN_AFTER = timedelta(minutes=1)  # a crawl finds a post about a minute after it appears


@dataclass(frozen=True)
class Demo:
    t0: datetime  # when the replay site "started"
    end: datetime  # the moment the timeline has been played to
    posts: dict[str, int]  # scenario key -> post id


def _add(session: Session, p: ScenarioPost, published: datetime) -> int:
    post = models.Post(
        source_id=SOURCES[p.board],
        external_id=p.key,
        url=f"http://127.0.0.1:8765/{p.board}/{p.key}",
        title=p.title,
        content=p.content,
        author=p.author,
        published_at=published,
        first_seen_at=published + SEEN_AFTER,
        last_seen_at=published + SEEN_AFTER,
        content_hash=hashlib.sha256(p.content.encode()).hexdigest(),
        board_type=p.kind,
        board_domain=p.domain,
        replies=p.replies,
        likes=p.likes,
    )
    session.add(post)
    session.flush()
    return post.id


def play(settings: Settings, sessions: sessionmaker[Session], t0: datetime,
         until_s: int = 600) -> Demo:
    """Every scripted post (backlog included) and every official reply up to ``until_s``
    seconds after ``t0``, each analysed and the clocks ticked as it is seen."""
    with transaction(sessions) as session:
        sync_directory(session, settings)
    analyzer = Analyzer.build(settings, sessions, t0)
    steps: list[tuple[int, str, ScenarioPost]] = []
    for p in SCENARIO:
        steps.append((p.offset_s, "post", p))
        if p.reply is not None and p.reply.offset_s <= until_s:
            steps.append((p.reply.offset_s, "reply", p))
    ids: dict[str, int] = {}
    for offset, what, p in sorted(steps, key=lambda s: (s[0], s[1])):
        at = t0 + timedelta(seconds=offset)
        with transaction(sessions) as session:
            if what == "post":
                ids[p.key] = _add(session, p, at)
            else:
                assert p.reply is not None
                session.execute(
                    update(models.Post)
                    .where(models.Post.id == ids[p.key])
                    .values(reply_content=p.reply.content, reply_org=p.reply.org,
                            reply_at=at, analyzed_at=None, last_seen_at=at + SEEN_AFTER)
                )
        seen = at + SEEN_AFTER
        analyze_pending(analyzer, sessions, seen)
        run_tick(settings, sessions, seen)
    end = t0 + timedelta(seconds=until_s)
    run_tick(settings, sessions, end)
    return Demo(t0, end, ids)


def event_of(sessions: sessionmaker[Session], post_id: int) -> models.Event:
    with sessions() as session:
        event = session.scalars(
            select(models.Event).join(models.Post, models.Post.event_id == models.Event.id)
            .where(models.Post.id == post_id)
        ).one()
        session.expunge(event)
        return event


@dataclass
class Played:
    settings: Settings
    sessions: sessionmaker[Session]
    demo: Demo
    now: datetime
    engine: Engine


def played(root: Path) -> Played:
    """The demo's first ten minutes in a new SQLite database under ``root``, with the demo's
    accounts; ``now`` is just after them (near the real time: signed links carry it)."""
    settings = load_settings(SAMPLE_CONFIG, environ={"YUQING_VAR_DIR": str(root / "var")})
    settings = settings.model_copy(
        update={"web": settings.web.model_copy(update={"secret_key": "test-secret-key-0123456789"})}
    )
    engine = make_engine(f"sqlite:///{root / 'demo.db'}")
    Base.metadata.create_all(engine)
    sessions = make_sessionmaker(engine)
    now = datetime.now(UTC).replace(microsecond=0)
    demo = play(settings, sessions, now - timedelta(minutes=10))
    with transaction(sessions) as s:
        ensure_demo_accounts(s, now)
    return Played(settings, sessions, demo, now, engine)
