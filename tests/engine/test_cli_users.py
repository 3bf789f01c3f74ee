"""``verbinding users create``: staff accounts from the command line."""

from __future__ import annotations

import uuid

import pytest
from click.testing import CliRunner

from engine.accounts import check_password, find_person
from engine.cli import main
from engine.config import load_config
from engine.db import make_session_factory
from engine.runtime import Runtime


@pytest.fixture
def run(committed_engine, tmp_path):
    url = committed_engine.url.render_as_string(hide_password=False)
    runtime = Runtime(
        load_config({"VERBINDING_DATABASE_URL": url, "VERBINDING_INSTANCE_PATH": str(tmp_path)})
    )

    def invoke(*args: str, input: str | None = None):
        return CliRunner().invoke(main, list(args), input=input, obj={"runtime": runtime})

    yield invoke
    runtime.engine.dispose()


def _person(committed_engine, email: str):
    with make_session_factory(committed_engine)() as session:
        return find_person(session, email)


def _email() -> str:
    return f"coach-{uuid.uuid4().hex[:8]}@groningen.nl"


def test_create_a_coach_with_a_password_option(run, committed_engine):
    email = _email()
    result = run("users", "create", "--email", email.upper(), "--name", "Sanne Visser",
                 "--role", "coach", "--password", "geheim-genoeg")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert f"created coach {email}" in result.output
    person = _person(committed_engine, email)
    assert (person.name, person.role) == ("Sanne Visser", "coach")
    assert check_password(person, "geheim-genoeg")


def test_without_a_password_option_it_asks_twice_without_echo(run, committed_engine):
    email = _email()
    result = run(
        "users", "create", "--email", email, "--name", "Beheerder", "--role", "admin",
        input="een-lang-wachtwoord\neen-lang-wachtwoord\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert "een-lang-wachtwoord" not in result.output  # hidden input is not echoed
    person = _person(committed_engine, email)
    assert person.role == "admin" and check_password(person, "een-lang-wachtwoord")


def test_two_different_passwords_are_asked_again(run, committed_engine):
    email = _email()
    result = run(
        "users", "create", "--email", email, "--name", "Beheerder", "--role", "admin",
        input="een-lang-wachtwoord\ntikfout-wachtwoord\neen-lang-wachtwoord\neen-lang-wachtwoord\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "do not match" in result.output
    assert check_password(_person(committed_engine, email), "een-lang-wachtwoord")


def test_refusals_exit_1_with_the_reason_and_create_nothing(run, committed_engine):
    email = _email()
    short = run("users", "create", "--email", email, "--name", "Kort", "--role", "coach",
                "--password", "kort")  # fmt: skip
    assert short.exit_code == 1 and "at least 8 characters" in short.output
    assert _person(committed_engine, email) is None
    first = run("users", "create", "--email", email, "--name", "Een", "--role", "coach",
                "--password", "lang-genoeg-1")  # fmt: skip
    assert first.exit_code == 0
    twice = run("users", "create", "--email", email, "--name", "Twee", "--role", "coach",
                "--password", "lang-genoeg-2")  # fmt: skip
    assert twice.exit_code == 1 and "already exists" in twice.output


def test_only_staff_roles_are_offered(run):
    result = run("users", "create", "--email", _email(), "--name", "X", "--role", "resident",
                 "--password", "lang-genoeg-1")  # fmt: skip
    assert result.exit_code == 2 and "coach" in result.output
