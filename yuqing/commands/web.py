"""``yuqing web`` (serve the dashboard) and ``yuqing user`` (dashboard accounts)."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

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
            proxy_headers=False,
        )
    finally:
        app.close()


@click.group("user")
def user_group() -> None:
    """Dashboard accounts."""


def _read_password(from_stdin: bool) -> str:
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        fail("the password must have at least 8 characters")
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
    password = _read_password(password_stdin)
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
