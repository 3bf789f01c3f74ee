"""Sessions live on the server: a copied cookie stops working when the session ends."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from http.cookies import SimpleCookie

import pytest

from tests import factories
from tests.support import body_text, csrf_token, login, mail_to, post_form
from tests.web.conftest import make_app

EN = {"Accept-Language": "en"}


def _cookies(response) -> dict[str, SimpleCookie]:
    found = {}
    for header in response.headers.getlist("Set-Cookie"):
        cookie = SimpleCookie()
        cookie.load(header)
        for name, morsel in cookie.items():
            found[name] = morsel
    return found


def _signed_in(client) -> bool:
    return 'action="/logout"' in client.get("/").get_data(as_text=True)


def _copy(client, names=("session", "remember_token")):
    """What a thief takes: the cookies as they are now, into a browser of their own."""
    thief = client.application.test_client()
    for name in names:
        cookie = client.get_cookie(name)
        if cookie is not None:
            thief.set_cookie(name, cookie.value)
    return thief


@pytest.fixture
def resident(db_session, now):
    someone = factories.person(db_session, now)
    db_session.commit()
    return someone


def _login(client, email: str, remember: bool = False):
    data = {"email": email, "password": factories.PASSWORD}
    if remember:
        data["remember"] = "y"
    response = post_form(client, "/login", data)
    assert response.status_code == 302
    return response


def test_a_copied_session_cookie_stops_working_at_logout(client, resident):
    _login(client, resident.email)
    thief = _copy(client, ("session",))
    assert _signed_in(thief)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not _signed_in(client)
    assert not _signed_in(thief)


def test_a_copied_remember_cookie_stops_working_at_logout(client, resident):
    response = _login(client, resident.email, remember=True)
    remember = _cookies(response)["remember_token"]
    lasts = parsedate_to_datetime(remember["expires"]) - datetime.now(UTC)
    assert timedelta(days=29) < lasts <= timedelta(days=30)  # 30 days, not 365
    thief = _copy(client, ("remember_token",))  # a fresh browser: only the remember cookie
    assert _signed_in(thief)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    assert not _signed_in(thief.application.test_client()) and not _signed_in(_copy(thief))


def test_log_out_everywhere_ends_every_device(client, resident):
    _login(client, resident.email, remember=True)
    laptop = client.application.test_client()
    _login(laptop, resident.email)
    thief = _copy(client)
    client.get("/language/en?next=/")
    page = client.get("/account/sessions").get_data(as_text=True)
    assert page.count("this device") == 1 and "Log out everywhere" in page
    response = client.post(
        "/account/sessions/end", data={"csrf_token": csrf_token(client, "/account/sessions")}
    )
    assert response.status_code == 302
    assert not any(_signed_in(c) for c in (client, laptop, thief))


def test_a_new_password_ends_every_session(client, resident, smtp):
    _login(client, resident.email, remember=True)
    thief = _copy(client)
    other = client.application.test_client()
    post_form(other, "/password/reset", {"email": resident.email}, token_from="/password/reset")
    mail = smtp.wait_for(mail_to(resident.email))
    link = re.search(r"http://verbinding\.test(/password/new/\S+)", body_text(mail)).group(1)
    post_form(other, link, {"password": "nieuw-wachtwoord", "confirm": "nieuw-wachtwoord"},
              token_from=link)  # fmt: skip
    assert not _signed_in(client) and not _signed_in(thief)
    login(other, resident.email, "nieuw-wachtwoord")


def test_the_csrf_token_changes_at_login(client, resident):
    before = csrf_token(client, "/login")
    _login(client, resident.email)
    after = csrf_token(client, "/")
    assert before != after
    # a form filled in with the token from before the login is refused
    response = client.post("/account/sessions/end", data={"csrf_token": before})
    assert response.status_code == 400
    assert _signed_in(client)


@pytest.mark.parametrize("base", ["https://verbinding.example", "http://verbinding.test"])
def test_cookies_are_secure_under_https_only(web_app, tmp_path, smtp_sink, resident, base):
    url = web_app.config["VERBINDING"].database_url
    app = make_app(url, tmp_path / "instance", smtp_sink.url, VERBINDING_BASE_URL=base)
    try:
        client = app.test_client()
        if base.startswith("https"):  # as behind TLS: the browser sends secure cookies back
            client.environ_base["wsgi.url_scheme"] = "https"
        response = _login(client, resident.email, remember=True)
        cookies = _cookies(response)
        for name in ("session", "remember_token"):
            assert bool(cookies[name]["secure"]) == base.startswith("https"), name
            assert cookies[name]["httponly"], name
    finally:
        app.extensions["verbinding"].close()


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(client, resident):
    _login(client, resident.email, remember=True)
    phone = client.application.test_client()
    _login(phone, resident.email)
    thief = _copy(client)
    url = "/account/password"
    wrong = post_form(
        client,
        url,
        {
            "current": "geraden-123",
            "password": "nieuw-wachtwoord-1",
            "confirm": "nieuw-wachtwoord-1",
        },
        token_from="/account/sessions",
    )
    assert wrong.status_code == 400 and _signed_in(phone)
    right = post_form(
        client,
        url,
        {
            "current": factories.PASSWORD,
            "password": "nieuw-wachtwoord-1",
            "confirm": "nieuw-wachtwoord-1",
        },
        token_from="/account/sessions",
    )
    assert right.status_code == 302
    assert _signed_in(client)
    assert not _signed_in(phone) and not _signed_in(thief)
    login(phone, resident.email, "nieuw-wachtwoord-1")


def _session_ids(page: str) -> tuple[int, list[int]]:
    """The sessions page's buttons: this device's login and the others'."""
    forms = re.findall(r'name="session" value="(\d+)">\s*<button[^>]*>([^<]+)<', page)
    mine = [int(sid) for sid, label in forms if label == "Log out here"]
    return mine[0], [int(sid) for sid, label in forms if label == "Log out there"]


def test_one_unknown_login_is_ended_from_the_sessions_page(client, resident, db_session, now):
    _login(client, resident.email)
    laptop = client.application.test_client()
    _login(laptop, resident.email)
    stolen = _copy(laptop)
    client.get("/language/en?next=/")
    this, others = _session_ids(client.get("/account/sessions").get_data(as_text=True))
    assert len(others) == 1
    response = post_form(client, "/account/sessions/end-one", {"session": others[0]},
                         token_from="/account/sessions")  # fmt: skip
    assert response.status_code == 302 and response.headers["Location"] == "/account/sessions"
    page = client.get("/account/sessions").get_data(as_text=True)
    assert "that device or browser is logged out" in page
    assert _session_ids(page) == (this, [])
    assert _signed_in(client) and not _signed_in(laptop) and not _signed_in(stolen)
    # once more, or someone else's login: refused, and that one holds
    neighbour = factories.person(db_session, now)
    db_session.commit()
    elsewhere = client.application.test_client()
    _login(elsewhere, neighbour.email)
    elsewhere.get("/language/en?next=/")
    theirs, _ = _session_ids(elsewhere.get("/account/sessions").get_data(as_text=True))
    for sid in (others[0], theirs, 0, "x"):
        refused = post_form(client, "/account/sessions/end-one", {"session": sid},
                            token_from="/account/sessions")  # fmt: skip
        assert refused.status_code == 302
        page = client.get("/account/sessions").get_data(as_text=True)
        assert "Log out there" not in page
        if isinstance(sid, int) and sid:
            assert "That login has already ended." in page
    assert _signed_in(elsewhere) and _signed_in(client)
    # this device's own button logs out here
    response = post_form(client, "/account/sessions/end-one", {"session": this},
                         token_from="/account/sessions")  # fmt: skip
    assert response.headers["Location"] == "/"
    assert not _signed_in(client)
