"""Accounts in the browser's terms: register, log in and out, reset by a mailed link."""

from __future__ import annotations

import re
import uuid

from tests.support import body_text, login, mail_to, post_form


def unique_email() -> str:
    return f"bewoner-{uuid.uuid4().hex[:10]}@example.nl"


def register(client, email: str, password: str = "wachtwoord-123", name: str = "Anna de Vries"):
    return post_form(
        client,
        "/register",
        {"name": name, "email": email, "password": password, "confirm": password},
        token_from="/register",
    )


def test_register_mails_a_link_that_confirms_the_address(client, smtp):
    email = unique_email()
    response = register(client, email)
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert email in page and ("We sent a mail" in page or "We hebben een mail" in page)
    mail = smtp.wait_for(mail_to(email))
    link = re.search(r"http://verbinding\.test(/register/confirm/\S+)", body_text(mail)).group(1)
    login(client, email)
    assert "/register/confirm/again" in client.get("/").get_data(as_text=True)  # the banner
    assert client.get(link).status_code == 302
    assert "/register/confirm/again" not in client.get("/").get_data(as_text=True)
    # the link works once
    client.get(link)
    said = body_text_of(client.get("/login"))  # in the account's language
    assert "Log in om een nieuwe te krijgen" in said or "Log in to get a new one" in said


EN = {"Accept-Language": "en"}


def body_text_of(response) -> str:
    return response.get_data(as_text=True)


def test_register_with_a_taken_address_says_the_same_and_mails_the_owner(client, smtp):
    email = unique_email()
    first = register(client, email)
    smtp.wait_for(mail_to(email))
    other = client.application.test_client()
    again = register(other, email.upper(), name="Iemand Anders")
    assert again.status_code == first.status_code == 302
    assert again.headers["Location"] == first.headers["Location"]
    said = other.get(again.headers["Location"]).get_data(as_text=True).lower()
    assert email in said and ("we sent a mail" in said or "we hebben een mail" in said)
    # the owner hears of it: a mail with the way to log in or reset, no new account
    smtp.wait_for(lambda m: mail_to(email)(m) and "/password/reset" in body_text(m))
    # the owner's password still works; nobody else's was set
    login(other, email)


def test_wrong_password_is_refused_without_saying_which_part(client):
    email = unique_email()
    register(client, email)
    fresh = client.application.test_client()
    response = post_form(fresh, "/login", {"email": email, "password": "niet-goed-1"})
    assert response.status_code == 400
    assert email in response.get_data(as_text=True)


def test_post_without_csrf_token_changes_nothing(client):
    email = unique_email()
    response = client.post(
        "/register",
        data={
            "name": "X",
            "email": email,
            "password": "wachtwoord-123",
            "confirm": "wachtwoord-123",
        },
    )
    assert response.status_code == 400
    fresh = client.application.test_client()
    assert (
        post_form(fresh, "/login", {"email": email, "password": "wachtwoord-123"}).status_code
        == 400
    )


def test_password_reset_by_mailed_link(client, smtp):
    email = unique_email()
    register(client, email)
    fresh = client.application.test_client()
    response = post_form(fresh, "/password/reset", {"email": email}, token_from="/password/reset")
    assert response.status_code == 302
    mail = smtp.wait_for(lambda m: mail_to(email)(m) and "/password/new/" in body_text(m))
    assert mail["Message-ID"] and mail["Auto-Submitted"] == "auto-generated"
    assert mail.get_body(preferencelist=("html",)) is not None
    link = re.search(r"http://verbinding\.test(/password/new/\S+)", body_text(mail)).group(1)
    response = post_form(
        fresh,
        link,
        {"password": "nieuw-wachtwoord", "confirm": "nieuw-wachtwoord"},
        token_from=link,
    )
    assert response.status_code == 302
    login(fresh, email, "nieuw-wachtwoord")
    # the link works once
    again = post_form(
        fresh.application.test_client(),
        link,
        {"password": "nog-een-keer-1", "confirm": "nog-een-keer-1"},
        token_from=link,
    )
    assert again.status_code == 302 and "/password/reset" in again.headers["Location"]


def test_reset_for_unknown_address_sends_nothing_and_says_the_same(client, smtp):
    email = unique_email()
    response = post_form(client, "/password/reset", {"email": email}, token_from="/password/reset")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert email in page
    assert not [m for m in smtp.messages if email in str(m["To"])]


def test_language_switch_and_accept_language(client):
    assert 'lang="nl"' in client.get("/").get_data(as_text=True)
    english = client.application.test_client()
    page = english.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert 'lang="en"' in page
    client.get("/language/en?next=/")
    assert 'lang="en"' in client.get("/").get_data(as_text=True)


def test_open_redirect_is_refused(client):
    response = client.get("/language/en?next=//evil.example/")
    assert response.headers["Location"] == "/"
