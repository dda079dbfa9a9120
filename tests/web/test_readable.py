"""Every page, email and digest of the demo reads as Chinese for the people it is for: no field
names, enum values, ids where a name belongs, or English words (``tests/web/readable.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from domain.settings import Settings, load_settings
from storage import models
from storage.db import make_engine, make_sessionmaker, transaction
from storage.enums import Role
from storage.models import Base
from tests.conftest import SAMPLE_CONFIG
from tests.web.conftest import Clock, login
from tests.web.demo_data import Demo, play
from tests.web.readable import context, leaks, visible_text
from yuqing.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from yuqing.digest.render import build_digest_email
from yuqing.digest.weeks import week_containing
from yuqing.notify.compose import compose
from yuqing.web import create_app
from yuqing.web.security import LoginLimiter


@dataclass
class Played:
    settings: Settings
    sessions: sessionmaker[Session]
    demo: Demo
    clock: Clock


@pytest.fixture(scope="module")
def played(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Played]:
    """The demo's first ten minutes, played once for the module, the clock just after."""
    root = tmp_path_factory.mktemp("demo")
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
    yield Played(settings, sessions, demo, Clock(now))
    engine.dispose()


@pytest.fixture
def demo_client(played: Played) -> Iterator[TestClient]:
    app = create_app(played.settings, played.sessions, clock=played.clock, limiter=LoginLimiter())
    with TestClient(app, follow_redirects=False) as c:
        yield c


def _check(where: str, text: str, problems: list[str]) -> None:
    for leak in leaks(text):
        problems.append(f"{where}: {leak} … {context(text, leak)}")


def _pages(client: TestClient, user: str, paths: list[str], problems: list[str]) -> int:
    client.cookies.clear()
    login(client, user, DEMO_PASSWORD)
    for path in paths:
        r = client.get(path)
        assert r.status_code == 200, (user, path, r.status_code)
        _check(f"{user} {path}", visible_text(r.text), problems)
    return len(paths)


def test_every_page_of_the_demo_reads_as_chinese(played: Played, demo_client: TestClient) -> None:
    with played.sessions() as s:
        events = list(s.scalars(select(models.Event.id)))
        units = {
            u.username: (u.unit_id, list(
                s.scalars(
                    select(models.Assignment.event_id).where(
                        models.Assignment.unit_id == u.unit_id
                    )
                )
            ))
            for u in s.scalars(select(models.User).where(models.User.role == Role.UNIT))
        }
    assert len(events) >= 10 and units
    problems: list[str] = []
    shown = _pages(
        demo_client,
        "duty",
        ["/", "/queue/rows", "/scoreboard", "/sources", *(f"/events/{e}" for e in events)],
        problems,
    )
    shown += _pages(demo_client, "leader", ["/", "/scoreboard", f"/events/{events[0]}"], problems)
    shown += _pages(demo_client, "admin", ["/", "/sources"], problems)
    for username, (_unit, cases) in units.items():
        shown += _pages(
            demo_client, username, ["/unit", *(f"/unit/events/{e}" for e in cases)], problems
        )
    assert shown > 20
    assert not problems, "\n".join(problems)


def test_every_email_of_the_demo_reads_as_chinese(played: Played) -> None:
    problems: list[str] = []
    kinds: set[str] = set()
    with played.sessions() as s:
        rows = list(s.scalars(select(models.Outbox)))
        for row in rows:
            notice = compose(played.settings, s, row, played.clock.now)
            kinds.add(row.kind)
            _check(f"{row.kind} {row.id} subject", notice.subject, problems)
            _check(f"{row.kind} {row.id} text", notice.text, problems)
            _check(f"{row.kind} {row.id} html", visible_text(notice.html), problems)
    assert {"assignment", "new_major_event"} <= kinds, kinds
    assert not problems, "\n".join(problems)


def test_the_digest_of_the_demo_week_reads_as_chinese(played: Played) -> None:
    problems: list[str] = []
    week = week_containing(played.clock.now, ZoneInfo(played.settings.timezone))
    with played.sessions() as s:
        mail = build_digest_email(played.settings, s, week.label, played.clock.now)
    assert "本周尚未结束" in mail.html
    _check("digest subject", mail.subject, problems)
    _check("digest html", visible_text(mail.html), problems)
    _check("digest text", mail.text, problems)
    assert not problems, "\n".join(problems)


def test_the_checker_finds_what_it_is_for() -> None:
    """The checks above would pass on an empty string: here they catch each kind of leak."""
    assert leaks("角色 lead") == ["enum value lead"]
    assert leaks("来源 bijie-forum")  # a source id is not a name
    assert any("field name" in x for x in leaks("post_id 10"))
    assert any("raw data" in x for x in leaks("{'kind': 'deaths'}"))
    assert any(x.startswith("id") for x in leaks("见帖子 10"))
    assert leaks("详见 http://127.0.0.1:8000/events/10 或 duty@qxg.example，附件 台账.xlsx") == []
    assert leaks("死亡（含失踪） 15 ≥ 10 → 重大") == []
