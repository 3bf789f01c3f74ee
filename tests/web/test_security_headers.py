"""Headers: HSTS under https, the client as the trusted proxy saw it, no-store when signed in,
one charset on text downloads."""

from __future__ import annotations

import uuid

import pytest

from tests import factories
from tests.factories.web import browse_as
from tests.web.conftest import make_app
from tests.web.documents.test_routes import _upload


@pytest.fixture
def app_with(web_app, tmp_path, smtp_sink):
    """The app on the run's database with some settings of its own."""
    made = []

    def build(**settings):
        url = web_app.config["VERBINDING"].database_url
        app = make_app(url, tmp_path / f"i{len(made)}", smtp_sink.url, **settings)
        made.append(app)
        return app

    yield build
    for app in made:
        app.extensions["verbinding"].close()


def test_hsts_only_when_the_site_is_https(app_with):
    https = app_with(VERBINDING_BASE_URL="https://verbinding.example").test_client()
    assert "max-age=" in https.get("/").headers["Strict-Transport-Security"]
    plain = app_with(VERBINDING_BASE_URL="http://verbinding.test").test_client()
    assert "Strict-Transport-Security" not in plain.get("/").headers


@pytest.mark.parametrize("proxies", [0, 1])
def test_behind_a_trusted_proxy_the_client_and_scheme_come_from_it(app_with, proxies):
    app = app_with(
        VERBINDING_TRUSTED_PROXIES=str(proxies),
        VERBINDING_RATE_LIMIT_LOGIN="2/900",
        VERBINDING_RATE_LIMIT_ADDRESS_FACTOR="1",
    )
    seen = []

    @app.before_request
    def note_the_client():
        from flask import request

        seen.append((request.remote_addr, request.scheme, request.host))

    client = app.test_client()
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "verbinding.example"}
    client.get("/", headers={**forwarded, "X-Forwarded-For": "198.51.100.7"},
               environ_base={"REMOTE_ADDR": "10.0.0.2"})  # fmt: skip
    if proxies:
        assert seen[0] == ("198.51.100.7", "https", "verbinding.example")
    else:
        assert seen[0] == ("10.0.0.2", "http", "localhost")

    # the rate limit counts per client: behind the proxy, two people are two clients
    def attempts(client_ip: str) -> list[int]:
        headers = {**forwarded, "X-Forwarded-For": client_ip}
        token_page = client.get("/login", headers=headers)
        assert token_page.status_code == 200
        from tests.support import CSRF_RE

        token = CSRF_RE.search(token_page.get_data(as_text=True)).group(1)
        return [
            client.post("/login", headers=headers, data={
                "csrf_token": token, "email": f"{uuid.uuid4().hex[:8]}@example.nl",
                "password": "geraden-123"}).status_code
            for _ in range(2)
        ]  # fmt: skip

    client.environ_base["REMOTE_ADDR"] = f"10.9.{proxies}.{uuid.uuid4().int % 250 + 1}"
    base = f"198.51.{uuid.uuid4().int % 250}"
    first = attempts(f"{base}.10")
    second = attempts(f"{base}.11")
    if proxies:
        assert first == second == [400, 400]  # each person has their own count
    else:
        assert first == [400, 400] and second == [429, 429]  # all look like the proxy


def test_signed_in_pages_are_not_stored(client, db_session, now):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")
    someone = factories.person(db_session, now)
    db_session.commit()
    browse_as(client, someone)
    for url in ("/", "/account/sessions"):
        assert "no-store" in client.get(url).headers["Cache-Control"], url


def test_a_text_download_names_its_charset_once(client, db_session, now):
    item, (anna, _) = factories.initiative_with_group(db_session, now)
    db_session.commit()
    browse_as(client, anna)
    assert _upload(client, item, "notulen.txt", b"Notulen: iedereen komt").status_code == 302
    page = client.get(f"/initiatives/{item.id}").get_data(as_text=True)
    import re

    link = re.search(rf'href="(/initiatives/{item.id}/documents/\d+[^"]*)"', page).group(1)
    response = client.get(link)
    response.close()
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
