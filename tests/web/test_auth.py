"""Accounts, sessions, CSRF on login, throttling, security headers."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from storage import models
from tests.web import factories as f
from tests.web.conftest import Clock, csrf_of, login
from yuqing.web.security import hash_password, safe_next, verify_password


def _try(client: TestClient, username: str, password: str) -> int:
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )
    return int(r.status_code)


def test_pages_need_login(client: TestClient) -> None:
    r = client.get("/events/1?x=1")
    assert r.status_code == 303
    assert r.headers["location"] == "/login?next=%2Fevents%2F1%3Fx%3D1"
    assert client.get("/queue/rows").status_code == 401
    assert client.post("/events/1/note", data={}).status_code in (401, 403)


def test_login_sets_a_hardened_cookie_and_redirects_by_role(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login", data={"username": "duty1", "password": f.PASSWORD, "csrf_token": token}
    )
    assert r.status_code == 303 and r.headers["location"] == "/"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "yuqing_session=" in cookie
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={"username": "jyj_user", "password": f.PASSWORD, "csrf_token": token, "next": "/"},
    )
    assert r.headers["location"] == "/unit"


def test_login_needs_csrf(client: TestClient) -> None:
    client.get("/login")
    r = client.post("/login", data={"username": "duty1", "password": f.PASSWORD})
    assert r.status_code == 403


def test_next_is_never_an_open_redirect(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    r = client.post(
        "/login",
        data={
            "username": "duty1",
            "password": f.PASSWORD,
            "csrf_token": token,
            "next": "//evil.example/x",
        },
    )
    assert r.headers["location"] == "/"
    assert safe_next("https://evil.example") == "/"
    assert safe_next("/\\evil.example") == "/"
    assert safe_next("/events/3") == "/events/3"


def test_rate_limit_per_username_and_ip(
    client: TestClient, clock: Clock, db: sessionmaker[Session]
) -> None:
    for _ in range(5):
        assert _try(client, "duty1", "wrong password") == 401
    # the right password is refused while blocked
    assert _try(client, "duty1", f.PASSWORD) == 429
    # another account from the same address is not locked out
    assert _try(client, "leader1", f.PASSWORD) == 303
    clock.advance(timedelta(minutes=15, seconds=1))
    assert _try(client, "duty1", f.PASSWORD) == 303
    with db() as s:
        failed = s.scalars(
            select(models.AuditLog).where(models.AuditLog.action == "login_failed")
        ).all()
        assert len(failed) == 5 and all(a.ip for a in failed)


def test_unknown_user_and_wrong_password_look_the_same(client: TestClient) -> None:
    token = csrf_of(client.get("/login").text)
    a = client.post(
        "/login", data={"username": "nobody", "password": "x" * 10, "csrf_token": token}
    )
    b = client.post("/login", data={"username": "duty1", "password": "x" * 10, "csrf_token": token})
    assert a.status_code == b.status_code == 401
    assert "用户名或密码错误" in a.text and "用户名或密码错误" in b.text


def test_password_change_or_disable_ends_sessions(
    client: TestClient, db: sessionmaker[Session]
) -> None:
    login(client, "duty1")
    assert client.get("/").status_code == 200
    with db.begin() as s:
        u = s.scalars(select(models.User).where(models.User.username == "duty1")).one()
        u.password_hash = hash_password("a new password")
    assert client.get("/").status_code == 303
    login(client, "duty1", "a new password")
    with db.begin() as s:
        u = s.scalars(select(models.User).where(models.User.username == "duty1")).one()
        u.active = False
    assert client.get("/").status_code == 303


def test_logout(client: TestClient) -> None:
    token = login(client, "duty1")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 303
    assert client.get("/").status_code == 303


def test_passwords_are_argon2() -> None:
    h = hash_password("s3cret-pass")
    assert h.startswith("$argon2id$")
    assert verify_password(h, "s3cret-pass") and not verify_password(h, "other")
    assert not verify_password(None, "not-a-real-password")
    assert not verify_password("garbage", "x")


def test_security_headers(client: TestClient) -> None:
    r = client.get("/login")
    csp = r.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["cache-control"] == "no-store"


def test_assets_are_local(client: TestClient, db: sessionmaker[Session]) -> None:
    """Intranets have no internet: no script, style or font from another host."""
    import re
    from pathlib import Path

    login(client, "duty1")
    html = client.get("/").text
    assert not re.search(r'(?:src|href)="(?:https?:)?//', html)
    static = Path(__file__).resolve().parents[2] / "yuqing" / "web" / "static"
    for asset in static.iterdir():
        text = asset.read_text(encoding="utf-8")
        assert not re.search(r"url\(\s*['\"]?(?:https?:)?//|@import", text), asset.name
        assert client.get(f"/static/{asset.name}").status_code == 200
