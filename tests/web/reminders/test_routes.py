"""Reminder settings, one-click unsubscribe, calendar addresses and the outbox page."""

from __future__ import annotations

import re
from datetime import timedelta

import icalendar
import pytest
import vobject
from sqlalchemy import select

from engine.db import utcnow
from engine.mail.outbox import contents, queue_message
from engine.models import OutboxMessage, Person
from engine.models.reminders import ReminderPreference
from engine.notifications.fanout import notify
from engine.notifications.recipients import person as to_person
from engine.operations import add_step
from engine.reminders.tokens import unsubscribe_token
from engine.timeutil import local_date
from tests import factories
from tests.support import csrf_token, login, post_form

PASSWORD = "wachtwoord-123"


@pytest.fixture
def anna(db_session):
    now = utcnow()
    person = factories.person(db_session, now, "Anna de Vries", password=PASSWORD)
    item = factories.initiative(db_session, now, initiator=person, members=1)
    add_step(db_session, person, item.id, stage_key="proposal", title="Foto's maken",
             due_date=local_date(now) + 10 * timedelta(days=1), now=now)  # fmt: skip
    db_session.commit()
    return person, item


def modes(db_session, person_id: int) -> dict[str, str]:
    db_session.expire_all()
    rows = db_session.execute(
        select(ReminderPreference.kind, ReminderPreference.mode).where(
            ReminderPreference.person_id == person_id
        )
    )
    return {kind: mode for kind, mode in rows}


def test_preferences_ask_for_a_login(client):
    response = client.get("/reminders/preferences")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_person_chooses_per_kind_and_a_language(client, db_session, anna):
    person, _ = anna
    login(client, person.email)
    page = client.get("/reminders/preferences").get_data(as_text=True)
    assert 'name="kind_step_due"' in page and 'name="kind_support_due"' not in page
    assert '<label class="utrecht-form-label" for="kind_step_due">' in page
    data = {name: "immediate" for name in re.findall(r'name="(kind_\w+)"', page)}
    data.update(kind_step_due="daily", kind_stage_target="off", kind_maintenance_due="weekly",
                language="en")  # fmt: skip
    response = post_form(
        client, "/reminders/preferences", data, token_from="/reminders/preferences"
    )
    assert response.status_code == 302
    chosen = modes(db_session, person.id)
    assert (chosen["step_due"], chosen["stage_target"], chosen["maintenance_due"]) == (
        "daily", "off", "weekly",
    )  # fmt: skip
    assert db_session.get(Person, person.id).locale == "en"
    bad = post_form(client, "/reminders/preferences", {**data, "kind_step_due": "hourly"},
                    token_from="/reminders/preferences")  # fmt: skip
    assert bad.status_code == 400 and 'aria-invalid="true"' in bad.get_data(as_text=True)


def test_one_click_unsubscribe_without_login_or_csrf(client, db_session, anna, web_app):
    person, _ = anna
    token = unsubscribe_token("test-secret", person.id, ["step_due"])
    page = client.get(f"/reminders/unsubscribe/{token}")
    assert page.status_code == 200 and 'method="post"' in page.get_data(as_text=True)
    assert modes(db_session, person.id) == {}  # a GET changes nothing
    response = client.post(f"/reminders/unsubscribe/{token}",
                           data={"List-Unsubscribe": "One-Click"})  # fmt: skip
    assert response.status_code == 200
    assert modes(db_session, person.id) == {"step_due": "off"}


def test_one_click_unsubscribe_from_a_mail_sent_at_once(client, db_session, anna):
    person, item = anna
    notify(db_session, kind="stage_moved", initiative_id=item.id, actor_id=None,
           recipients=to_person(person.id), link=f"/initiatives/{item.id}", now=utcnow(),
           data={"initiative": item.title, "actor": "Bram", "stage": "Visie"})  # fmt: skip
    db_session.commit()
    mail = db_session.scalars(
        select(OutboxMessage).where(OutboxMessage.person_id == person.id)
    ).one()  # mailed at once
    text, html, headers = contents(mail)
    link = headers["List-Unsubscribe"].strip("<>").removeprefix("http://verbinding.test")
    assert link in text and link in (html or "")
    response = client.post(link, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 200
    assert modes(db_session, person.id) == {"stage_moves": "off"}
    assert client.post(link[:-1] + ("0" if link[-1] != "0" else "1")).status_code == 404


def test_a_forged_unsubscribe_token_is_not_found(client, anna):
    person, _ = anna
    forged = unsubscribe_token("wrong-secret", person.id, ["step_due"])
    assert client.post(f"/reminders/unsubscribe/{forged}").status_code == 404
    assert client.get("/reminders/unsubscribe/nonsense").status_code == 404


def feed_address(page: str) -> str:
    found = re.search(r'value="(http://verbinding\.test/calendar/[^"]+\.ics)"', page)
    assert found, "no calendar address on the page"
    return found.group(1).removeprefix("http://verbinding.test")


def test_a_calendar_address_can_be_made_read_and_revoked(client, anna):
    person, _ = anna
    login(client, person.email)
    post_form(client, "/reminders/calendar", token_from="/reminders/preferences")
    path = feed_address(client.get("/reminders/preferences").get_data(as_text=True))
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    cal = icalendar.Calendar.from_ical(response.data)
    vobject.readOne(response.get_data(as_text=True), validate=True)
    assert any("Foto's maken" in str(e["SUMMARY"]) for e in cal.walk("VEVENT"))
    anonymous = client.application.test_client()
    assert anonymous.get(path).status_code == 200  # the secret address is the key
    post_form(client, "/reminders/calendar/revoke", token_from="/reminders/preferences")
    assert anonymous.get(path).status_code == 404


def test_an_initiative_calendar_for_members(client, anna, db_session):
    person, item = anna
    login(client, person.email)
    response = post_form(client, f"/initiatives/{item.id}/calendar",
                         token_from="/reminders/preferences")  # fmt: skip
    assert response.status_code == 302
    page = client.get("/reminders/preferences").get_data(as_text=True)
    found = re.search(r"(/calendar/initiative/[^<\s\"]+\.ics)", page)
    assert found and client.get(found.group(1)).status_code == 200
    outsider = factories.person(db_session, utcnow(), password=PASSWORD)
    db_session.commit()
    other = client.application.test_client()
    login(other, outsider.email)
    refused = post_form(other, f"/initiatives/{item.id}/calendar",
                        token_from="/reminders/preferences")  # fmt: skip
    assert refused.status_code == 403


def test_the_panel_shows_the_next_dates_and_the_calendar_button(client, web_app, anna):
    person, item = anna
    login(client, person.email)
    html = client.get(f"/initiatives/{item.id}").get_data(as_text=True)
    assert 'id="reminders-heading"' in html
    assert "Foto&#39;s maken" in html or "Foto's maken" in html
    assert f"/initiatives/{item.id}/calendar" in html
    # a visitor outside the group does not get the panel
    hidden = web_app.test_client().get(f"/initiatives/{item.id}").get_data(as_text=True)
    assert 'id="reminders-heading"' not in hidden


def test_the_outbox_page_shows_failures_to_an_admin_only(client, db_session):
    now = utcnow()
    admin = factories.person(db_session, now, "Beheerder", role="admin", password=PASSWORD)
    resident = factories.person(db_session, now, password=PASSWORD)
    row = queue_message(db_session, key=f"test-failed:{admin.id}", to_addr="weg@example.nl",
                        subject="Niet bezorgd", body_text="x", now=now,
                        mail_from="noreply@verbinding.test")  # fmt: skip
    row.status, row.attempts, row.last_error = "failed", 8, "452 mailbox full"
    db_session.commit()
    login(client, resident.email)
    assert client.get("/reminders/outbox").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, admin.email)
    page = client.get("/reminders/outbox?status=failed").get_data(as_text=True)
    assert "452 mailbox full" in page and "weg@example.nl" in page
    response = post_form(client, f"/reminders/outbox/{row.id}/retry",
                         token_from="/reminders/outbox")  # fmt: skip
    assert response.status_code == 302
    db_session.expire_all()
    assert db_session.get(OutboxMessage, row.id).status == "pending"
