"""The ``yuqing`` command. Thin: it builds Settings once and hands them to the work."""

from __future__ import annotations

import importlib
import logging
import sys
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any, NoReturn

import click

from domain.settings import DEFAULT_CONFIG, ConfigError, Settings, load_settings

log = logging.getLogger("yuqing")

# Commands import the database layer (SQLAlchemy, Alembic) when they run: `yuqing --help` and
# `yuqing config check` start without it.


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def labelled(value: str, label: str, width: int = 0) -> str:
    """A stored value with the label people read ("failed 发送失败"), padded to ``width``
    terminal cells: a Chinese character takes two."""
    text = f"{value} {label}"
    cells = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(0, width - cells)


def configure_logging(level: str, fmt: str = "text") -> None:
    from yuqing.logs import configure_logging as configure

    configure(level, fmt)


class Context:
    """Lazily built settings, so `config check` can report errors itself."""

    def __init__(self, config: Path) -> None:
        self.config = config
        self._settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            try:
                self._settings = load_settings(self.config)
            except ConfigError as exc:
                for p in exc.problems:
                    click.echo(f"config error: {p}", err=True)
                fail(f"{len(exc.problems)} problem(s) in the configuration; nothing was started", 2)
            configure_logging(self._settings.log_level, self._settings.log.format)
        return self._settings


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--config",
    "config",
    type=click.Path(path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    envvar="YUQING_CONFIG",
    help="TOML configuration file.",
)
@click.pass_context
def cli(ctx: click.Context, config: Path) -> None:
    """yuqing: 政务舆情 monitoring and response."""
    ctx.obj = Context(config)


@cli.group("config")
def config_group() -> None:
    """Inspect the configuration."""


@config_group.command("check")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@pass_ctx
def config_check(ctx: Context, path: Path | None) -> None:
    """Validate a configuration file; print every problem with where it is."""
    target = path or ctx.config
    try:
        settings = load_settings(target)
    except ConfigError as exc:
        for p in exc.problems:
            click.echo(str(p))
        click.echo(f"{len(exc.problems)} problem(s) found in {target}")
        sys.exit(2)
    problems = grading_problems(settings)
    if problems:
        for line in problems:
            click.echo(line)
        click.echo(f"{len(problems)} problem(s) found in the grading tables of {target}")
        sys.exit(2)
    for warning in config_warnings(settings):
        click.echo(f"warning: {warning}")
    j = settings.jurisdiction
    click.echo(
        f"{target}: OK — {j.full_name or j.name}: {len(j.units)} units, "
        f"{len(settings.sources)} sources, database {settings.database_url}"
    )
    click.echo(
        f"grading tables: {settings.classifier.grading or 'the national tables shipped'}, "
        f"population density {j.population_density}"
    )


def grading_problems(settings: Settings) -> list[str]:
    """Every problem of the grading file the configuration names, as FILE: KEY: what."""
    from classifier.grading import GradingError, grading_from_settings

    try:
        grading_from_settings(settings)
    except GradingError as exc:
        return [str(p) for p in exc.problems]
    return []


# Other modules add warnings (e.g. holiday data missing for a year) without the CLI knowing them.
CONFIG_WARNINGS: list[Callable[[Settings], list[str]]] = []


def config_warnings(settings: Settings) -> list[str]:
    out: list[str] = []
    for check in CONFIG_WARNINGS:
        out.extend(check(settings))
    return out


@cli.group("db")
def db_group() -> None:
    """Database schema."""


@db_group.command("upgrade")
@pass_ctx
def db_upgrade(ctx: Context) -> None:
    """Create or upgrade the database schema to the newest revision."""
    from storage.migrate import upgrade

    settings = ctx.settings
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.database_url)
    click.echo(f"database at {_safe_url(settings.database_url)} is up to date")


@cli.command("init")
@pass_ctx
def init(ctx: Context) -> None:
    """Create or upgrade the database and load the jurisdiction directory and sources."""
    from yuqing.bootstrap import App, init_database

    app = App.open(ctx.settings)
    try:
        report = init_database(app)
    finally:
        app.close()
    click.echo(
        f"database {_safe_url(ctx.settings.database_url)} ready; units +{report.units_added} "
        f"~{report.units_updated} retired {report.units_retired}; sources "
        f"+{report.sources_added} ~{report.sources_updated}"
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _register_subcommands() -> None:
    """Each area adds its own command group; the import happens only when the CLI starts."""
    for module_name in COMMAND_MODULES:
        module = importlib.import_module(module_name)
        module.register(cli)


COMMAND_MODULES: list[str] = [
    "yuqing.commands.ops",
    "yuqing.commands.web",
    "yuqing.commands.crawl",
    "yuqing.commands.sla",
    "yuqing.commands.classify",
    "yuqing.commands.notify",
    "yuqing.commands.service",
    "yuqing.commands.digest",
]


def main(argv: list[str] | None = None) -> Any:
    _register_subcommands()
    try:
        return cli.main(args=argv, prog_name="yuqing", standalone_mode=True)
    except KeyboardInterrupt:
        fail("interrupted", 130)
    except Exception as exc:  # one clear line instead of a traceback; details at DEBUG
        log.debug("unhandled error", exc_info=True)
        fail(f"{type(exc).__name__}: {exc}")


if __name__ == "__main__":
    main()
