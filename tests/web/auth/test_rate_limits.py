"""Rate limits hold per account and per client address, across workers, with a 429 page."""

from __future__ import annotations

import itertools
import uuid

import pytest
from sqlalchemy import func, select, update

from engine.db import utcnow
from engine.models import Invitation, Membership, RateLimit
from engine.ratelimit import window_start
from tests import factories
from tests.factories.web import browse_as, submit
from tests.support import csrf_token, post_form
from tests.web.conftest import make_app

_addresses = itertools.count(1)


@pytest.fixture(scope="module")
def limited(web_app, tmp_path_factory, smtp_sink):
    """Two web workers on the one database, with small limits (5 sign-ins, 3 mails; twice
    that per client address): each wrong password costs a real hash."""
    url = web_app.config["VERBINDING"].database_url
    settings = {
        "VERBINDING_RATE_LIMIT_LOGIN": "5/900",
        "VERBINDING_RATE_LIMIT_MAIL": "3/3600",
        "VERBINDING_RATE_LIMIT_ADDRESS_FACTOR": "2",
    }
    apps = [
        make_app(url, tmp_path_factory.mktemp("worker"), smtp_sink.url, **settings)
        for _ in range(2)
    ]
    yield apps
    for app in apps:
        app.extensions["verbinding"].close()


def _browser(app):
    """A client from an address of its own (192.0.2.x: nobody else in the run uses it)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"192.0.2.{next(_addresses) % 250 + 1}"
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def _end_windows(db_session, *needles: str) -> None:
    """The clock moves past the current windows of the keys that mention ``needles``."""
    for needle in needles:
        db_session.execute(
            update(RateLimit)
            .where(RateLimit.key.contains(needle))
            .values(window_start=RateLimit.window_start - 3600)
        )
    db_session.commit()


def test_forty_wrong_passwords_stop_long_before_the_fortieth(limited, db_session, now):
    someone = factories.person(db_session, now)
    db_session.commit()
    one, two = (_browser(app) for app in limited)
    two.environ_base["REMOTE_ADDR"] = one.environ_base["REMOTE_ADDR"]  # one client, two workers
    statuses = []
    for attempt in range(40):
        client = (one, two)[attempt % 2]  # the workers share the count
        data = {"email": someone.email, "password": f"fout-{attempt:03d}"}
        statuses.append(post_form(client, "/login", data).status_code)
    assert statuses[:5] == [400] * 5
    assert statuses[5] == 429 and statuses.count(400) <= 10
    locked = post_form(one, "/login", {"email": someone.email, "password": factories.PASSWORD})
    assert locked.status_code == 429
    assert 1 <= int(locked.headers["Retry-After"]) <= 900
    # the window ends: the right password works again
    _end_windows(db_session, someone.email, one.environ_base["REMOTE_ADDR"])
    response = post_form(one, "/login", {"email": someone.email, "password": factories.PASSWORD})
    assert response.status_code == 302


def test_other_accounts_from_one_address_are_limited_too(limited, db_session, now):
    for _attempt in range(2):
        # the windows are fixed (15 minutes on the clock): a run that crosses into the next one
        # starts counting again, so such a run is repeated from a fresh address
        client = _browser(limited[0])
        started = window_start(utcnow(), 900)
        statuses = [
            post_form(client, "/login", {"email": f"x{n}-{uuid.uuid4().hex[:6]}@example.nl",
                                         "password": "geraden-123"}).status_code
            for n in range(11)
        ]  # fmt: skip
        if window_start(utcnow(), 900) == started:
            break
    assert statuses[:10] == [400] * 10 and statuses[10] == 429  # twice the account limit


def test_the_429_page_speaks_the_visitors_language(limited):
    client = _browser(limited[0])
    email = f"slot-{uuid.uuid4().hex[:8]}@example.nl"
    for _ in range(5):
        post_form(client, "/login", {"email": email, "password": "fout-fout-1"})
    for language, title, wait in (
        ("nl", "Te veel pogingen", "Probeer het over"),
        ("en", "Too many attempts", "Try again in"),
    ):
        client.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
        response = post_form(client, "/login", {"email": email, "password": "fout-fout-1"})
        assert response.status_code == 429
        assert 0 < int(response.headers["Retry-After"]) <= 900
        page = response.get_data(as_text=True)
        assert f'lang="{language}"' in page and title in page and wait in page


def test_invitations_are_limited_per_account(limited, db_session, now, smtp):
    item, (anna, _) = factories.initiative_with_group(db_session, now)
    db_session.commit()
    client = browse_as(_browser(limited[0]), anna)
    url = f"/initiatives/{item.id}/invitations"
    statuses = [
        submit(client, item.id, url, {"email": f"buur{n}-{uuid.uuid4().hex[:6]}@example.nl",
                                      "role": "member"}).status_code
        for n in range(5)
    ]  # fmt: skip
    assert statuses == [302, 302, 302, 429, 429]
    sent = db_session.scalar(
        select(func.count()).select_from(Invitation).where(Invitation.initiative_id == item.id)
    )
    assert sent == 3


def test_register_and_reset_are_limited_per_typed_address(limited, db_session):
    client = _browser(limited[0])
    email = f"nieuw-{uuid.uuid4().hex[:8]}@example.nl"
    statuses = [
        post_form(client, "/password/reset", {"email": email},
                  token_from="/password/reset").status_code
        for _ in range(4)
    ]  # fmt: skip
    assert statuses == [302, 302, 302, 429]


def test_an_unconfirmed_account_may_not_join_or_invite(client, db_session, now, smtp):
    item, (anna, _) = factories.initiative_with_group(db_session, now)
    db_session.commit()
    email = f"onbevestigd-{uuid.uuid4().hex[:8]}@example.nl"
    post_form(
        client, "/register",
        {"name": "Nog Niet", "email": email, "password": "wachtwoord-123",
         "confirm": "wachtwoord-123"},
        token_from="/register",
    )  # fmt: skip
    browse_as(client)
    post_form(client, "/login", {"email": email, "password": "wachtwoord-123"})
    joined = submit(client, item.id, f"/initiatives/{item.id}/join")
    assert joined.status_code == 403
    assert "Confirm your e-mail address first" in joined.get_data(as_text=True)
    members = (
        select(func.count()).select_from(Membership).where(Membership.initiative_id == item.id)
    )
    assert db_session.scalar(members) == 2  # Anna and her one neighbour
    started = post_form(client, "/initiatives/new", {"title": "Van iemand onbekend"},
                        token_from="/initiatives/new")  # fmt: skip
    assert started.status_code == 403
    # the link in the mail opens the door
    from tests.support import body_text, mail_to

    link = body_text(smtp.wait_for(mail_to(email))).split("http://verbinding.test", 1)[1].split()[0]
    client.get(link)
    assert submit(client, item.id, f"/initiatives/{item.id}/join").status_code == 302
    assert db_session.scalar(members) == 3
    assert csrf_token(client, "/")
