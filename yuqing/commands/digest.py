"""``yuqing digest`` (the weekly escalation digest) and ``yuqing report`` (the quarterly
舆情应对情况 report)."""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click

from yuqing.cli import Context, fail, pass_ctx

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from domain.settings import Settings


def register(cli: click.Group) -> None:
    cli.add_command(digest_cmd)
    cli.add_command(report_cmd)


@click.command("digest")
@click.option("--week", default=None, help="ISO week, e.g. 2026-W47 (default: the last full week).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder to write the digest into: the HTML (chart included), the XLSX 台账 and the CSV.",
)
@click.option(
    "--send",
    is_flag=True,
    help="Queue it for leadership and the duty contacts (once per week), then flush the outbox.",
)
@pass_ctx
def digest_cmd(ctx: Context, week: str | None, out: Path | None, send: bool) -> None:
    """Render or send the weekly escalation digest (每周舆情处置督办通报).

    Without --out or --send the plain-text version is printed. The figures are taken as of the
    end of the week (Monday 00:00 Asia/Shanghai), so any past week renders the same each time;
    a week not over yet is taken as of now, and the digest says so at the top.
    """
    from yuqing.bootstrap import App
    from yuqing.digest import weeks
    from yuqing.digest.jobs import queue_digest
    from yuqing.digest.render import render_digest_text, write_digest_folder

    settings = ctx.settings
    tz = ZoneInfo(settings.timezone)
    now = datetime.now(UTC)
    try:
        period = weeks.week(week, tz) if week else weeks.previous_week(now, tz)
    except weeks.PeriodError as exc:
        fail(f"--week: {exc}", 2)
    if period.end > now:
        click.echo(
            f"note: {period.label} has not ended; its figures are as of now and will change "
            "until it has",
            err=True,
        )
    app = App.open(settings)
    try:
        if out is not None:
            with app.sessions() as session:
                paths = write_digest_folder(settings, session, period.label, out, now)
            for path in paths:
                click.echo(f"wrote {path}")
        if send:
            if period.end > now:
                fail(f"{period.label} has not ended yet; a digest is sent for a finished week", 2)
            queued = queue_digest(app.sessions, period, now)
            click.echo(
                f"digest {period.label} "
                + ("queued" if queued else "was queued before (sent at most once)")
            )
            _flush(settings, app.sessions, now)
        if out is None and not send:
            with app.sessions() as session:
                click.echo(render_digest_text(settings, session, period.label, now), nl=False)
    finally:
        app.close()


def _flush(settings: Settings, sessions: sessionmaker[Session], now: datetime) -> None:
    try:
        outbox = importlib.import_module("yuqing.notify.outbox")
    except ImportError:
        click.echo("the outbox will be sent by the running service", err=True)
        return
    result = outbox.flush_outbox(settings, sessions, now)
    click.echo(f"outbox: sent {result.sent}, retrying {result.retrying}, failed {result.failed}")


@click.command("report")
@click.option("--quarter", "quarter_label", required=True, help="e.g. 2026Q3")
@click.option(
    "--out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the HTML and XLSX files.",
)
@pass_ctx
def report_cmd(ctx: Context, quarter_label: str, out: Path) -> None:
    """Write the quarterly 舆情应对情况 report (HTML and XLSX) into a folder."""
    from yuqing.bootstrap import App
    from yuqing.digest.report import write_quarter_report
    from yuqing.digest.weeks import PeriodError, quarter

    settings = ctx.settings
    now = datetime.now(UTC)
    try:
        period = quarter(quarter_label, ZoneInfo(settings.timezone))
    except PeriodError as exc:
        fail(f"--quarter: {exc}", 2)
    if period.end > now:
        click.echo(
            f"note: {period.label} has not ended; its figures will change until it has", err=True
        )
    app = App.open(settings)
    try:
        with app.sessions() as session:
            paths = write_quarter_report(settings, session, period.label, out, now)
    finally:
        app.close()
    for path in paths:
        click.echo(f"wrote {path}")
