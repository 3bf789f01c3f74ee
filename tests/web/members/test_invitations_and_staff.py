"""An invitation is for its address; staff never join; a coach starts one on behalf of residents."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.db import utcnow
from engine.models import Initiative, Membership
from engine.operations import invite
from tests import factories
from tests.factories import browse_as, initiative_with_group, stored_state, submit
from tests.support import body_text, deliver_outbox, mail_to, post_form


def _text(response) -> str:
    return response.get_data(as_text=True)


def _members(db_session, initiative_id: int) -> dict[int, str]:
    db_session.rollback()
    return dict(
        db_session.execute(
            select(Membership.person_id, Membership.role).where(
                Membership.initiative_id == initiative_id
            )
        ).all()
    )


def test_someone_logged_in_with_another_address_is_told_and_kept_out(client, db_session):
    item, (anna, _) = initiative_with_group(db_session, utcnow())
    invitation = invite(
        db_session, anna, item.id, email="jan.jansen@example.nl", role="member", now=utcnow()
    )
    kees = factories.person(db_session, utcnow(), "Kees Buitenstaander", email="kees@example.nl")
    db_session.commit()
    link = f"/invitations/{invitation.token}"
    for locale, told in (
        ("en", "This invitation was sent to another e-mail address (j…@example.nl)."),
        ("nl", "We hebben deze uitnodiging naar een ander e-mailadres gestuurd (j…@example.nl)."),
    ):
        other = browse_as(client.application.test_client(), kees, locale=locale)
        page = _text(other.get(link))
        assert told in page
        assert "jan.jansen" not in page  # not the whole address: it is not theirs
        assert f'action="{link}/accept"' not in page
    before = stored_state(db_session, item.id)
    response = post_form(other, f"{link}/accept", token_from=link)
    assert response.status_code == 409
    assert "ander e-mailadres" in _text(response)
    db_session.rollback()
    assert stored_state(db_session, item.id) == before
    # "log out and log in with the invited address" leads back to the invitation
    response = post_form(other, "/logout", {"next": f"/login?next={link}"}, token_from=link)
    assert response.headers["Location"] == f"/login?next={link}"


def test_staff_see_why_they_cannot_accept(client, db_session):
    item, (anna, _) = initiative_with_group(db_session, utcnow())
    invitation = invite(
        db_session, anna, item.id, email="sanne@example.nl", role="member", now=utcnow()
    )
    sanne = factories.person(
        db_session, utcnow(), "Sanne Visser", role="coach", email="sanne@example.nl"
    )
    db_session.commit()
    link = f"/invitations/{invitation.token}"
    browse_as(client, sanne)
    page = _text(client.get(link))
    assert "Staff support initiatives" in page and f'action="{link}/accept"' not in page
    response = post_form(client, f"{link}/accept", token_from=link)
    assert response.status_code == 409
    assert sanne.id not in _members(db_session, item.id)


def test_inviting_a_coach_is_refused_at_the_field(client, db_session):
    item, (anna, _) = initiative_with_group(db_session, utcnow())
    coach = factories.staff(db_session, utcnow())
    db_session.commit()
    browse_as(client, anna)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/invitations",
        {"email": coach.email, "role": "member"},
    )  # fmt: skip
    assert response.status_code == 400
    page = _text(response)
    assert 'id="invite-email-error"' in page and "belongs to a process coach" in page


def test_a_coach_starts_an_initiative_on_behalf_of_residents_and_hands_it_over(
    client, db_session, smtp
):
    sanne = factories.staff(db_session, utcnow(), name="Sanne Visser")
    henk = factories.person(db_session, utcnow(), "Henk Mulder")
    paddepoel = factories.neighbourhood(db_session)
    db_session.commit()
    browse_as(client, sanne)
    page = _text(client.get("/initiatives/new"))
    assert "You start this initiative on behalf of residents." in page
    response = post_form(
        client, "/initiatives/new",
        {"workflow": "proefproces", "neighbourhood": str(paddepoel.id),
         "title": "Groene speelplek Selwerd", "description": "Voor de ouders van de buurt.",
         "visibility": "public", "join_policy": "approval"},
        token_from="/initiatives/new",
    )  # fmt: skip
    assert response.status_code == 302
    iid = int(re.search(r"/initiatives/(\d+)", response.headers["Location"]).group(1))
    page = _text(client.get(response.headers["Location"]))
    assert "The initiative has started on behalf of residents." in page
    assert "Started by a process coach on behalf of residents" in page
    assert "No resident has joined yet." in page and 'id="invite"' in page
    assert _members(db_session, iid) == {}
    assert db_session.get(Initiative, iid).created_by_id == sanne.id

    # the coach looks after the basics and invites, but does not set the group's rules
    response = submit(client, iid, f"/initiatives/{iid}/edit",
                      {"title": "Groene speelplek Siersteenlaan", "description": ""})  # fmt: skip
    assert response.status_code == 302
    response = submit(client, iid, f"/initiatives/{iid}/visibility", {"visibility": "members"})
    assert response.status_code == 403
    response = submit(client, iid, f"/initiatives/{iid}/invitations",
                      {"email": "karin@example.nl", "role": "initiator"})  # fmt: skip
    assert response.status_code == 302

    # a neighbour cannot just come in: they ask the coach for an invitation
    neighbour = browse_as(client.application.test_client(), henk)
    page = _text(neighbour.get(f"/initiatives/{iid}"))
    assert "Ask the process coach for an invitation." in page and 'id="ask"' not in page
    response = submit(neighbour, iid, f"/initiatives/{iid}/join-requests", {"role": "member"})
    assert response.status_code == 409

    # Karin accepts and leads; the coach steps back
    deliver_outbox(client.application)
    mail = smtp.wait_for(mail_to("karin@example.nl"), timeout=0)
    link = re.search(r"http://verbinding\.test(/invitations/\S+)", body_text(mail)).group(1)
    karin = factories.person(db_session, utcnow(), "Karin de Boer", email="karin@example.nl")
    db_session.commit()
    resident = browse_as(client.application.test_client(), karin)
    assert post_form(resident, f"{link}/accept", token_from=link).status_code == 302
    assert _members(db_session, iid) == {karin.id: "initiator"}
    page = _text(resident.get(f"/initiatives/{iid}"))
    assert "Karin de Boer joined as the first resident and leads the initiative" in page
    assert "Sanne Visser started the initiative on behalf of residents" in page
    response = submit(client, iid, f"/initiatives/{iid}/edit",
                      {"title": "Weer anders", "description": ""})  # fmt: skip
    assert response.status_code == 403
    assert 'id="invite"' not in _text(client.get(f"/initiatives/{iid}"))
