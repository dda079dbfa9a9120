"""Login and logout."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from storage import models
from storage.enums import OutboxKind, Role
from storage.outbox import notify
from yuqing.web.actions import Actor, audit
from yuqing.web.common import (
    WebState,
    checked_form,
    client_ip,
    form_str,
    load_user,
    render,
    see_other,
    state,
)
from yuqing.web.security import (
    SESSION_KEY,
    csrf_token,
    known_address,
    open_session,
    revoke_session,
    safe_next,
    session_marker,
    verify_password,
)


def routes() -> list[BaseRoute]:
    return [
        Route("/login", login_page, methods=["GET"]),
        Route("/login", login_submit, methods=["POST"]),
        Route("/logout", logout, methods=["POST"]),
    ]


def _home(role: Role) -> str:
    return "/unit" if role is Role.UNIT else "/"


def login_page(request: Request) -> Response:
    web = state(request)
    with web.sessions() as session:
        user = load_user(request, session)
    if user is not None:
        return see_other(_home(user.role))
    return render(
        request,
        "login.html",
        {"next": safe_next(request.query_params.get("next")), "error": None, "username": ""},
    )


async def login_submit(request: Request) -> Response:
    form = await checked_form(request)
    username = form_str(form, "username", 64).strip()
    password = form_str(form, "password", 1024)
    target = safe_next(form_str(form, "next", 500))
    web = state(request)
    ip = client_ip(request)
    now = web.clock()

    def attempt() -> tuple[str, models.User | None, str]:
        with web.sessions() as session:
            known = known_address(session, username, ip, now)
        slot = web.limiter.begin(username, ip, now, known=known)
        if slot is None:
            return "blocked", None, ""
        ok = False
        try:
            with web.sessions.begin() as session:
                user = session.scalar(select(models.User).where(models.User.username == username))
                ok = verify_password(user.password_hash if user else None, password)
                if not ok or user is None or not user.active:
                    ok = False
                    session.add(
                        models.AuditLog(
                            at=now,
                            actor=f"login:{username[:60]}",
                            action="login_failed",
                            target=f"user:{user.id if user else '-'}",
                            detail={},
                            ip=ip,
                        )
                    )
                    return "failed", user, ""
                user.last_login_at = now
                token = open_session(session, user.id, now, ip)
                actor = Actor(label=f"user:{user.id}", role=user.role, user_id=user.id, ip=ip)
                audit(session, actor, "login", f"user:{user.id}", {}, now)
                return "ok", user, token
        finally:
            locked = web.limiter.finish(slot, ok, now)
            if locked:
                announce_lockout(web, username, ip, now)

    outcome, user, token = await run_in_threadpool(attempt)
    if outcome != "ok" or user is None:
        blocked = outcome == "blocked"
        message = "登录失败次数过多，请15分钟后再试" if blocked else "用户名或密码错误"
        return render(
            request,
            "login.html",
            {"next": target, "error": message, "username": username},
            status_code=429 if blocked else 401,
        )
    request.session.clear()  # a fresh session: no fixation across the login
    request.session[SESSION_KEY] = token
    request.session["pw"] = session_marker(web.secret_key, user.password_hash)
    csrf_token(request.session)
    if target == "/" or (user.role is Role.UNIT and not target.startswith("/unit")):
        target = _home(user.role)
    return see_other(target)


async def logout(request: Request) -> Response:
    """Ends the session on the server: a copy of the cookie opens nothing afterwards."""
    await checked_form(request)
    web = state(request)
    token = request.session.get(SESSION_KEY)

    def revoke() -> None:
        with web.sessions.begin() as session:
            revoke_session(session, token, web.clock(), "logout")

    await run_in_threadpool(revoke)
    request.session.clear()
    return see_other("/login")


def announce_lockout(web: WebState, username: str, ip: str, now: datetime) -> None:
    """Tell the duty contacts that an account was blocked after repeated wrong passwords:
    once per account and address in a window, and only for accounts that exist."""
    with web.sessions.begin() as session:
        user = session.scalar(select(models.User).where(models.User.username == username))
        if user is None:
            return
        window = int(now.timestamp() // web.limiter.window.total_seconds())
        notify(
            session,
            OutboxKind.ACCOUNT_LOCKED,
            f"account_locked:{user.id}:{ip}:{window}",
            now,
            payload={
                "username": user.username,
                "display_name": user.display_name,
                "ip": ip,
                "failures": web.limiter.max_failures,
                "minutes": int(web.limiter.window.total_seconds() // 60),
            },
        )
        session.add(
            models.AuditLog(
                at=now, user_id=user.id, actor="system", action="account_locked",
                target=f"user:{user.id}", detail={"ip": ip}, ip=ip,
            )
        )
