"""``create_app(overrides=…)`` configures the engine behind the pages, not only the pages."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from engine.db import utcnow
from engine.machines import machines
from engine.models.reminders import Reminder
from engine.operations import add_step
from engine.operations.support import file_support_request
from engine.workdays import add_working_days
from tests import factories
from tests.conftest import DB_KINDS, NOW, prepared_database
from tests.support import login
from tests.web.conftest import make_app

DAY = timedelta(days=1)


@pytest.fixture(scope="module", params=DB_KINDS)
def database(request, tmp_path_factory) -> tuple[str, object]:
    tmp = tmp_path_factory.mktemp("appconfig")
    engine = prepared_database(request.param, tmp, "appconfig")
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    return url, tmp


@pytest.fixture
def app_with(database, smtp) -> Iterator:
    """Make an app on the shared database with some ``VERBINDING_*`` settings."""
    url, tmp = database
    made: list[Flask] = []
    cache_size = machines.maxsize

    def make(**settings: str) -> Flask:
        extra = {f"VERBINDING_{name}": value for name, value in settings.items()}
        app = make_app(url, tmp / "instance", smtp.url, **extra)
        made.append(app)
        return app

    yield make
    for app in made:
        app.extensions["verbinding"].close()
    machines.maxsize = cache_size


def _send_moment_of_a_step_reminder(app: Flask, due: date) -> datetime:
    """Add a step due on ``due``; when does its reminder on the day itself go out?"""
    with app.extensions["verbinding"].sessions() as session:
        item = factories.initiative(session, NOW)
        anna = item.memberships[0].person
        step = add_step(session, anna, item.id, stage_key="proposal", title="Bankjes bestellen",
                        due_date=due, now=NOW)  # fmt: skip
        session.commit()
        key = f"step:{step.id}:{due.isoformat()}:0:{anna.id}"
        return session.scalars(select(Reminder.due_dt).where(Reminder.key == key)).one()


def test_the_time_zone_and_reminder_hour_decide_when_reminders_go_out(app_with):
    due = date(2026, 12, 7)  # winter: Amsterdam is UTC+1
    assert _send_moment_of_a_step_reminder(app_with(), due) == datetime.combine(
        due, time(7), tzinfo=UTC
    )
    assert _send_moment_of_a_step_reminder(app_with(TIMEZONE="UTC"), due) == datetime.combine(
        due, time(8), tzinfo=UTC
    )
    assert _send_moment_of_a_step_reminder(app_with(REMINDER_HOUR="6"), due) == datetime.combine(
        due, time(5), tzinfo=UTC
    )


def _arrange(app: Flask, arrange) -> str:
    """A coach and what ``arrange(session)`` makes, committed; the coach's e-mail address."""
    with app.extensions["verbinding"].sessions() as session:
        coach = factories.staff(session, utcnow())
        arrange(session)
        session.commit()
        return coach.email


def _as_coach(app: Flask, email: str):
    client = app.test_client()
    login(client, email, factories.PASSWORD)
    client.get("/language/en")
    return client


def test_stalled_days_decide_what_the_coach_sees_as_stalled(app_with):
    tag = f"Stilte{uuid.uuid4().hex[:6]}"
    strict, default = app_with(STALLED_DAYS="5"), app_with()
    email = _arrange(default, lambda session: factories.initiative(
        session, utcnow() - 10 * DAY, title=f"{tag} plein"))  # fmt: skip

    coach = _as_coach(strict, email)
    assert "Stalled: no activity for 10 days." in coach.get(f"/coach/?q={tag}").get_data(
        as_text=True
    )
    assert f"{tag} plein" in coach.get(f"/coach/?q={tag}&status=stalled").get_data(as_text=True)

    coach = _as_coach(default, email)
    page = coach.get(f"/coach/?q={tag}").get_data(as_text=True)
    assert f"{tag} plein" in page and "Stalled:" not in page
    page = coach.get(f"/coach/?q={tag}&status=stalled").get_data(as_text=True)
    assert f"{tag} plein" not in page


def test_the_time_zone_decides_the_dates_in_the_caseload_export(app_with):
    tag = f"Nacht{uuid.uuid4().hex[:6]}"
    late = datetime.combine(utcnow().date() - 3 * DAY, time(23, 30), tzinfo=UTC)
    in_utc, in_amsterdam = app_with(TIMEZONE="UTC"), app_with()
    email = _arrange(in_utc, lambda session: factories.initiative(
        session, late, title=f"{tag} kade"))  # fmt: skip

    def last_activity(app: Flask) -> str:
        response = _as_coach(app, email).get(f"/coach/caseload.csv?q={tag}")
        text = response.get_data(as_text=True)
        response.close()
        (row,) = csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";")
        return row["Last activity"]

    assert last_activity(in_utc) == late.date().isoformat()
    assert last_activity(in_amsterdam) == (late.date() + DAY).isoformat()  # 00:30 there


def test_support_respond_days_set_the_respond_by_date(app_with):
    app = app_with(SUPPORT_RESPOND_DAYS="3")
    with app.extensions["verbinding"].sessions() as session:
        item = factories.initiative(session, NOW)
        anna = item.memberships[0].person
        request = file_support_request(
            session, anna, item.id, kind="permit", description="Een vergunning.", now=NOW
        )
        assert request.respond_by_date == add_working_days(NOW.date(), 3)
        session.rollback()


def test_the_machine_cache_size_applies_to_the_app(app_with):
    app_with(MACHINE_CACHE_SIZE="5")
    assert machines.maxsize == 5
