"""The application factory."""

from __future__ import annotations

import html
import logging
import re
import threading
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from anyio import to_thread
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.datastructures import QueryParams
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.settings import Settings
from response_sla.configured import SlaSetup, from_settings
from response_sla.directory import Directory
from yuqing.metrics import CONTENT_TYPE, Access, Metrics
from yuqing.search_index import backfill, ensure_search_index
from yuqing.templating import html_environment
from yuqing.web import routes_auth, routes_duty, routes_reports, routes_unit
from yuqing.web.common import LoginRequired, WebState, login_redirect, render
from yuqing.web.queue import RowCache
from yuqing.web.security import LoginLimiter, resolve_secret_key

log = logging.getLogger(__name__)
HERE = Path(__file__).resolve().parent
SESSION_COOKIE = "yuqing_session"
SESSION_MAX_AGE = 12 * 3600  # one working day plus a night shift

# No inline script or style anywhere: a payload that slips past escaping still cannot run.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
    "form-action 'self'"
)
SECURITY_HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    # signed links carry their token in the path: never leak it to a site a post links to
    (b"referrer-policy", b"no-referrer"),
]


class SecurityHeaders:
    """The security headers on every answer — an error page too: an exception nothing else
    handled becomes a plain 500 page with the same headers, not a reset connection."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception:
            log.exception("unhandled error on %s", scope.get("path"))
            if started:
                raise
            page = HTMLResponse(
                "<!doctype html><meta charset=utf-8><title>500</title>"
                "<p>服务器内部错误，请稍后重试。</p>",
                status_code=500,
            )
            await page(scope, receive, send_with_headers)


# Query parameters the pages read, and what each may hold: anything else in them is a 400
# with the usual headers, never a 500 further in.
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
EARLIEST_DAY = date(2000, 1, 1)
LATEST_DAY = date(2100, 12, 31)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def query_problem(params: QueryParams) -> str | None:
    """Why a query string cannot be served; None when it can."""
    for name, value in params.multi_items():
        if _CONTROL.search(name) or _CONTROL.search(value):
            return "查询参数含有无效字符"
        if len(value) > 2000:
            return "查询参数过长"
    for name in ("from", "to"):
        value = params.get(name, "").strip()
        if not value:
            continue
        try:
            day = date.fromisoformat(value) if _DAY.match(value) else None
        except ValueError:
            day = None
        if day is None:
            return f"日期参数 {name} 应为 YYYY-MM-DD 格式"
        if not EARLIEST_DAY <= day <= LATEST_DAY:
            return f"日期参数 {name} 超出范围（{EARLIEST_DAY}—{LATEST_DAY}）"
    for name, top in (("page", 10_000), ("weeks", 520)):
        value = params.get(name, "").strip()
        if value and (not value.isascii() or not value.isdigit() or not 1 <= int(value) <= top):
            return f"参数 {name} 应为 1—{top} 的整数"
    return None


class QueryGuard:
    """Refuses a malformed or extreme query string with a 400 page before any route runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("query_string"):
            try:
                params = QueryParams(scope["query_string"].decode("latin-1"))
                problem = query_problem(params)
            except (UnicodeError, ValueError):
                problem = "查询参数无效"
            if problem:
                page = HTMLResponse(
                    "<!doctype html><meta charset=utf-8><title>400</title>"
                    f"<p>请求有误：{html.escape(problem)}</p><p><a href=\"/\">返回首页</a></p>",
                    status_code=400,
                )
                await page(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _backfill(sessions: sessionmaker[Session]) -> None:
    try:
        with sessions.begin() as session:
            done = backfill(session)
        if done:
            log.info("search index: %d posts indexed", done)
    except Exception:  # noqa: BLE001 - search still works for posts indexed as they come
        log.exception("search index backfill failed")


class RequestTimer:
    """Request durations by route template (``/events/{event_id}``, never the raw path, so
    the label set stays bounded)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = _route_of(scope)  # before the router rewrites the scope
        started = time.perf_counter()
        try:
            await self.app(scope, receive, send)
        finally:
            self.metrics.http_seconds.labels(route, scope["method"]).observe(
                time.perf_counter() - started)


def _route_of(scope: Scope) -> str:
    app = scope.get("app")
    for route in getattr(app, "routes", ()):
        match, _ = route.matches(scope)
        if match is Match.FULL:
            # /events/{event_id:int} -> /events/{event_id}
            return re.sub(r":\w+}", "}", str(getattr(route, "path", ""))) or "other"
    return "other"


def _metrics_route(metrics: Metrics, access: Access) -> Route:
    async def endpoint(request: Request) -> Response:
        if not access.enabled:
            return Response("not found", status_code=404)
        host = request.client.host if request.client else None
        if not access.allows(host, request.headers.get("authorization")):
            return Response("forbidden", status_code=403)
        body = await to_thread.run_sync(metrics.render)
        return Response(body, media_type=CONTENT_TYPE)

    return Route("/metrics", endpoint)


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return render(
        request,
        "error.html",
        {"status": exc.status_code, "message": exc.detail},
        status_code=exc.status_code,
    )


async def _login_required(request: Request, exc: Exception) -> Response:
    if request.method != "GET" or request.url.path.startswith("/queue/rows"):
        return Response("login required", status_code=401)
    return login_redirect(request)


def create_app(
    settings: Settings,
    sessions: sessionmaker[Session],
    *,
    clock: Callable[[], datetime] | None = None,
    limiter: LoginLimiter | None = None,
    worker_threads: int = 4,
    sla: SlaSetup | None = None,
    metrics: Metrics | None = None,
) -> Starlette:
    """The dashboard as an ASGI app. ``clock`` is injectable so tests can move time.

    The SLA policy, holiday calendar and office close are read from the settings once, here
    (``sla`` overrides them); a policy or calendar file that cannot be used stops start-up
    with ``SlaConfigError`` naming every problem."""
    tz = ZoneInfo(settings.timezone)
    secret = resolve_secret_key(settings)
    setup = sla or from_settings(settings)
    env = html_environment()
    web = WebState(
        settings=settings,
        sessions=sessions,
        env=env,
        tz=tz,
        clock=clock or (lambda: datetime.now(UTC)),
        limiter=limiter
        or LoginLimiter(
            settings.web.login_failures_per_account,
            per_address=settings.web.login_failures_per_address,
        ),
        secret_key=secret,
        sla=setup,
        rows=RowCache(env),
        directory=Directory.from_jurisdiction(settings.jurisdiction),
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        # Pages do their database work in worker threads. Many more threads than cores only
        # fight over the interpreter lock and the connection pool; a few keep latency even.
        to_thread.current_default_thread_limiter().total_tokens = worker_threads
        bind: Any = sessions.kw.get("bind")
        if isinstance(bind, Engine):
            try:
                ensure_search_index(bind)
            except Exception:  # noqa: BLE001 - serve anyway: /healthz reports the database
                log.exception("could not prepare the search index; retried on first search")
            else:
                # posts stored before an upgrade get their search entries (and the masked
                # text leaders search) in the background, without holding up start-up
                threading.Thread(target=_backfill, args=(sessions,), daemon=True).start()
        yield

    metrics = metrics or Metrics(sessions)
    routes = [
        _metrics_route(metrics, Access(settings.metrics)),
        *routes_auth.routes(),
        *routes_duty.routes(),
        *routes_unit.routes(),
        *routes_reports.routes(),
        Mount("/static", StaticFiles(directory=HERE / "static"), name="static"),
    ]
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestTimer, metrics=metrics),
            Middleware(SecurityHeaders),
            Middleware(QueryGuard),
            Middleware(
                SessionMiddleware,
                secret_key=secret,
                session_cookie=SESSION_COOKIE,
                max_age=SESSION_MAX_AGE,
                same_site="lax",
                https_only=settings.web.base_url.startswith("https://"),
            ),
        ],
        exception_handlers={HTTPException: _http_error, LoginRequired: _login_required},
        lifespan=lifespan,
    )
    app.state.web = web
    app.state.metrics = metrics
    return app
