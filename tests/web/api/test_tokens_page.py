"""The tokens page: make a token (its secret shown once), see it listed, revoke it."""

from __future__ import annotations

import re

from engine.db import utcnow
from tests import factories
from tests.factories.web import browse_as
from tests.support import csrf_token, post_form
from tests.web.api.conftest import auth

SECRET = re.compile(r"vb_[A-Za-z0-9_-]{40,}")


def test_a_token_is_shown_once_works_and_is_revoked(client, db_session):
    someone = factories.person(db_session, utcnow())
    db_session.commit()
    browse_as(client, someone)
    made = post_form(client, "/account/tokens", {"name": "Wijkdashboard", "scope": "read"},
                     token_from="/account/tokens")  # fmt: skip
    assert made.status_code == 201
    secret = SECRET.search(made.get_data(as_text=True)).group(0)
    listed = client.get("/account/tokens").get_data(as_text=True)
    assert "Wijkdashboard" in listed and secret[:10] in listed and secret not in listed
    assert client.get("/api/v1/me/preferences", headers=auth(secret)).status_code == 200

    token_id = re.search(r'name="token_id" value="(\d+)"', listed).group(1)
    unconfirmed = client.post("/account/tokens/revoke",
                              data={"csrf_token": csrf_token(client, "/account/tokens"),
                                    "token_id": token_id})  # fmt: skip
    assert unconfirmed.status_code == 303
    assert client.get("/api/v1/me/preferences", headers=auth(secret)).status_code == 200
    revoked = post_form(client, "/account/tokens/revoke",
                        {"token_id": token_id, "confirmed": "yes"},
                        token_from="/account/tokens")  # fmt: skip
    assert revoked.status_code == 302
    assert client.get("/api/v1/me/preferences", headers=auth(secret)).status_code == 401
    assert "Wijkdashboard" not in client.get("/account/tokens").get_data(as_text=True)


def test_a_token_without_a_name_is_refused_with_the_reason(client, db_session):
    someone = factories.person(db_session, utcnow())
    db_session.commit()
    browse_as(client, someone)
    refused = post_form(client, "/account/tokens", {"name": "  ", "scope": "write"},
                        token_from="/account/tokens")  # fmt: skip
    assert refused.status_code == 400
    page = refused.get_data(as_text=True)
    assert "Give the token a name." in page and not SECRET.search(page)


def test_someone_elses_token_cannot_be_revoked(client, db_session):
    from engine.api_tokens import create_token

    owner = factories.person(db_session, utcnow())
    token, secret = create_token(db_session, owner, name="van een ander", scope="read",
                                 now=utcnow())  # fmt: skip
    intruder = factories.person(db_session, utcnow())
    db_session.commit()
    browse_as(client, intruder)
    post_form(client, "/account/tokens/revoke", {"token_id": token.id, "confirmed": "yes"},
              token_from="/account/tokens")  # fmt: skip
    assert client.get("/api/v1/me/preferences", headers=auth(secret)).status_code == 200
