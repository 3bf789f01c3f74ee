"""Deleting an account: nothing personal is left in any table, every page that showed the
person still renders (showing a "former member"), and the group is asked who takes over."""

from __future__ import annotations

import itertools
import json
import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.api_tokens import create_token
from engine.db import Base, utcnow
from engine.discussions.operations import post_message
from engine.models import ApiToken, LoginSession, OutboxMessage, Person
from engine.models.notifications import Notification, NotificationEvent
from engine.models.reminders import Reminder
from engine.operations import add_step, cast_vote, fire_transition, invite, open_decision
from engine.reminders.calendar import make_feed
from engine.reminders.planner import plan_for
from tests import factories
from tests.factories.initiatives import bring_in
from tests.factories.web import browse_as
from tests.support import post_form


@pytest.fixture(scope="session")
def web_app(web_app_with_storage):
    """Uploads in a local folder and in an S3 bucket, on each kind of database."""
    return web_app_with_storage


_n = itertools.count(1)


def _everything(session) -> str:
    """Every value of every row of every table, as one text to search."""
    return "\n".join(f"{where}: {value}" for where, value in _values(session))


def _values(session):
    for table in Base.metadata.sorted_tables:
        for row in session.execute(select(table)):
            for column, value in zip(table.c, row, strict=True):
                if value is not None:
                    yield f"{table.name}.{column.name}", json.dumps(str(value), ensure_ascii=False)


def _found(session, secret: str) -> list[str]:
    return [where for where, value in _values(session) if secret in value]


def _arrange(db_session):
    """Zofia starts a group, invites and is joined by Bram and Cor, writes, votes, owns a step,
    attaches a document and has a calendar address and a reset link; Bram's joining told her."""
    now = utcnow()
    n = next(_n)
    zofia = factories.person(
        db_session, now, f"Zofia Wąsik-{n}", email=f"zofia.wasik{n}@example.nl"
    )
    item = factories.initiative(db_session, now, initiator=zofia, title=f"Bankjes {n}")
    bram = factories.person(db_session, now, "Bram Bakker")
    cor = factories.person(db_session, now, "Cor Jansen")
    bring_in(db_session, item, zofia, bram, now)
    bring_in(db_session, item, zofia, cor, now)
    invite(db_session, zofia, item.id, email="nog.iemand@example.nl", role="member", now=now)
    fire_transition(db_session, zofia, item.id, "start", now)
    decision = open_decision(db_session, zofia, item.id, "plan", now, question="Zijn we klaar?")
    cast_vote(db_session, zofia, decision.id, "for", now, comment="Ja, van harte")
    post_message(db_session, zofia, initiative_id=item.id, body="Wie neemt de koffie mee?", now=now)
    post_message(db_session, bram, initiative_id=item.id, body="Ik!", now=now)
    add_step(db_session, zofia, item.id, stage_key=item.state, title="Offerte vragen", now=now,
             owner_id=zofia.id, due_date=(now + timedelta(days=10)).date())  # fmt: skip
    plan_for(db_session, item.id, now)  # her step's reminders
    factories.document(db_session, item, zofia, now, filename="kade.pdf")
    feed = make_feed(db_session, zofia, now)
    reset = factories.password_reset_token(db_session, zofia, now)
    api_token = create_token(db_session, zofia, name="wijkdashboard", scope="write", now=now)[1]
    db_session.commit()
    return item, decision, zofia, bram, (feed.token, reset, api_token)


def _hers(session, pid: int) -> dict[str, int]:
    """How many rows of the kinds that only concern her there are."""
    models = (ApiToken, Reminder, OutboxMessage, LoginSession)
    return {m.__tablename__: len(session.scalars(select(m.id).where(m.person_id == pid)).all())
            for m in models}  # fmt: skip


def test_after_deletion_no_table_holds_the_person_and_every_page_still_renders(
    client, db_session, web_app
):
    item, decision, zofia, bram, (feed_token, reset, api_token) = _arrange(db_session)
    name, email, zid = zofia.name, zofia.email, zofia.id
    browse_as(client, zofia, "en")
    api = {"Authorization": f"Bearer {api_token}"}
    assert client.get("/api/v1/me/preferences", headers=api).status_code == 200
    assert all(_hers(db_session, zid).values()), _hers(db_session, zid)
    secret_hashes = db_session.scalars(
        select(LoginSession.secret_hash).where(LoginSession.person_id == zid)
    ).all()
    assert secret_hashes
    before = _everything(db_session)
    assert name in before and email in before and feed_token in before
    stored = db_session.scalar(select(ApiToken.secret_hash).where(ApiToken.person_id == zid))
    assert stored in before and api_token not in before  # kept hashed
    page = client.get("/account/delete").get_data(as_text=True)
    assert "Delete your account" in page
    # the wrong password changes nothing
    response = post_form(client, "/account/delete", {"password": "niet-goed", "confirmed": "yes"},
                         token_from="/account/delete")  # fmt: skip
    assert response.status_code == 400
    assert "This is not your current password." in response.get_data(as_text=True)
    # without the second step nothing happens either
    response = post_form(client, "/account/delete", {"password": factories.PASSWORD},
                         token_from="/account/delete")  # fmt: skip
    assert response.status_code == 303
    db_session.expire_all()
    assert db_session.get(Person, zid).deleted_dt is None
    response = post_form(
        client, "/account/delete", {"password": factories.PASSWORD, "confirmed": "yes"},
        token_from="/account/delete",
    )  # fmt: skip
    assert response.status_code == 302
    assert "Your account is deleted" in client.get("/").get_data(as_text=True)
    assert client.get("/account").status_code == 302  # logged out

    db_session.expire_all()
    for secret in (name, email, feed_token, reset, api_token, stored, *secret_hashes):
        assert _found(db_session, secret) == [], secret
    assert _hers(db_session, zid) == dict.fromkeys(_hers(db_session, zid), 0)
    assert client.get("/api/v1/me/preferences", headers=api).status_code == 401
    assert client.get(f"/calendar/{feed_token}.ics").status_code == 404
    response = post_form(client, "/login", {"email": email, "password": factories.PASSWORD})
    assert response.status_code == 400  # the account is gone

    # what she did stays readable, by a "former member"
    browse_as(client, bram, "en")
    pages = {
        "initiative": f"/initiatives/{item.id}",
        "history": f"/initiatives/{item.id}/history",
        "members": f"/initiatives/{item.id}/members",
        "discussion": f"/initiatives/{item.id}/discussion",
        "decision": f"/initiatives/{item.id}/decisions/{decision.id}/discussion",
    }
    for what, url in pages.items():
        response = client.get(url)
        text = response.get_data(as_text=True)
        assert response.status_code == 200, what
        assert "[voormalig lid]" not in text, what
    assert "former member" in client.get(pages["history"]).get_data(as_text=True)
    # and through the API, which shows the same history
    bram_token = create_token(db_session, bram, name="t", scope="read", now=utcnow())[1]
    db_session.commit()
    as_bram = {"Authorization": f"Bearer {bram_token}", "Accept-Language": "en"}
    read = client.get(f"/api/v1/initiatives/{item.id}", headers=as_bram)
    assert read.status_code == 200 and name not in read.get_data(as_text=True)
    assert "former member" in read.get_data(as_text=True)
    assert "[voormalig lid]" not in read.get_data(as_text=True)  # as the pages say it
    assert "Wie neemt de koffie mee?" in client.get(pages["discussion"]).get_data(as_text=True)
    browse_as(client, bram, "nl")
    assert "voormalig lid" in client.get(pages["history"]).get_data(as_text=True)

    # the group is asked who takes over; Bram does
    asked = db_session.scalar(
        select(Notification.id)
        .join(NotificationEvent, NotificationEvent.id == Notification.event_id)
        .where(NotificationEvent.kind == "initiator_needed", Notification.person_id == bram.id)
    )
    assert asked is not None
    browse_as(client, bram, "en")
    assert "Who of you takes over?" in client.get("/notifications").get_data(as_text=True)
    url = f"/initiatives/{item.id}/take-over"
    assert "I take over as initiator" in client.get(url).get_data(as_text=True)
    response = post_form(client, url, token_from=url)
    assert response.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "This group has an initiator" in page
    members = client.get(pages["members"]).get_data(as_text=True)
    assert re.search(r"Bram Bakker.*?Initiator", members, re.S)
