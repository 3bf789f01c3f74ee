"""The ``verbinding`` command."""

from __future__ import annotations

import logging
import sys

import click

from engine.db import unit_of_work, utcnow
from engine.errors import VerbindingError
from engine.i18n import translate
from engine.runtime import Runtime
from engine.workflows.cli import workflows


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Verbinding: resident-led neighbourhood processes."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    ctx.ensure_object(dict)


def runtime() -> Runtime:
    ctx = click.get_current_context()
    found = ctx.obj.get("runtime") if ctx.obj else None
    if found is None:
        found = Runtime.from_env()
        ctx.ensure_object(dict)["runtime"] = found
        ctx.find_root().call_on_close(found.close)
    return found


def fail(error: VerbindingError) -> None:
    click.echo(f"error: {translate(error.message, 'en')}", err=True)
    for reason in error.reasons:
        click.echo(f"  - {translate(reason, 'en')}", err=True)
    sys.exit(1)


def init_database(rt: Runtime) -> None:
    """Migrate to head and register the process templates."""
    from engine.migrate import upgrade_engine
    from engine.workflows.versions import sync_workflows

    upgrade_engine(rt.engine)
    with unit_of_work(rt.sessions) as session:
        versions = sync_workflows(session, utcnow())
    click.echo(
        "database ready; templates: " + ", ".join(f"{v.name} v{v.version}" for v in versions)
    )


@main.command("init")
def init_command() -> None:
    """Create or migrate the database to the newest schema and register the templates."""
    try:
        init_database(runtime())
    except VerbindingError as error:
        fail(error)


@main.command("demo")
def demo_command() -> None:
    """Fill the database with Groningen's districts and three example initiatives."""
    from engine.demo import load_demo

    rt = runtime()
    try:
        init_database(rt)
        with unit_of_work(rt.sessions) as session:
            report = load_demo(session, utcnow())
    except VerbindingError as error:
        fail(error)
    click.echo(report)


main.add_command(workflows)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Run the embedded scheduler (turn off when `verbinding scheduler` runs elsewhere).",
)
def serve_command(host: str, port: int, threads: int, scheduler: bool) -> None:
    """Serve the site with a production WSGI server (waitress)."""
    from waitress import serve

    from engine.scheduler import build_scheduler
    from web import create_app

    app = create_app()
    background = None
    if scheduler:
        background = build_scheduler(app.extensions["verbinding"], blocking=False)
        background.start()
    click.echo(f"Verbinding on http://{host}:{port}/ (scheduler {'on' if scheduler else 'off'})")
    try:
        serve(app, host=host, port=port, threads=threads, ident="verbinding")
    finally:
        if background is not None:
            background.shutdown(wait=False)


@main.command("scheduler")
def scheduler_command() -> None:
    """Run only the scheduler (sweeps: decisions, reminders, mail), in the foreground."""
    from engine.scheduler import build_scheduler

    click.echo("scheduler running; stop with Ctrl-C")
    try:
        build_scheduler(runtime(), blocking=True).start()
    except (KeyboardInterrupt, SystemExit):
        pass
