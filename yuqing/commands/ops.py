"""Operations commands: backup and restore."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from yuqing.cli import Context, fail, pass_ctx


def register(cli: click.Group) -> None:
    cli.add_command(backup_cmd)
    cli.add_command(restore_cmd)


@click.command("backup")
@click.option("--dir", "dest", type=click.Path(path_type=Path), default=None,
              help="Folder for the backup file (default: VAR_DIR/backups).")
@pass_ctx
def backup_cmd(ctx: Context, dest: Path | None) -> None:
    """Write a consistent copy of the SQLite database, even while the service runs."""
    from yuqing.backup import BackupError, backup

    settings = ctx.settings
    try:
        path = backup(settings.database_url, dest or settings.var_dir / "backups", datetime.now(UTC))
    except BackupError as exc:
        fail(str(exc))
    click.echo(f"backup written to {path}")


@click.command("restore")
@click.argument("backup_file", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@pass_ctx
def restore_cmd(ctx: Context, backup_file: Path, yes: bool) -> None:
    """Replace the SQLite database with BACKUP_FILE. Stop the service first."""
    from yuqing.backup import BackupError, restore

    settings = ctx.settings
    if not yes:
        click.confirm(f"Replace {settings.database_url} with {backup_file}?", abort=True)
    try:
        path = restore(settings.database_url, backup_file)
    except BackupError as exc:
        fail(str(exc))
    click.echo(f"database {path} restored from {backup_file}")
