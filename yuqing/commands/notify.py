"""``yuqing outbox``: send what is due now, list notifications, retry a failed one."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click

from yuqing.cli import Context, fail, labelled, pass_ctx

# Each command imports what it works with when it runs: the database, the senders and the
# templates take most of a second to load, which every other command need not pay.


def register(cli: click.Group) -> None:
    cli.add_command(outbox_group)


@click.group("outbox")
def outbox_group() -> None:
    """Notifications waiting to be sent: email and group-chat robots."""


@outbox_group.command("flush")
@click.option("--limit", default=100, show_default=True, type=click.IntRange(min=1),
              help="Rows claimed per pass; passes repeat until nothing more is due.")
@pass_ctx
def flush_cmd(ctx: Context, limit: int) -> None:
    """Send every notification that is due now (the service does this every 30 s)."""
    from yuqing.bootstrap import App
    from yuqing.notify.outbox import flush_outbox

    settings = ctx.settings
    app = App.open(settings)
    totals = {"sent": 0, "retrying": 0, "failed": 0}
    try:
        while True:
            result = flush_outbox(settings, app.sessions, datetime.now(UTC), limit=limit)
            totals["sent"] += result.sent
            totals["retrying"] += result.retrying
            totals["failed"] += result.failed
            if result.claimed < limit or result.sent + result.released == 0:
                break
    finally:
        app.close()
    where = (
        f" (dry run: files in {settings.var_dir / 'mail'})"
        if settings.mail.backend == "dryrun"
        else ""
    )
    click.echo(
        f"sent {totals['sent']}, will retry {totals['retrying']}, failed {totals['failed']}{where}"
    )


@outbox_group.command("list")
@click.option("--failed", "failed_only", is_flag=True, help="Only notifications that failed.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=1))
@pass_ctx
def list_cmd(ctx: Context, failed_only: bool, limit: int) -> None:
    """The newest notifications: state, attempts, next try, last error."""
    from yuqing.bootstrap import App
    from yuqing.notify.outbox import rows
    from yuqing.notify.recipients import default_recipients

    settings = ctx.settings
    tz = ZoneInfo(settings.timezone)
    app = App.open(settings)
    try:
        with app.sessions() as s:
            found = rows(s, failed_only=failed_only, limit=limit)
    finally:
        app.close()
    if not found:
        click.echo("no failed notifications" if failed_only else "the outbox is empty")
        return
    click.echo(f"{'id':>6}  {'created':16}  {'kind':18}  {'channel':8}  {'state':16}  "
               f"{'tries':>5}  {'next try / sent':16}  to")
    for r in found:
        when = r.sent_at if r.sent_at is not None else r.next_attempt_at
        shown = when.astimezone(tz).strftime("%Y-%m-%d %H:%M") if when is not None else "-"
        to = ", ".join(str(x) for x in (r.recipients or [])) or ", ".join(
            default_recipients(r.kind, r.unit_id)
        )
        state = labelled(r.state.value, r.state.label, 16)
        click.echo(
            f"{r.id:>6}  {r.created_at.astimezone(tz):%Y-%m-%d %H:%M}  {r.kind:18}  "
            f"{r.channel:8}  {state}  {r.attempts:>5}  {shown:16}  {to}"
        )
        if r.last_error:
            click.echo(f"{'':8}error: {r.last_error}")


@outbox_group.command("retry")
@click.argument("row_id", type=int)
@pass_ctx
def retry_cmd(ctx: Context, row_id: int) -> None:
    """Send notification ROW_ID again at the next flush, with a fresh attempt count."""
    from yuqing.bootstrap import App
    from yuqing.notify.outbox import retry

    app = App.open(ctx.settings)
    try:
        row = retry(app.sessions, row_id, datetime.now(UTC))
    except LookupError as exc:
        fail(str(exc), 2)
    except ValueError as exc:
        fail(str(exc))
    finally:
        app.close()
    click.echo(f"outbox row {row.id} ({row.kind}, {row.channel}) will be sent at the next flush")
