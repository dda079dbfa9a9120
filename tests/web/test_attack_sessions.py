"""Attacks on dashboard sessions and logins: a replayed cookie after logout, sessions that time
out, a disabled account or reset password ending sessions at once, parallel password guessing,
username spraying, forged proxy headers, and the announcement of a locked account."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from domain.settings import Settings
from storage import models
from storage.enums import OutboxKind
from tests.web import factories as f
from tests.web.conftest import Clock, LiveServer, csrf_of, login
from yuqing.web import create_app
from yuqing.web.security import (
    LoginLimiter,
    client_address,
    password_problem,
    revoke_user_sessions,
)


def _event(db: sessionmaker[Session], clock: Clock) -> int:
    with db.begin() as s:
        return f.event(s, started_at=clock.now - timedelta(hours=1)).id


def _notes(db: sessionmaker[Session], event_id: int) -> int:
    with db() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(models.EventLog)
                .where(models.EventLog.event_id == event_id, models.EventLog.action == "note")
            )
            or 0
        )


def _failed_logins(db: sessionmaker[Session]) -> int:
    with db() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(models.AuditLog)
                .where(models.AuditLog.action == "login_failed")
            )
            or 0
        )


def _try(client: TestClient, username: str, password: str) -> int:
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"username": username, "password": password, "csrf_token": token})
    return r.status_code


# ---------------------------------------------------------------- sessions that end


def test_a_cookie_replayed_after_logout_opens_nothing(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    event_id = _event(db, clock)
    token = login(client, "duty1")
    saved = dict(client.cookies)
    assert client.get("/").status_code == 200
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303

    # the attacker replays the cookie saved before logout, with its CSRF token
    client.cookies.clear()
    for name, value in saved.items():
        client.cookies.set(name, value)
    assert client.get("/").status_code == 303
    r = client.post(f"/events/{event_id}/note", data={"csrf_token": token, "text": "replayed"})
    assert r.status_code in (303, 401)
    assert _notes(db, event_id) == 0
    with db() as s:
        row = s.scalars(select(models.LoginSession)).one()
        assert row.revoked_at is not None and row.revoked_reason == "logout"


def test_sessions_time_out_when_idle_and_after_the_longest_day(
    client: TestClient, clock: Clock, web_settings: Settings
) -> None:
    idle = timedelta(minutes=web_settings.web.session_idle_minutes)
    login(client, "duty1")
    clock.advance(idle - timedelta(minutes=1))
    assert client.get("/").status_code == 200  # seen: the idle time starts again
    clock.advance(idle + timedelta(minutes=1))
    assert client.get("/").status_code == 303

    login(client, "duty1")
    # busy all day: a page every hour keeps it from idling, but not past the absolute limit
    for _ in range(web_settings.web.session_max_hours - 1):
        clock.advance(timedelta(hours=1))
        assert client.get("/").status_code == 200
    clock.advance(timedelta(hours=1, minutes=1))
    assert client.get("/").status_code == 303


def test_disabling_an_account_ends_its_sessions_at_once(
    client: TestClient, db: sessionmaker[Session], clock: Clock
) -> None:
    login(client, "duty1")
    assert client.get("/").status_code == 200
    with db.begin() as s:
        user = s.scalars(select(models.User).where(models.User.username == "duty1")).one()
        assert revoke_user_sessions(s, user.id, clock.now, "disabled") == 1
    assert client.get("/").status_code == 303


# ---------------------------------------------------------------- passwords


@pytest.mark.parametrize(
    "weak", ["password", "12345678", "aaaaaaaa", "zzzzzzzzzzzzzzzz", "duty1duty1", "Password1"]
)
def test_weak_passwords_are_refused(weak: str) -> None:
    assert password_problem(weak, "duty1", 3) is not None


def test_a_strong_password_is_accepted() -> None:
    assert password_problem(f.PASSWORD, "duty1", 3) is None


# ---------------------------------------------------------------- throttling


def test_forty_parallel_wrong_passwords_get_at_most_five_guesses(
    live_server: LiveServer,
) -> None:
    """Each attacker thread has its own cookie and CSRF token and sends at the same moment."""
    clients = [httpx.Client(base_url=live_server.url, timeout=60) for _ in range(40)]
    tokens = [csrf_of(c.get("/login").text) for c in clients]
    start = threading.Barrier(len(clients))
    statuses: list[int] = []
    lock = threading.Lock()

    def guess(i: int) -> None:
        start.wait()
        r = clients[i].post(
            "/login",
            data={"username": "duty1", "password": f"guess number {i}", "csrf_token": tokens[i]},
        )
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=guess, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    for c in clients:
        c.close()
    assert len(statuses) == 40
    assert statuses.count(401) <= 5, statuses
    assert statuses.count(401) + statuses.count(429) == 40
    assert _failed_logins(live_server.sessions) <= 5


def test_spraying_usernames_from_one_address_is_stopped_but_colleagues_still_sign_in(
    db: sessionmaker[Session], web_settings: Settings, clock: Clock
) -> None:
    app = create_app(web_settings, db, clock=clock, limiter=LoginLimiter(per_address=20))
    with TestClient(app, follow_redirects=False) as colleague:
        # a colleague signed in from this (shared) address earlier today
        login(colleague, "leader1")
    with TestClient(app, follow_redirects=False) as attacker:
        codes = [_try(attacker, f"name{i}", "Winter2026!") for i in range(30)]
        assert codes[:20] == [401] * 20
        assert set(codes[20:]) == {429}
        # the address is refused for accounts never used from it ...
        assert _try(attacker, "duty1", f.PASSWORD) == 429
        # ... and not for the colleague who works there
        assert _try(attacker, "leader1", f.PASSWORD) == 303
    assert _failed_logins(db) == 20


def test_guessing_one_account_from_many_addresses_is_stopped_but_its_owner_signs_in() -> None:
    limiter = LoginLimiter(max_failures=5, per_address=20)
    now = datetime(2026, 12, 1, 2, 0, tzinfo=UTC)
    for i in range(20):  # four wrong passwords from each of five machines
        slot = limiter.begin("duty1", f"198.51.100.{i // 4}", now)
        assert slot is not None
        limiter.finish(slot, False, now)
    assert limiter.begin("duty1", "198.51.100.99", now) is None  # a new machine: refused
    owner = limiter.begin("duty1", "192.0.2.10", now, known=True)  # her own desk
    assert owner is not None
    limiter.finish(owner, True, now)
    assert limiter.begin("leader1", "198.51.100.99", now) is not None  # other accounts: fine
    later = now + limiter.window
    assert limiter.begin("duty1", "198.51.100.99", later) is not None


def test_forged_forwarded_for_is_ignored_unless_the_proxy_is_trusted() -> None:
    # a direct client cannot choose its address with a header
    assert client_address("203.0.113.9", "10.9.9.9", []) == "203.0.113.9"
    assert client_address("203.0.113.9", "10.9.9.9", ["127.0.0.1"]) == "203.0.113.9"
    # behind the trusted proxy, the address the proxy saw; what the client prepended is ignored
    assert client_address("127.0.0.1", "1.2.3.4, 198.51.100.7", ["127.0.0.1"]) == "198.51.100.7"
    assert client_address("10.0.0.2", "198.51.100.7, 10.0.0.1", ["10.0.0.0/24"]) == "198.51.100.7"
    assert client_address("127.0.0.1", "not-an-address", ["127.0.0.1"]) == "127.0.0.1"


def test_behind_a_trusted_proxy_one_attacker_does_not_lock_out_the_office(
    db: sessionmaker[Session], web_settings: Settings, clock: Clock
) -> None:
    """Everyone reaches the dashboard through one reverse proxy (127.0.0.1), which is trusted:
    the limiter sees each client's own address, so five wrong passwords from one desk do not
    shut the account's owner out at hers."""
    settings = web_settings.model_copy(
        update={"web": web_settings.web.model_copy(update={"trusted_proxies": ["127.0.0.1"]})}
    )
    app = create_app(settings, db, clock=clock, limiter=LoginLimiter())
    with TestClient(app, follow_redirects=False, client=("127.0.0.1", 50000)) as c:
        attacker = {"X-Forwarded-For": "198.51.100.66"}
        for _ in range(5):
            token = csrf_of(c.get("/login").text)
            r = c.post("/login", headers=attacker,
                       data={"username": "duty1", "password": "wrong one", "csrf_token": token})
            assert r.status_code == 401
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", headers=attacker,
                   data={"username": "duty1", "password": f.PASSWORD, "csrf_token": token})
        assert r.status_code == 429
        # the account's owner, at her own desk behind the same proxy, signs in
        token = csrf_of(c.get("/login").text)
        r = c.post("/login", headers={"X-Forwarded-For": "198.51.100.10"},
                   data={"username": "duty1", "password": f.PASSWORD, "csrf_token": token})
        assert r.status_code == 303


def test_a_locked_account_is_announced_to_the_duty_contacts(
    client: TestClient, db: sessionmaker[Session]
) -> None:
    for _ in range(5):
        assert _try(client, "duty1", "wrong password") == 401
    assert _try(client, "duty1", "wrong password") == 429
    assert _try(client, "nobody", "wrong password") == 401
    with db() as s:
        rows = s.scalars(
            select(models.Outbox).where(models.Outbox.kind == OutboxKind.ACCOUNT_LOCKED.value)
        ).all()
    assert len(rows) == 1
    assert rows[0].payload["username"] == "duty1" and rows[0].payload["failures"] == 5


def test_the_announcement_renders(db: sessionmaker[Session], web_settings: Settings) -> None:
    from yuqing.notify.compose import compose

    now = datetime.now(UTC)
    with db.begin() as s:
        row = models.Outbox(
            created_at=now, kind=OutboxKind.ACCOUNT_LOCKED.value, dedupe_key="locked:test",
            payload={"username": "duty1", "display_name": "值班员一", "ip": "198.51.100.66",
                     "failures": 5, "minutes": 15},
        )
        s.add(row)
        s.flush()
        notice = compose(web_settings, s, row, now)
    assert "duty1" in notice.subject and "198.51.100.66" in notice.text
    assert notice.to and all("duty" in m.address for m in notice.to)
