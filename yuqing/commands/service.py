"""``yuqing run`` (the service) and ``yuqing demo`` (the service against the replay site)."""

from __future__ import annotations

import contextlib
import signal
import sys
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from urllib.parse import urlsplit

import click

from domain.settings import Settings
from yuqing.cli import Context, fail, grading_problems, labelled, pass_ctx

# Each command imports the service, the scheduler and the database layer when it runs: they
# take a second or more to load, which every other command need not pay.


def register(cli: click.Group) -> None:
    cli.add_command(run_cmd)
    cli.add_command(demo_cmd)


def _sigterm_as_interrupt() -> None:
    """SIGTERM stops the service the same clean way as Ctrl-C."""

    def handler(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


@click.command("run")
@click.option("--host", default=None, help="Dashboard bind address (default: web.host).")
@click.option("--port", type=int, default=None, help="Dashboard port (default: web.port).")
@pass_ctx
def run_cmd(ctx: Context, host: str | None, port: int | None) -> None:
    """Run the whole service in the foreground: crawls, analysis, SLA tick, outbox, digest
    and the dashboard. Ctrl-C or SIGTERM stops it cleanly; a restart carries on. On
    PostgreSQL several may run: one leads and runs the schedule, the others serve the
    dashboard, analyse and send, and take the lead over when the leader stops."""
    from yuqing.leader import AlreadyRunning
    from yuqing.service import run_service

    settings = ctx.settings
    # refused here, not by the first analysis run minutes later in the log
    problems = grading_problems(settings)
    if problems:
        fail("the grading tables are unusable:\n" + "\n".join(problems), 2)
    _sigterm_as_interrupt()
    try:
        # the web server re-raises the signal it stopped on, once everything has stopped
        with contextlib.suppress(KeyboardInterrupt):
            run_service(settings, host=host, port=port)
    except AlreadyRunning as exc:
        fail(str(exc))
    click.echo("yuqing stopped")


def _replay_port(urls: list[str]) -> int | None:
    """The loopback port the sources point at, if they all point at one."""
    ports = {urlsplit(u).port for u in urls if urlsplit(u).hostname in ("127.0.0.1", "localhost")}
    return ports.pop() if len(ports) == 1 else None


@click.command("demo")
@click.option("--port", type=int, default=None, help="Dashboard port (default: web.port).")
@pass_ctx
def demo_cmd(ctx: Context, port: int | None) -> None:
    """The whole pipeline live on this machine: a replay site with boards in the four real
    formats publishes posts on a timeline, and the service watches them."""
    from storage.db import transaction
    from yuqing.bootstrap import App, init_database
    from yuqing.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
    from yuqing.demo.replay_site import replay_site
    from yuqing.leader import AlreadyRunning
    from yuqing.service import run_service

    settings = ctx.settings
    replay_port = _replay_port([s.url for s in settings.sources if s.enabled])
    if replay_port is None:
        fail("the demo needs every enabled source on the local replay site "
             "(http://127.0.0.1:PORT/...); this configuration watches real boards — use "
             "`yuqing run`")
    if (port or settings.web.port) == replay_port:
        fail(f"the dashboard port {replay_port} is the replay site's (the sources' URLs): "
             "choose another with --port")
    app = App.open(settings)
    try:
        init_database(app)
        with transaction(app.sessions) as session:
            accounts = ensure_demo_accounts(session, datetime.now(UTC))
    finally:
        app.close()
    _sigterm_as_interrupt()
    base = dashboard_url(settings, port)
    # the emails' links lead where the dashboard really answers
    settings = settings.model_copy(
        update={"web": settings.web.model_copy(update={"base_url": base})}
    )
    mail_dir = settings.var_dir / "mail"

    def ready() -> None:
        click.echo(f"""
yuqing demo — 七星关区 sample jurisdiction
  replay site   http://127.0.0.1:{replay_port}/  (人民网 留言板 API, 12345 board, GBK Discuz!
                forum, 贴吧; new posts appear over the next minutes: a bus crash
                within two minutes, raised to 重大 by its follow-up two minutes later,
                a 待核实 claim, an official reply after five)
  dashboard     {base}/   log in as one of:""")
        for a in accounts:
            unit = f" ({a.unit_id})" if a.unit_id else ""
            role = labelled(a.role.value, a.role.label, 14)
            click.echo(f"                  {a.username:<10} {role}{unit}")
        click.echo(f"""                password for all: {DEMO_PASSWORD}
  emails        {mail_backend(settings, mail_dir)}
  database      {settings.database_url}
Crawls run every {min(s.interval_s for s in settings.sources)} s or so; watch the log below.
Ctrl-C stops everything.
""")
        sys.stdout.flush()

    try:
        with replay_site(replay_port):
            run_service(settings, port=port, on_ready=ready)
    except KeyboardInterrupt:
        pass  # the web server re-raises the signal it stopped on, once everything has stopped
    except AlreadyRunning as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"could not start the demo: {exc} (is another demo already running?)")
    click.echo("demo stopped; the database and the emails stay in " + str(settings.var_dir))


def dashboard_url(settings: Settings, port: int | None) -> str:
    """The demo dashboard's address: the configured ``base_url``, on ``--port`` when one is
    given and ``base_url`` is this machine (a public address behind a proxy is kept)."""
    base = settings.web.base_url.rstrip("/")
    parts = urlsplit(base)
    hostname = parts.hostname or ""
    if port is None or hostname not in ("127.0.0.1", "localhost", "::1"):
        return base
    host = f"[{hostname}]" if ":" in hostname else hostname
    return parts._replace(netloc=f"{host}:{port}").geturl()


def mail_backend(settings: Settings, mail_dir: Path) -> str:
    if settings.mail.backend == "dryrun":
        return f"written to {mail_dir}/ (dry-run: nothing leaves this machine)"
    return f"sent through SMTP {settings.mail.host}:{settings.mail.port}"


__all__ = ["Context", "register"]
