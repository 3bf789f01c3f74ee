"""``verbinding backup PATH`` and ``verbinding restore PATH`` (engine.backup does the work)."""

from __future__ import annotations

import sys
from pathlib import Path

import click


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write the database and the uploaded files, consistently, into one archive at PATH."""
    from engine.backup import BackupError, backup
    from engine.cli import runtime

    rt = runtime()
    try:
        manifest = backup(rt.engine, rt.config.upload_dir, path)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"backup written to {path}: {manifest.database} database at migration "
               f"{manifest.revision}, {manifest.files} file(s)")  # fmt: skip


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Restore although the database or the upload folder is not empty: what the backup "
    "holds replaces what is there.",
)
def restore_command(path: Path, force: bool) -> None:
    """Put a backup made by `verbinding backup` into an empty database and upload folder."""
    from engine.backup import BackupError, restore
    from engine.cli import runtime

    rt = runtime()
    try:
        manifest = restore(rt.engine, rt.config.upload_dir, path, force=force)
    except BackupError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"restored {path}: {manifest.database} database at migration "
               f"{manifest.revision}, {manifest.files} file(s) in {rt.config.upload_dir}. "
               "Run `verbinding init` next if this version has newer migrations.")  # fmt: skip
