"""``verbinding backup PATH`` and ``verbinding restore PATH`` (engine.backup does the work)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

import click


def stop(exc: Exception) -> NoReturn:
    """A refusal or an unreachable database as one line and exit status 1; anything else is a
    fault and goes on as a traceback."""
    from engine.backup import BackupError
    from engine.config import ConfigError
    from engine.db import is_unavailable, one_line
    from engine.storage import StorageUnavailable

    if isinstance(exc, BackupError | ConfigError):
        click.echo(f"error: {exc}", err=True)
    elif isinstance(exc, StorageUnavailable):
        click.echo("error: the file storage cannot be reached (see the log for why)", err=True)
    elif is_unavailable(exc):
        click.echo(f"error: the database cannot be reached: {one_line(exc)}", err=True)
    else:
        raise exc
    sys.exit(1)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def backup_command(path: Path) -> None:
    """Write the database and the uploaded files (from the upload folder or the S3 bucket),
    consistently, into one archive at PATH."""
    from engine.backup import backup
    from engine.cli_runtime import runtime

    rt = runtime()
    try:
        manifest = backup(rt.engine, rt.storage, path)
    except Exception as exc:  # noqa: BLE001 - said in one line, not as a traceback
        stop(exc)
    click.echo(f"backup written to {path}: {manifest.database} database at migration "
               f"{manifest.revision}, {manifest.files} file(s) from "
               f"{rt.storage.describe()}")  # fmt: skip


@click.command("restore")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Restore although the database or the upload folder is not empty: what the backup "
    "holds replaces what is there.",
)
def restore_command(path: Path, force: bool) -> None:
    """Put a backup made by `verbinding backup` into an empty database and file storage (the
    upload folder, or the S3 bucket)."""
    from engine.backup import restore
    from engine.cli_runtime import runtime

    rt = runtime()
    try:
        manifest = restore(rt.engine, rt.storage, path, force=force)
    except Exception as exc:  # noqa: BLE001 - said in one line, not as a traceback
        stop(exc)
    click.echo(f"restored {path}: {manifest.database} database at migration "
               f"{manifest.revision}, {manifest.files} file(s) into {rt.storage.describe()}. "
               "Run `verbinding init` next if this version has newer migrations.")  # fmt: skip
