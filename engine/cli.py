"""The ``verbinding`` command."""

from __future__ import annotations

import signal
import sys

import click

from engine.backup_cli import backup_command, restore_command
from engine.cli_runtime import runtime, signing_runtime
from engine.config import ConfigError, log_settings
from engine.db import is_unavailable, one_line, unit_of_work, utcnow
from engine.errors import VerbindingError
from engine.i18n import translate
from engine.logs import configure_logging
from engine.runtime import Runtime
from engine.workflows.cli import workflows


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log what happens.")
@click.pass_context
def main(ctx: click.Context, verbose: bool) -> None:
    """Verbinding: resident-led neighbourhood processes."""
    try:
        log_format, level = log_settings()
    except ConfigError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    if verbose and level not in ("DEBUG", "INFO"):
        level = "INFO"
    configure_logging(log_format, level)
    ctx.ensure_object(dict)


def fail(error: VerbindingError) -> None:
    click.echo(f"error: {translate(error.message, 'en')}", err=True)
    for reason in error.reasons:
        click.echo(f"  - {translate(reason, 'en')}", err=True)
    sys.exit(1)


def init_database(rt: Runtime) -> None:
    """Migrate to head and register the process templates, holding the database's init lock:
    two at once (several hosts starting, a rolling upgrade) take turns, the second finds the
    work done."""
    from engine.migrate import init_lock, upgrade_engine
    from engine.workflows.versions import sync_workflows

    with init_lock(rt.engine):
        upgrade_engine(rt.engine)
        with unit_of_work(rt.sessions) as session:
            versions = sync_workflows(session, utcnow())
    if not versions:
        from engine.workflows.loader import workflows_dir

        folder = workflows_dir(rt.config.workflows_dir)
        click.echo(
            f"error: no process templates (*.yaml) in {folder}; set "
            "VERBINDING_WORKFLOWS_DIR to a folder that holds them",
            err=True,
        )
        sys.exit(1)
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
main.add_command(backup_command)
main.add_command(restore_command)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option(
    "--threads", default=8, show_default=True, type=int, help="Requests at once, per process."
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Web processes. 1: one waitress process; more: gunicorn with that many workers.",
)
@click.option(
    "--scheduler/--no-scheduler",
    default=True,
    show_default=True,
    help="Start the scheduler as a process beside the server (off: `verbinding scheduler` runs).",
)
def serve_command(host: str, port: int, threads: int, workers: int, scheduler: bool) -> None:
    """Serve the site with a production WSGI server (waitress, or gunicorn with --workers)."""
    from engine.scheduler import start_beside, stop_beside

    # a wrong setting (or no secret key on a real site) stops here, before any process starts
    signing_runtime()
    if workers == 1:
        from waitress import serve

        from engine.serving import settle_gc
        from web import create_app

        try:
            app = create_app()
        except ConfigError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)
        settle_gc()
    # the scheduler runs as a process of its own: its sweeps never take the web's CPU or memory
    child = start_beside() if scheduler else None
    click.echo(f"Verbinding on http://{host}:{port}/ ({workers} process(es), "
               f"scheduler {'on' if scheduler else 'off'})")  # fmt: skip
    try:
        if workers == 1:
            # SIGTERM (a service manager's stop) ends the server through the finally below
            signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(0))
            serve(app, host=host, port=port, threads=threads, ident="verbinding")
        else:
            from engine.serving import serve_workers

            serve_workers(host, port, workers, threads)  # gunicorn handles SIGTERM: a clean stop
    finally:
        if child is not None:
            stop_beside(child)


@main.command("scheduler")
def scheduler_command() -> None:
    """Run only the scheduler (sweeps: decisions, reminders, mail), in the foreground."""
    from engine.scheduler import run_foreground

    rt = signing_runtime()
    click.echo("scheduler running; stop with Ctrl-C")
    run_foreground(rt)


@main.group("translations")
def translations() -> None:
    """Keep the nl and en catalogues of web and engine in step with the code."""


def _parts(part: str | None):
    from engine.i18n_tools import PARTS

    return [PARTS[part]] if part else list(PARTS.values())


_part_option = click.option(
    "--part", type=click.Choice(["web", "engine"]), help="Only this catalogue (default: both)."
)


@translations.command("extract")
@_part_option
def translations_extract(part: str | None) -> None:
    """Write messages.pot from the sources (web/translations, engine/translations)."""
    from engine.i18n_tools import shown, write_template

    for p in _parts(part):
        changed = write_template(p)
        click.echo(f"{shown(p.pot)}: {'updated' if changed else 'unchanged'}")


@translations.command("update")
@_part_option
def translations_update(part: str | None) -> None:
    """Extract, then merge new messages into nl and en (English is filled in automatically)."""
    from engine.i18n_tools import shown, untranslated, update

    for p in _parts(part):
        for path in update(p):
            click.echo(f"updated {shown(path)}")
        todo = untranslated(p, "nl")
        click.echo(f"{p.name}: {len(todo)} Dutch message(s) to translate in "
                   f"{shown(p.po('nl'))}")  # fmt: skip


@translations.command("compile")
@_part_option
def translations_compile(part: str | None) -> None:
    """Compile the .po files to the .mo files the app reads (only those that changed)."""
    from engine.i18n_tools import compile_catalogs, shown

    for p in _parts(part):
        written = compile_catalogs(p)
        for path in written:
            click.echo(f"compiled {shown(path)}")
        if not written:
            click.echo(f"{p.name}: compiled catalogues are current")


@translations.command("check")
@_part_option
def translations_check(part: str | None) -> None:
    """Exit 1 listing every message that is missing, untranslated or fuzzy, or a stale .mo."""
    from engine.i18n_tools import check

    problems = check(_parts(part))
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo(f"{len(problems)} problem(s); see docs/translations.md", err=True)
        sys.exit(1)
    click.echo("translations complete: nl and en, web and engine")


# -- reminders (issue 5) ---------------------------------------------------------------------


@main.group("reminders")
def reminders() -> None:
    """Plan and send reminders; for cron-style deployments and for checking a moment."""


def _moment(value: str | None):
    from datetime import UTC, datetime

    if not value:
        return utcnow()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter(f"not an ISO-8601 moment: {value}") from exc
    if moment.tzinfo is None:
        from engine.timeutil import zone

        # a local time, like a person would type it, in the configured time zone
        moment = moment.replace(tzinfo=zone(runtime().config.timezone))
    return moment.astimezone(UTC)


@reminders.command("tick")
@click.option("--now", "now_text", metavar="ISO-8601", help="Act as if it were this moment.")
@click.option("--dry-run", is_flag=True, help="Show what would be sent; change and send nothing.")
def reminders_tick(now_text: str | None, dry_run: bool) -> None:
    """Plan and deliver once: swept deadlines, due reminders, due mail."""
    from engine.reminders.cli import tick

    try:
        failed = tick(signing_runtime(), _moment(now_text), dry_run=dry_run, echo=click.echo)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        click.echo(f"error: the database cannot be reached: {one_line(exc)}", err=True)
        sys.exit(1)
    if failed:
        click.echo(f"error: sweep step failed: {', '.join(failed)} (traceback above)", err=True)
        sys.exit(1)


@reminders.command("replan")
@click.option("--now", "now_text", metavar="ISO-8601", help="Act as if it were this moment.")
def reminders_replan(now_text: str | None) -> None:
    """Re-plan every initiative's reminders and calendar entries (e.g. after a template change)."""
    from engine.reminders.cli import replan

    replan(runtime(), _moment(now_text), echo=click.echo)


@main.group("users")
def users() -> None:
    """Accounts of process coaches and admins."""


@users.command("create")
@click.option("--email", required=True, help="Login name; lower-cased.")
@click.option("--name", required=True, help="Name as shown to residents and colleagues.")
@click.option(
    "--role", type=click.Choice(["coach", "admin"]), required=True, help="The staff role."
)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="At least 8 characters; asked for (twice, hidden) when not given.",
)
def users_create(email: str, name: str, role: str, password: str) -> None:
    """Create a process coach or an admin account."""
    from engine.accounts import create_person

    rt = runtime()
    try:
        with unit_of_work(rt.sessions) as session:
            person = create_person(
                session, email=email, name=name, role=role, password=password, now=utcnow()
            )
            made = (person.id, person.email)
    except VerbindingError as error:
        fail(error)
    click.echo(f"created {role} {made[1]} (id {made[0]})")
