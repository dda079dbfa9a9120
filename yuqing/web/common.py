"""Request plumbing shared by the route modules: the app's state, who is asking, rendering."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from jinja2 import Environment
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from domain.settings import Settings
from response_sla.configured import HORIZON, SlaSetup
from response_sla.directory import Directory
from storage import models
from storage.enums import Role
from yuqing.display import missing_holidays
from yuqing.web.actions import Actor
from yuqing.web.deadlines import PROVISIONAL_WARNING
from yuqing.web.queue import RowCache
from yuqing.web.security import (
    CSRF_FIELD,
    SESSION_KEY,
    LoginLimiter,
    client_address,
    csrf_ok,
    csrf_token,
    session_marker,
    token_id,
)

# last_seen_at is written at most this often: a page polled every few seconds does not write
# on each poll
SEEN_EVERY = timedelta(seconds=60)

TEMPLATES = "web"  # the dashboard's folder in the shared HTML environment (yuqing.templating)
STAFF = (Role.ADMIN, Role.DUTY)  # may act on any event and see raw posts
READERS = (Role.ADMIN, Role.DUTY, Role.LEADER)  # may read the queue and reports


@dataclass
class WebState:
    settings: Settings
    sessions: sessionmaker[Session]
    env: Environment
    tz: ZoneInfo
    clock: Callable[[], datetime]
    limiter: LoginLimiter
    secret_key: str
    sla: SlaSetup  # policy, calendar and office close, read once at start-up
    rows: RowCache  # rendered queue rows, shared by every viewer
    directory: Directory  # the units as routing sees them (a confirmed major is routed again)
    _warnings: tuple[date, list[str]] | None = field(default=None, repr=False)

    def calendar_warnings(self) -> list[str]:
        """Years near today without a holiday arrangement (deadlines there are provisional):
        worked out once a day, not on every page."""
        today = self.clock().astimezone(self.tz).date()
        if self._warnings is None or self._warnings[0] != today:
            years = self.sla.calendar.years_without_data(today, today + HORIZON)
            self._warnings = (today, [missing_holidays(year) for year in years])
        return self._warnings[1]


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    display_name: str
    role: Role
    unit_id: str | None

    @property
    def is_staff(self) -> bool:
        return self.role in STAFF

    def actor(self, request: Request) -> Actor:
        return Actor(
            label=f"user:{self.id}",
            role=self.role,
            user_id=self.id,
            unit_id=self.unit_id,
            ip=client_ip(request),
        )


@contextmanager
def read_only(web: WebState) -> Iterator[Session]:
    """A session for pages that only read: no transaction, so no BEGIN and ROLLBACK round
    trips to a PostgreSQL server on each of the queue's frequent polls."""
    with web.sessions() as session:
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        yield session


def state(request: Request) -> WebState:
    web: WebState = request.app.state.web
    return web


def client_ip(request: Request) -> str:
    """The client's address; ``X-Forwarded-For`` only from a proxy in ``web.trusted_proxies``."""
    return client_address(
        request.client.host if request.client else None,
        request.headers.get("x-forwarded-for"),
        state(request).settings.web.trusted_proxies,
    )


def load_user(request: Request, session: Session) -> CurrentUser | None:
    """The signed-in user: the cookie's session token must name a session row that is not
    revoked nor timed out (``web.session_idle_minutes`` since the last page,
    ``web.session_max_hours`` since the login), of an active account."""
    token = request.session.get(SESSION_KEY)
    if not isinstance(token, str) or not token:
        return None
    web = state(request)
    now = web.clock()
    U = models.User.__table__.c
    S = models.LoginSession.__table__.c
    conn = session.connection()
    row = conn.execute(
        select(
            U.id, U.username, U.display_name, U.role, U.unit_id, U.active, U.password_hash,
            S.id.label("sid"), S.created_at, S.last_seen_at, S.revoked_at,
        )
        .join(models.LoginSession.__table__, S.user_id == U.id)
        .where(S.id == token_id(token))
    ).first()
    if row is None or not row.active or row.revoked_at is not None:
        return None
    created, seen = row.created_at, row.last_seen_at
    if now - seen > timedelta(minutes=web.settings.web.session_idle_minutes):
        return None
    if now - created > timedelta(hours=web.settings.web.session_max_hours):
        return None
    if request.session.get("pw") != session_marker(web.secret_key, row.password_hash):
        return None  # a changed password or secret key ends every open session
    if now - seen >= SEEN_EVERY:
        # its own short transaction: the page's session may only read, or roll back
        with web.sessions.begin() as touch:
            touch.execute(
                update(models.LoginSession)
                .where(models.LoginSession.id == row.sid)
                .values(last_seen_at=now)
            )
    return CurrentUser(
        row.id, row.username, row.display_name or row.username, row.role, row.unit_id
    )


class LoginRequired(Exception):
    pass


def require(request: Request, session: Session, roles: Iterable[Role]) -> CurrentUser:
    user = load_user(request, session)
    if user is None:
        raise LoginRequired()
    if user.role not in tuple(roles):
        raise HTTPException(403, "没有权限访问此页面")
    return user


def login_redirect(request: Request) -> Response:
    target = request.url.path
    if request.url.query:
        target += "?" + request.url.query
    return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    status_code: int = 200,
    user: CurrentUser | None = None,
) -> HTMLResponse:
    """Render the dashboard's ``template`` (a name in ``yuqing/web/templates``)."""
    web = state(request)
    flash = request.session.pop("flash", None) if "flash" in request.session else None
    html = web.env.get_template(f"{TEMPLATES}/{template}").render(
        request=request,
        user=user,
        csrf=csrf_token(request.session),
        csrf_field=CSRF_FIELD,
        flash=flash,
        now=web.clock(),
        tz=web.tz,
        provisional_warning=PROVISIONAL_WARNING,
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def flash(request: Request, message: str, kind: str = "ok") -> None:
    request.session["flash"] = {"message": message, "kind": kind}


async def checked_form(request: Request) -> FormData:
    """The submitted form, after the CSRF check every state-changing request passes."""
    form = await request.form()
    if not csrf_ok(request.session, form.get(CSRF_FIELD)):
        raise HTTPException(403, "表单已失效，请刷新页面后重试")
    return form


def see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def form_str(form: FormData, name: str, limit: int = 4000) -> str:
    value = form.get(name)
    return value[:limit] if isinstance(value, str) else ""


def form_int(form: FormData, name: str) -> int | None:
    try:
        return int(form_str(form, name, 20))
    except ValueError:
        return None
