"""The application factory."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from anyio import to_thread
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.settings import Settings
from response_sla.configured import SlaSetup, from_settings
from response_sla.directory import Directory
from yuqing.metrics import CONTENT_TYPE, Access, Metrics
from yuqing.search_index import ensure_search_index
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
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                headers += [(k, v) for k, v in SECURITY_HEADERS if k not in names]
                if not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)


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
        limiter=limiter or LoginLimiter(),
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
