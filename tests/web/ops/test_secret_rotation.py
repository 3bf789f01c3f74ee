"""A new secret key with the old one listed as a fallback (VERBINDING_SECRET_KEY_FALLBACKS):
nobody is logged out, a form opened before the rotation still sends, "stay logged in" still
holds, and unsubscribe links mailed before it still work; without the fallback none of it does."""

from __future__ import annotations

import pytest
from flask_login import decode_cookie

from engine.db import utcnow
from engine.reminders.tokens import unsubscribe_token
from tests import factories
from tests.support import CSRF_RE, post_form
from tests.web.conftest import make_app

OLD, NEW = "test-secret", "een-nieuw-geheim"


@pytest.fixture
def apps(web_app, tmp_path, smtp_sink):
    url = web_app.config["VERBINDING"].database_url
    rotated = make_app(
        url,
        tmp_path / "rotated",
        smtp_sink.url,
        VERBINDING_SECRET_KEY=NEW,
        VERBINDING_SECRET_KEY_FALLBACKS=f"ouder,{OLD}",
    )
    forgotten = make_app(url, tmp_path / "forgotten", smtp_sink.url, VERBINDING_SECRET_KEY=NEW)
    yield rotated, forgotten
    rotated.extensions["verbinding"].close()
    forgotten.extensions["verbinding"].close()


@pytest.fixture
def ria(db_session):
    person = factories.person(db_session, utcnow(), "Ria Rotatie")
    db_session.commit()
    return person


def carry(app, cookies: dict[str, str]):
    """A browser of ``app`` holding these cookies (as a browser keeps them over a restart)."""
    client = app.test_client()
    for name, value in cookies.items():
        client.set_cookie(name, value)
    return client


def test_a_session_signed_with_the_former_key_stays_logged_in(web_app, apps, ria):
    rotated, forgotten = apps
    before = web_app.test_client()
    assert post_form(before, "/login", {"email": ria.email, "password": "wachtwoord-123"}
                     ).status_code == 302  # fmt: skip
    cookie = {"session": before.get_cookie("session").value}
    assert carry(rotated, cookie).get("/account").status_code == 200
    assert carry(forgotten, cookie).get("/account").status_code == 302  # to the login page


def test_a_form_opened_before_the_rotation_is_still_accepted(web_app, apps, ria):
    rotated, forgotten = apps
    before = web_app.test_client()
    token = CSRF_RE.search(before.get("/login").get_data(as_text=True)).group(1)
    cookie = {"session": before.get_cookie("session").value}
    form = {"csrf_token": token, "email": ria.email, "password": "wachtwoord-123"}
    assert carry(rotated, cookie).post("/login", data=form).status_code == 302
    refused = carry(forgotten, cookie).post("/login", data=form)
    assert refused.status_code == 400  # the form's token is not ours: sent again, not a 500


def test_stay_logged_in_holds_and_the_cookie_is_signed_anew(web_app, apps, ria):
    rotated, forgotten = apps
    before = web_app.test_client()
    post_form(before, "/login", {"email": ria.email, "password": "wachtwoord-123",
                                 "remember": "y"})  # fmt: skip
    remember = before.get_cookie("remember_token").value
    # the browser was closed: only the remember cookie is left
    browser = carry(rotated, {"remember_token": remember})
    page = browser.get("/account")
    assert page.status_code == 200
    renewed = browser.get_cookie("remember_token").value
    assert renewed != remember
    with rotated.test_request_context():
        assert decode_cookie(renewed) is not None  # signed with the new key
    assert carry(rotated, {"remember_token": renewed}).get("/account").status_code == 200
    assert carry(forgotten, {"remember_token": remember}).get("/account").status_code == 302


def test_an_unsubscribe_link_mailed_before_the_rotation_still_works(apps, ria):
    rotated, forgotten = apps
    link = f"/reminders/unsubscribe/{unsubscribe_token(OLD, ria.id, ['step_due'])}"
    assert rotated.test_client().get(link).status_code == 200
    assert forgotten.test_client().get(link).status_code == 404
    # links mailed from now on are signed with the new key, and hold too
    fresh = f"/reminders/unsubscribe/{unsubscribe_token(NEW, ria.id, ['step_due'])}"
    assert rotated.test_client().get(fresh).status_code == 200
