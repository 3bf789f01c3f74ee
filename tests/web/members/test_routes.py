"""The group: invitations by mail, joining a public initiative, leaving, roles and partners."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import select

from engine.db import utcnow
from engine.models import Membership
from tests import factories
from tests.factories import browse_as, initiative_with_group, submit
from tests.support import body_text, csrf_token, mail_to, post_form


def _text(response) -> str:
    return response.get_data(as_text=True)


def _arrange(db_session, **kw):
    item, group = initiative_with_group(db_session, utcnow(), **kw)
    db_session.commit()
    return item, group


def _roles(db_session, item) -> dict[int, tuple[str, str | None]]:
    db_session.rollback()
    rows = db_session.execute(
        select(Membership.person_id, Membership.role, Membership.organisation).where(
            Membership.initiative_id == item.id
        )
    )
    return {pid: (role, organisation) for pid, role, organisation in rows}


def test_invite_by_mail_and_accept_after_logging_in(client, db_session, smtp):
    item, (anna, _) = _arrange(db_session, visibility="members")
    email = f"terra-{uuid.uuid4().hex[:8]}@example.nl"
    browse_as(client, anna)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/invitations",
        {"email": email, "role": "partner", "organisation": "Terra College"},
    )  # fmt: skip
    assert response.status_code == 302
    assert f"We sent an invitation to {email}" in _text(client.get(response.headers["Location"]))
    mail = smtp.wait_for(mail_to(email))
    link = re.search(r"http://verbinding\.test(/invitations/\S+)", body_text(mail)).group(1)
    assert "Anna de Vries" in str(mail["Subject"])

    # the invited neighbour follows the link: what, who, as what; log in first
    guest = browse_as(client.application.test_client())
    page = _text(guest.get(link))
    assert item.title in page and "Anna de Vries" in page and "Terra College" in page
    assert f"/login?next={link}" in page.replace("%2F", "/")
    marieke = factories.person(db_session, utcnow(), "Marieke Jansen", email=email)
    db_session.commit()
    response = post_form(
        guest, f"/login?next={link}", {"email": email, "password": factories.PASSWORD}
    )
    assert response.headers["Location"] == link  # back to the invitation
    page = _text(guest.get(link))
    assert "Accept and join the group" in page
    response = post_form(guest, f"{link}/accept", token_from=link)
    assert response.status_code == 302
    page = _text(guest.get(response.headers["Location"]))  # the members-only page opens
    assert "Welcome to the group" in page and "for Terra College" in page
    assert _roles(db_session, item)[marieke.id] == ("partner", "Terra College")
    # the link works once
    again = post_form(guest, f"{link}/accept", token_from=link)
    assert again.status_code == 409 and "already been used" in _text(again)


def test_an_invitation_needs_a_valid_address_and_a_partner_an_organisation(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    url = f"/initiatives/{item.id}/invitations"
    response = submit(client, item.id, url, {"email": "geen-adres", "role": "member"})
    assert response.status_code == 400 and 'value="geen-adres"' in _text(response)
    response = submit(client, item.id, url, {"email": "school@example.nl", "role": "partner"})
    assert response.status_code == 400
    page = _text(response)
    assert "Say which organisation the partner stands for." in page
    assert 'value="school@example.nl"' in page


def test_only_initiators_invite_initiators_and_change_roles(client, db_session):
    item, (anna, bram, cor) = _arrange(db_session, members=2)
    browse_as(client, bram)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Change role" not in page and '<option value="initiator">' not in page
    response = submit(
        client, item.id, f"/initiatives/{item.id}/invitations",
        {"email": "baas@example.nl", "role": "initiator"},
    )  # fmt: skip
    assert response.status_code == 403
    assert "Only initiators can invite someone as initiator." in _text(response)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/members/{cor.id}/role", {"role": "initiator"}
    )
    assert response.status_code == 403

    anna_client = browse_as(client.application.test_client(), anna)
    url = f"/initiatives/{item.id}/members/{cor.id}/role"
    response = submit(anna_client, item.id, url, {"role": "partner"})
    assert response.status_code == 400  # a partner stands for an organisation
    response = submit(
        anna_client, item.id, url, {"role": "partner", "organisation": "Bakkerij De Korrel"}
    )
    assert response.status_code == 302
    response = submit(anna_client, item.id, f"/initiatives/{item.id}/members/{bram.id}/role",
                      {"role": "initiator"})  # fmt: skip
    assert response.status_code == 302
    roles = _roles(db_session, item)
    assert roles[cor.id] == ("partner", "Bakkerij De Korrel")
    assert roles[bram.id] == ("initiator", None)
    page = _text(anna_client.get(f"/initiatives/{item.id}"))
    assert "Anna de Vries made Bram Bakker initiator" in page
    assert "Cor Jansen</strong>" in page and "for Bakkerij De Korrel" in page
    # roles are changed on the members page, where a refusal comes back filled in
    members = _text(anna_client.get(f"/initiatives/{item.id}/members"))
    assert members.count("Change role") == 3
    bram_url = f"/initiatives/{item.id}/members/{bram.id}/role"
    response = submit(anna_client, item.id, bram_url, {"role": "partner", "organisation": ""})
    assert response.status_code == 400
    page = _text(response)
    assert f"The group of “{item.title}”" in page
    assert f'id="role-{bram.id}-organisation-error"' in page
    assert _roles(db_session, item)[bram.id] == ("initiator", None)


def test_join_a_public_initiative_and_leave_it(client, db_session):
    item, (anna, _) = _arrange(db_session)
    neighbour = factories.person(db_session, utcnow(), "Henk")
    db_session.commit()
    browse_as(client, neighbour)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Join this initiative" in page and "Add a step" not in page
    response = submit(client, item.id, f"/initiatives/{item.id}/join")
    assert response.status_code == 302
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Add a step" in page and "Henk joined the group as member" in page
    response = submit(client, item.id, f"/initiatives/{item.id}/leave")
    assert response.status_code == 302
    assert neighbour.id not in _roles(db_session, item)
    assert "Henk left the group" in _text(client.get(f"/initiatives/{item.id}"))


def test_the_only_initiator_cannot_leave(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    response = submit(client, item.id, f"/initiatives/{item.id}/leave")
    assert response.status_code == 409
    assert "You are the only initiator." in _text(response)
    assert anna.id in _roles(db_session, item)


def test_a_coach_does_not_join_and_an_outsider_cannot_join_a_hidden_initiative(client, db_session):
    item, _ = _arrange(db_session)
    hidden, _ = _arrange(db_session, visibility="members")
    coach = factories.person(db_session, utcnow(), "Sanne Visser", role="coach")
    outsider = factories.person(db_session, utcnow())
    db_session.commit()
    browse_as(client, coach)
    assert "Join this initiative" not in _text(client.get(f"/initiatives/{item.id}"))
    response = post_form(client, f"/initiatives/{item.id}/join")
    assert response.status_code == 409
    assert "Staff support initiatives" in _text(response)
    other = browse_as(client.application.test_client(), outsider)
    response = other.post(f"/initiatives/{hidden.id}/join", data={"csrf_token": csrf_token(other)})
    assert response.status_code == 404
    assert coach.id not in _roles(db_session, item)


def test_an_unknown_invitation_link_is_not_found(client):
    assert client.get("/invitations/no-such-token").status_code == 404
