"""``yuqing web`` (serve the dashboard) and ``yuqing user`` (dashboard accounts)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import click

from storage.enums import Role
from yuqing.cli import Context, fail, pass_ctx

# Each command imports the web server, the dashboard and the database layer when it runs:
# they take most of a second to load, which every other command need not pay.

ROLE_NAMES = tuple(r.value for r in Role)


def register(cli: click.Group) -> None:
    cli.add_command(web_cmd)
    cli.add_command(user_group)


@click.command("web")
@click.option("--host", default=None, help="Bind address (default: web.host).")
@click.option("--port", type=int, default=None, help="Port (default: web.port).")
@pass_ctx
def web_cmd(ctx: Context, host: str | None, port: int | None) -> None:
    """Serve the dashboard."""
    import uvicorn

    from yuqing.bootstrap import App
    from yuqing.web import create_app

    settings = ctx.settings
    app = App.open(settings)
    try:
        uvicorn.run(
            create_app(settings, app.sessions),
            host=host or settings.web.host,
            port=port or settings.web.port,
            log_level=settings.log_level.lower(),
            # the server's own records go through yuqing's handler, so that
            # [log] format = "json" covers them too
            log_config=None,
            proxy_headers=False,
        )
    finally:
        app.close()


@click.group("user")
def user_group() -> None:
    """Dashboard accounts."""


def _read_password(ctx: Context, from_stdin: bool, username: str) -> str:
    """A new password, refused unless it passes the password policy (see
    ``yuqing.web.security.password_problem``)."""
    from yuqing.web.security import password_problem

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    problem = password_problem(password, username, ctx.settings.web.password_min_score)
    if problem:
        fail(problem)
    return password


@user_group.command("add")
@click.argument("username")
@click.option("--role", type=click.Choice(ROLE_NAMES), required=True)
@click.option("--unit", "unit_id", default=None, help="Unit id (required for --role unit).")
@click.option("--name", "display_name", default="", help="Name shown in the dashboard.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_ctx
def user_add(
    ctx: Context,
    username: str,
    role: str,
    unit_id: str | None,
    display_name: str,
    password_stdin: bool,
) -> None:
    """Create an account: yuqing user add NAME --role duty [--unit jyj] [--password-stdin]."""
    from sqlalchemy import select

    from storage import models
    from storage.db import transaction
    from yuqing.bootstrap import App
    from yuqing.web.security import hash_password

    if (
        not 2 <= len(username) <= 64
        or not username.replace("_", "").replace("-", "").replace(".", "").isalnum()
    ):
        fail("usernames are 2-64 letters, digits, '.', '-' or '_'")
    if role == Role.UNIT and not unit_id:
        fail("--unit is required for a unit account")
    if role != Role.UNIT and unit_id:
        fail("--unit only applies to --role unit")
    password = _read_password(ctx, password_stdin, username)
    app = App.open(ctx.settings)
    try:
        with transaction(app.sessions) as session:
            if unit_id and session.get(models.Unit, unit_id) is None:
                fail(f"unknown unit {unit_id!r}; run `yuqing init` to load the directory")
            if session.scalar(select(models.User).where(models.User.username == username)):
                fail(f"user {username!r} already exists")
            session.add(
                models.User(
                    username=username,
                    display_name=display_name or username,
                    password_hash=hash_password(password),
                    role=Role(role),
                    unit_id=unit_id,
                    active=True,
                    created_at=datetime.now(UTC),
                )
            )
    finally:
        app.close()
    click.echo(f"user {username} ({role}{', ' + unit_id if unit_id else ''}) created")


@user_group.command("list")
@pass_ctx
def user_list(ctx: Context) -> None:
    """List accounts."""
    from sqlalchemy import select

    from storage import models
    from yuqing.bootstrap import App

    app = App.open(ctx.settings)
    try:
        with app.sessions() as session:
            for u in session.scalars(select(models.User).order_by(models.User.username)):
                state = "active" if u.active else "disabled"
                click.echo(f"{u.username}\t{u.role.value}\t{u.unit_id or '-'}\t{state}")
    finally:
        app.close()


def _change_user(
    ctx: Context, username: str, change: Callable[[Any, Any, datetime], str]
) -> None:
    """Apply ``change(session, user, now)`` to one account and print what it returns."""
    from sqlalchemy import select

    from storage import models
    from storage.db import transaction
    from yuqing.bootstrap import App

    app = App.open(ctx.settings)
    try:
        with transaction(app.sessions) as session:
            user = session.scalar(select(models.User).where(models.User.username == username))
            if user is None:
                fail(f"no user {username!r}")
            message = change(session, user, datetime.now(UTC))
    finally:
        app.close()
    click.echo(message)


@user_group.command("disable")
@click.argument("username")
@pass_ctx
def user_disable(ctx: Context, username: str) -> None:
    """Disable an account: its open sessions end at once and it can no longer log in."""
    from yuqing.web.security import revoke_user_sessions

    def change(session: Any, user: Any, now: datetime) -> str:
        user.active = False
        ended = revoke_user_sessions(session, user.id, now, "disabled")
        return f"user {username} disabled; {ended} open session(s) ended"

    _change_user(ctx, username, change)


@user_group.command("enable")
@click.argument("username")
@pass_ctx
def user_enable(ctx: Context, username: str) -> None:
    """Allow a disabled account to log in again."""

    def change(session: Any, user: Any, now: datetime) -> str:
        user.active = True
        return f"user {username} enabled"

    _change_user(ctx, username, change)


@user_group.command("reset-password")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@pass_ctx
def user_reset_password(ctx: Context, username: str, password_stdin: bool) -> None:
    """Set a new password; every open session of the account ends."""
    from yuqing.web.security import hash_password, revoke_user_sessions

    password = _read_password(ctx, password_stdin, username)

    def change(session: Any, user: Any, now: datetime) -> str:
        user.password_hash = hash_password(password)
        ended = revoke_user_sessions(session, user.id, now, "password_reset")
        return f"password of {username} changed; {ended} open session(s) ended"

    _change_user(ctx, username, change)


@user_group.command("sessions")
@click.argument("username", required=False)
@click.option("--all", "show_all", is_flag=True, help="Include ended sessions.")
@click.option("--revoke", is_flag=True, help="End the listed open sessions.")
@pass_ctx
def user_sessions(ctx: Context, username: str | None, show_all: bool, revoke: bool) -> None:
    """List dashboard sessions (of one account, or of all): opened, last seen, address, state.
    ``--revoke`` ends the open ones."""
    from zoneinfo import ZoneInfo

    from sqlalchemy import select

    from storage import models
    from storage.db import transaction
    from yuqing.bootstrap import App
    from yuqing.web.security import revoke_user_sessions

    tz = ZoneInfo(ctx.settings.timezone)
    S, U = models.LoginSession, models.User
    app = App.open(ctx.settings)
    try:
        with transaction(app.sessions) as session:
            query = select(S, U.username).join(U, U.id == S.user_id)
            if username:
                query = query.where(U.username == username)
            if not show_all:
                query = query.where(S.revoked_at.is_(None))
            rows = session.execute(query.order_by(S.created_at.desc()).limit(500)).all()
            now = datetime.now(UTC)
            for row, name in rows:
                state = f"ended ({row.revoked_reason})" if row.revoked_at else "open"

                def local(at: datetime) -> str:
                    return at.astimezone(tz).strftime("%Y-%m-%d %H:%M")

                click.echo(
                    f"{name}\t{local(row.created_at)}\t{local(row.last_seen_at)}\t"
                    f"{row.ip or '-'}\t{state}"
                )
            if revoke:
                ended = 0
                for uid in {row.user_id for row, _ in rows if row.revoked_at is None}:
                    ended += revoke_user_sessions(session, uid, now, "revoked")
                click.echo(f"{ended} open session(s) ended")
    finally:
        app.close()
