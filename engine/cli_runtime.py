"""The runtime a command works with: made once per command line from the settings, closed at
its end (its own module: the command groups import it without importing each other)."""

from __future__ import annotations

import sys

import click

from engine.config import ConfigError
from engine.runtime import Runtime, require_secret_key


def runtime() -> Runtime:
    ctx = click.get_current_context()
    found = ctx.obj.get("runtime") if ctx.obj else None
    if found is None:
        try:
            found = Runtime.from_env()
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        ctx.ensure_object(dict)["runtime"] = found
        ctx.find_root().call_on_close(found.close)
    return found


def signing_runtime() -> Runtime:
    """The runtime of a command that signs links (mail with an unsubscribe link): like the
    web app, it refuses to run for real with a key of its own making."""
    found = runtime()
    try:
        require_secret_key(found.config)
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    return found
