"""`verbinding reminders tick [--now] [--dry-run]` on a fresh database, with a real SMTP server."""

from __future__ import annotations

import importlib
from datetime import timedelta

import pytest
from click.testing import CliRunner
from sqlalchemy import event
from sqlalchemy.engine import Engine

from engine.cli import main
from engine.db import make_engine, make_session_factory
from engine.migrate import upgrade_engine
from engine.operations import add_step
from engine.reminders import steps as reminder_steps
from engine.timeutil import local_date
from engine.workflows.versions import sync_workflows
from tests import factories
from tests.conftest import NOW, TEST_WORKFLOWS, seed_places


@pytest.fixture
def database(tmp_path):
    url = f"sqlite:///{tmp_path / 'tick.db'}"
    engine = make_engine(url)
    upgrade_engine(engine)
    with make_session_factory(engine)() as s:
        sync_workflows(s, NOW, TEST_WORKFLOWS)
        seed_places(s)
        item = factories.initiative(s, NOW)
        anna = item.memberships[0].person
        add_step(s, anna, item.id, stage_key="proposal", title="Foto's maken",
                 due_date=local_date(NOW) + timedelta(days=3), now=NOW)  # fmt: skip
        s.commit()
    engine.dispose()
    return url


def tick(url, tmp_path, smtp, *args, exit_code=0):
    env = {
        "VERBINDING_DATABASE_URL": url,
        "VERBINDING_INSTANCE_PATH": str(tmp_path),
        "VERBINDING_SMTP_URL": smtp.url,
        "VERBINDING_SECRET_KEY": "cli-test",
    }
    result = CliRunner().invoke(main, ["reminders", "tick", *args], env=env,
                                catch_exceptions=False)  # fmt: skip
    assert result.exit_code == exit_code, result.output
    return result.output


def test_a_dry_run_shows_what_a_moment_would_send_and_sends_nothing(database, tmp_path, smtp):
    output = tick(database, tmp_path, smtp, "--now", "2026-11-29T08:30", "--dry-run")
    assert "would send reminder:" in output and "Foto's maken" in output
    assert smtp.messages == []
    assert "would send" in tick(database, tmp_path, smtp, "--now", "2026-11-29T08:30",
                                "--dry-run")  # fmt: skip


def test_a_tick_plans_claims_and_sends_once(database, tmp_path, smtp):
    before = tick(database, tmp_path, smtp, "--now", "2026-11-29T07:30")
    assert "queued" not in before and smtp.messages == []  # 7:30 local: not yet
    output = tick(database, tmp_path, smtp, "--now", "2026-11-29T08:30")
    assert "reminders.dispatch: 1 claimed, 1 mails queued" in output
    assert "sent 1" in output and smtp.messages[0]["List-Unsubscribe-Post"]
    again = tick(database, tmp_path, smtp, "--now", "2026-11-29T08:45")
    assert "queued" not in again and len(smtp.messages) == 1


def test_a_tick_reconciles_batch_by_batch_and_a_dry_run_commits_nothing(
    database, tmp_path, smtp, monkeypatch
):
    engine = make_engine(database)
    with make_session_factory(engine)() as s:
        factories.bulk_initiatives(s, NOW, 4, title="Stil plan")  # five initiatives in all
        s.commit()
    engine.dispose()
    monkeypatch.setattr(reminder_steps, "RECONCILE_BATCH", 2)
    # a fresh process, as the command is: the hourly reconciliation is due
    monkeypatch.setattr(reminder_steps, "_last_housekeeping", [])
    commits: list[int] = []

    def note(_connection) -> None:
        commits.append(1)

    event.listen(Engine, "commit", note)
    try:
        output = tick(database, tmp_path, smtp, "--now", "2026-11-29T08:30", "--dry-run")
        assert "would send reminder:" in output and commits == []
        tick(database, tmp_path, smtp, "--now", "2026-11-29T08:30")
    finally:
        event.remove(Engine, "commit", note)
    # the reconciliation alone is three transactions of up to two initiatives each
    assert len(commits) >= 3


def test_a_moment_that_is_not_iso_8601_is_refused(database, tmp_path, smtp):
    result = CliRunner().invoke(main, ["reminders", "tick", "--now", "morgen"],
                                env={"VERBINDING_DATABASE_URL": database})  # fmt: skip
    assert result.exit_code == 2 and "ISO-8601" in result.output


def test_a_tick_whose_mail_cannot_be_composed_fails_and_loses_nothing(
    database, tmp_path, smtp, monkeypatch
):
    compose = importlib.import_module("engine.mail.compose")  # the module, not the function
    # the mail templates missing, as in a package built without them
    monkeypatch.setattr(compose, "TEMPLATES", tmp_path / "no-mail-templates")
    compose._environment.cache_clear()
    try:
        output = tick(database, tmp_path, smtp, "--now", "2026-11-29T08:30", exit_code=1)
    finally:
        monkeypatch.undo()
        compose._environment.cache_clear()
    assert "reminders.dispatch: failed" in output
    assert "error: sweep step failed: reminders.dispatch" in output
    assert smtp.messages == []
    output = tick(database, tmp_path, smtp, "--now", "2026-11-29T08:45")  # the reminder waited
    assert "1 mails queued" in output and len(smtp.messages) == 1


def test_a_tick_without_a_database_says_so_in_one_line_and_fails(tmp_path, smtp):
    away = "postgresql+psycopg://postgres@127.0.0.1:1/verbinding"  # nothing listens there
    output = tick(away, tmp_path, smtp, exit_code=1)
    (line,) = [x for x in output.splitlines() if x.startswith("error:")]
    assert line.startswith("error: the database cannot be reached: OperationalError")
    assert "Traceback" not in output
