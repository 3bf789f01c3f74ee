"""The account page: name, language and e-mail address (confirmed by a link to the new one, the
old one told), and the download of one's data."""

from __future__ import annotations

import io
import itertools
import json
import re
import zipfile

import pytest

from engine.db import utcnow
from engine.models import Person
from tests import factories
from tests.factories.web import browse_as
from tests.support import body_text, mail_to, post_form


@pytest.fixture(scope="session")
def web_app(web_app_with_storage):
    """Uploads in a local folder and in an S3 bucket, on each kind of database."""
    return web_app_with_storage


_n = itertools.count(1)


def _someone(db_session):
    n = next(_n)
    found = factories.person(
        db_session, utcnow(), f"Ans Account {n}", email=f"ans.account{n}@example.nl"
    )
    db_session.commit()
    return found


def test_the_account_page_asks_for_a_login_and_links_from_the_header(client, db_session):
    response = client.get("/account")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    ans = _someone(db_session)
    browse_as(client, ans, "en")
    page = client.get("/").get_data(as_text=True)
    assert 'href="/account"' in page[: page.index("</header>")]
    page = client.get("/account").get_data(as_text=True)
    for link in (
        "/account/sessions",
        "/reminders/preferences",
        "/account/export",
        "/account/delete",
    ):
        assert f'href="{link}' in page


def test_change_name_and_language(client, db_session):
    ans = _someone(db_session)
    browse_as(client, ans, "en")
    response = post_form(client, "/account/name", {"name-name": "  "}, token_from="/account")
    assert response.status_code == 400 and "Enter your name." in response.get_data(as_text=True)
    response = post_form(
        client, "/account/name", {"name-name": "Ans  Nieuw"}, token_from="/account"
    )
    assert response.status_code == 302
    response = post_form(client, "/account/language", {"language-language": "xx"},
                         token_from="/account")  # fmt: skip
    assert response.status_code == 400 and "Choose Dutch or English." in response.get_data(True)
    post_form(client, "/account/language", {"language-language": "nl"}, token_from="/account")
    assert "Je taal is opgeslagen." in client.get("/account").get_data(as_text=True)
    db_session.expire_all()
    again = db_session.get(Person, ans.id)
    assert (again.name, again.locale) == ("Ans Nieuw", "nl")


def test_a_new_address_counts_once_the_link_mailed_to_it_is_opened(client, db_session, smtp):
    ans = _someone(db_session)
    old = ans.email
    new = old.replace("@", ".nieuw@")
    browse_as(client, ans, "en")
    wrong = post_form(client, "/account/email", {"email-email": new, "email-password": "fout"},
                      token_from="/account")  # fmt: skip
    assert wrong.status_code == 400
    assert "This is not your current password." in wrong.get_data(as_text=True)
    response = post_form(client, "/account/email",
                         {"email-email": new, "email-password": factories.PASSWORD},
                         token_from="/account")  # fmt: skip
    assert response.status_code == 302
    notice = smtp.wait_for(mail_to(old))
    assert new in body_text(notice)
    link = re.search(
        r"http://verbinding\.test(/account/email/\S+)", body_text(smtp.wait_for(mail_to(new)))
    )
    db_session.expire_all()
    assert db_session.get(Person, ans.id).email == old  # nothing changed yet
    client.get(link.group(1))
    db_session.expire_all()
    assert db_session.get(Person, ans.id).email == new
    assert client.get(link.group(1)).status_code == 302  # works once
    assert "no longer valid" in client.get("/account").get_data(as_text=True)


def test_download_everything_kept_about_me(client, db_session):
    ans = _someone(db_session)
    browse_as(client, ans, "en")
    assert "Download (zip)" in client.get("/account/export").get_data(as_text=True)
    response = post_form(client, "/account/export", token_from="/account/export")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.get_data())) as archive:
        data = json.loads(archive.read("verbinding.json"))
    assert data["account"]["email"] == ans.email
    assert data["tables"]["login_sessions"]  # this very login
    assert "secret_hash" not in data["tables"]["login_sessions"][0]


def test_change_password_on_the_account_page(client, db_session):
    ans = _someone(db_session)
    browse_as(client, ans, "en")
    page = client.get("/account").get_data(as_text=True)
    assert 'name="password-current"' in page
    fields = {"password-password": "nieuw-wachtwoord-1", "password-confirm": "nieuw-wachtwoord-1"}
    wrong = post_form(client, "/account/password", {**fields, "password-current": "geraden-1"},
                      token_from="/account")  # fmt: skip
    assert wrong.status_code == 400
    text = wrong.get_data(as_text=True)
    assert "Your account" in text and 'name="password-current"' in text  # the account page again
    fields["password-current"] = factories.PASSWORD
    right = post_form(client, "/account/password", fields, token_from="/account")
    assert right.status_code == 302 and right.headers["Location"].endswith("/account")
    assert "Your new password is set." in client.get("/account").get_data(as_text=True)
    assert post_form(client, "/logout", token_from="/account").status_code == 302
    assert client.get("/account").status_code == 302  # logged out
    assert post_form(client, "/login", {"email": ans.email, "password": factories.PASSWORD}
                     ).status_code == 400  # fmt: skip
    response = post_form(client, "/login", {"email": ans.email, "password": "nieuw-wachtwoord-1"})
    assert response.status_code == 302
