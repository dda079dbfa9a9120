"""``yuqing crawl SOURCE_ID``: crawl one configured source now and print a one-line summary."""

from __future__ import annotations

import json

import click

from yuqing.cli import Context, fail, pass_ctx


def register(cli: click.Group) -> None:
    cli.add_command(crawl_cmd)


@click.command("crawl")
@click.argument("source_id")
@click.option("--set", "overrides", multiple=True, metavar="KEY=JSON",
              help="Override one Scrapy setting, e.g. --set DOWNLOAD_DELAY=0.")
@pass_ctx
def crawl_cmd(ctx: Context, source_id: str, overrides: tuple[str, ...]) -> None:
    """Crawl SOURCE_ID once (incrementally) and record the run."""
    from crawlers.run import CrawlError, crawl_in_process

    settings = ctx.settings
    try:
        settings.source(source_id)
    except KeyError:
        known = ", ".join(s.id for s in settings.sources) or "none"
        fail(f"unknown source {source_id!r}; configured: {known}")
    parsed = {}
    for item in overrides:
        key, _, value = item.partition("=")
        try:
            parsed[key] = json.loads(value)
        except ValueError:
            parsed[key] = value
    try:
        summary = crawl_in_process(settings, source_id, parsed)
    except CrawlError as exc:
        fail(str(exc))
    click.echo(summary.line())
    if summary.status in ("failed", "blocked"):
        raise SystemExit(3)
