"""Initiators remove a member (with a reason) and choose how people join, on the pages."""

from __future__ import annotations

from sqlalchemy import select

from engine.db import utcnow
from engine.models import Membership, Step
from engine.operations import add_step
from tests import factories
from tests.factories import browse_as, initiative_with_group, stored_state, submit


def _text(response) -> str:
    return response.get_data(as_text=True)


def _members(db_session, item) -> dict[int, str]:
    db_session.rollback()
    return dict(
        db_session.execute(
            select(Membership.person_id, Membership.role).where(Membership.initiative_id == item.id)
        ).all()
    )


def test_an_initiator_removes_a_member_with_a_reason(client, db_session):
    item, (anna, bram, cor) = initiative_with_group(db_session, utcnow(), members=2)
    step = add_step(db_session, anna, item.id, stage_key="proposal", title="Flyers rondbrengen",
                    owner_id=bram.id, now=utcnow())  # fmt: skip
    db_session.commit()
    browse_as(client, anna)
    page = _text(client.get(f"/initiatives/{item.id}/members"))
    assert "Their 1 open step will have no owner." in page
    url = f"/initiatives/{item.id}/members/{bram.id}/remove"
    before = stored_state(db_session, item.id)
    response = submit(client, item.id, url, {"reason": ""})
    assert response.status_code == 400
    page = _text(response)
    assert f'id="remove-{bram.id}-reason-error"' in page
    assert "Say in a few words why" in page
    db_session.rollback()
    assert stored_state(db_session, item.id) == before

    reason = "Hield zich niet aan de afspraken van de groep."
    response = submit(client, item.id, url, {"reason": reason})
    assert response.status_code == 302
    assert bram.id not in _members(db_session, item)
    assert db_session.get(Step, step.id).owner_id is None
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Anna de Vries removed Bram Bakker from the group" in page and reason in page
    assert "1 open step of Bram Bakker no longer has an owner" in page

    # Bram sees that he was removed, may ask again, and changes nothing any more
    removed = browse_as(client.application.test_client(), bram)
    page = _text(removed.get(f"/initiatives/{item.id}"))
    assert "You were removed from this group." in page and "Ask to join" in page
    assert "Join this initiative" not in page and "Add a step" not in page
    response = submit(
        removed, item.id, f"/initiatives/{item.id}/steps",
        {"title": "Toch nog iets", "stage_key": "proposal"},
    )  # fmt: skip
    assert response.status_code == 403


def test_only_initiators_remove_and_nobody_removes_themselves(client, db_session):
    item, (anna, bram, cor) = initiative_with_group(db_session, utcnow(), members=2)
    coach = factories.staff(db_session, utcnow())
    db_session.commit()
    before = stored_state(db_session, item.id)
    for someone in (bram, coach):
        other = browse_as(client.application.test_client(), someone)
        url = f"/initiatives/{item.id}/members/{cor.id}/remove"
        assert submit(other, item.id, url, {"reason": "Zomaar"}).status_code == 403
    initiator = browse_as(client, anna)
    url = f"/initiatives/{item.id}/members/{anna.id}/remove"
    response = submit(initiator, item.id, url, {"reason": "Ik stop ermee"})
    assert response.status_code == 409
    assert "You cannot remove yourself. Leave the group instead." in _text(response)
    db_session.rollback()
    assert stored_state(db_session, item.id) == before


def test_initiators_choose_how_people_join(client, db_session):
    item, (anna, bram) = initiative_with_group(db_session, utcnow(), join_policy="approval")
    henk = factories.person(db_session, utcnow(), "Henk Mulder")
    db_session.commit()
    member = browse_as(client.application.test_client(), bram)
    page = _text(member.get(f"/initiatives/{item.id}"))
    assert 'id="join-policy"' not in page and 'id="visibility"' not in page
    url = f"/initiatives/{item.id}/join-policy"
    assert submit(member, item.id, url, {"join_policy": "open"}).status_code == 403
    response = submit(member, item.id, f"/initiatives/{item.id}/visibility",
                      {"visibility": "members"})  # fmt: skip
    assert response.status_code == 403

    browse_as(client, anna)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert 'id="join-policy"' in page and "An initiator approves each request to join" in page
    response = submit(client, item.id, url, {"join_policy": "anyone"})
    assert response.status_code == 400
    response = submit(client, item.id, url, {"join_policy": "open"})
    assert response.status_code == 302
    assert "Residents can now join the group at once." in _text(client.get(response.location))
    page = _text(client.get(f"/initiatives/{item.id}/history"))
    assert "Anna de Vries opened the group: every resident can join at once" in page

    neighbour = browse_as(client.application.test_client(), henk)
    page = _text(neighbour.get(f"/initiatives/{item.id}"))
    assert "Join this initiative" in page
    assert submit(neighbour, item.id, f"/initiatives/{item.id}/join").status_code == 302
    assert _members(db_session, item)[henk.id] == "member"
