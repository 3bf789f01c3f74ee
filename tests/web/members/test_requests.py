"""Asking to join, as the neighbour and the initiators see it: the initiative page and the
members page, in English and in Dutch, with forged requests changing nothing."""

from __future__ import annotations

from sqlalchemy import select

from engine.db import utcnow
from engine.models import JoinRequest, Membership
from engine.operations import request_to_join
from tests import factories
from tests.factories import browse_as, initiative_with_group, stored_state, submit


def _text(response) -> str:
    return response.get_data(as_text=True)


def _arrange(db_session, **kw):
    """An initiative on approval (the default): Anna leads, Bram is a member; Henk lives near."""
    kw.setdefault("join_policy", "approval")
    item, group = initiative_with_group(db_session, utcnow(), **kw)
    henk = factories.person(db_session, utcnow(), "Henk Mulder")
    db_session.commit()
    return item, group, henk


def _requests(db_session, item, person) -> list[tuple]:
    """The requests of one person (the group's own were approved while it was arranged)."""
    db_session.rollback()
    return [
        tuple(r)
        for r in db_session.execute(
            select(JoinRequest.person_id, JoinRequest.status, JoinRequest.reason)
            .where(JoinRequest.initiative_id == item.id, JoinRequest.person_id == person.id)
            .order_by(JoinRequest.id)
        )
    ]


def _member_ids(db_session, item) -> set[int]:
    db_session.rollback()
    return set(
        db_session.scalars(select(Membership.person_id).where(Membership.initiative_id == item.id))
    )


def test_a_neighbour_asks_and_an_initiator_lets_them_in(client, db_session):
    item, (anna, bram), henk = _arrange(db_session)
    browse_as(client, henk)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Ask to join" in page and "Join this initiative" not in page
    response = submit(
        client, item.id, f"/initiatives/{item.id}/join-requests",
        {"role": "member", "message": "Ik woon om de hoek en help graag met de flyers."},
    )  # fmt: skip
    assert response.status_code == 302
    page = _text(client.get(response.headers["Location"]))
    assert "Your request to join is sent." in page
    assert "You asked to join on" in page and "Withdraw your request" in page
    assert "Henk Mulder asked to join the group as member" in page
    assert "Ik woon om de hoek" not in page  # the message is for the initiators only

    # a member sees the group, not the requests
    member = browse_as(client.application.test_client(), bram)
    page = _text(member.get(f"/initiatives/{item.id}/members"))
    assert "Requests to join" not in page and "Ik woon om de hoek" not in page

    initiator = browse_as(client.application.test_client(), anna)
    page = _text(initiator.get(f"/initiatives/{item.id}"))
    assert "1 request to join waits for your answer." in page
    page = _text(initiator.get(f"/initiatives/{item.id}/members"))
    assert "Henk Mulder" in page and "Ik woon om de hoek en help graag met de flyers." in page
    request_id = db_session.scalar(
        select(JoinRequest.id).where(
            JoinRequest.initiative_id == item.id, JoinRequest.status == "pending"
        )
    )
    response = submit(
        initiator, item.id, f"/initiatives/{item.id}/join-requests/{request_id}/approve"
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/initiatives/{item.id}/members#melding")
    page = _text(initiator.get(response.headers["Location"]))
    assert 'href="#requests"' in page  # the banner links back to the requests
    assert "The request is approved" in page and "No requests are waiting for an answer." in page
    assert "for your answer" not in _text(initiator.get(f"/initiatives/{item.id}"))
    assert henk.id in _member_ids(db_session, item)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Anna de Vries let Henk Mulder into the group as member" in page
    assert "Add a step" in page  # Henk takes part now


def test_a_request_in_dutch(client, db_session):
    item, (anna, _), henk = _arrange(db_session)
    browse_as(client, henk, locale="nl")
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Vraag om mee te doen" in page
    submit(client, item.id, f"/initiatives/{item.id}/join-requests", {"role": "member"})
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Je hebt op" in page and "Trek je verzoek in" in page
    assert "Henk Mulder vroeg om mee te doen als lid" in page
    initiator = browse_as(client.application.test_client(), anna, locale="nl")
    page = _text(initiator.get(f"/initiatives/{item.id}/members"))
    assert "Verzoeken om mee te doen" in page and "Toelaten" in page


def test_a_bad_request_comes_back_filled_in(client, db_session):
    item, _, henk = _arrange(db_session)
    browse_as(client, henk)
    before = stored_state(db_session, item.id)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/join-requests",
        {"role": "partner", "organisation": "", "message": "Namens de school"},
    )  # fmt: skip
    assert response.status_code == 400
    page = _text(response)
    assert "Say which organisation the partner stands for." in page
    assert 'id="ask-organisation-error"' in page and "Namens de school</textarea>" in page
    db_session.rollback()
    assert stored_state(db_session, item.id) == before and _requests(db_session, item, henk) == []


def test_declined_with_a_reason_the_neighbour_reads_it_and_asks_again(client, db_session):
    item, (anna, _), henk = _arrange(db_session)
    asked = request_to_join(db_session, henk, item.id, utcnow())
    db_session.commit()
    initiator = browse_as(client.application.test_client(), anna)
    url = f"/initiatives/{item.id}/join-requests/{asked.id}/decline"
    response = submit(initiator, item.id, url, {"reason": "x" * 1001})
    assert response.status_code == 400
    assert f'id="decline-{asked.id}-reason-error"' in _text(response)
    assert _requests(db_session, item, henk) == [(henk.id, "pending", None)]
    reason = "We zoeken eerst mensen uit de straat zelf."
    response = submit(initiator, item.id, url, {"reason": reason})
    assert response.status_code == 302
    assert _requests(db_session, item, henk) == [(henk.id, "declined", reason)]

    browse_as(client, henk)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "to join was declined." in page and reason in page
    assert "You can ask again" in page
    assert f'action="/initiatives/{item.id}/join-requests"' in page
    assert "Anna de Vries declined the request of Henk Mulder to join" in page
    response = submit(client, item.id, f"/initiatives/{item.id}/join-requests", {"role": "member"})
    assert response.status_code == 302
    assert _requests(db_session, item, henk)[-1][:2] == (henk.id, "pending")


def test_withdrawing_a_request(client, db_session):
    item, _, henk = _arrange(db_session)
    request_to_join(db_session, henk, item.id, utcnow())
    db_session.commit()
    browse_as(client, henk)
    response = submit(client, item.id, f"/initiatives/{item.id}/join-requests/withdraw")
    assert response.status_code == 302
    assert _requests(db_session, item, henk) == [(henk.id, "withdrawn", None)]
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Henk Mulder withdrew their request to join" in page and "Ask to join" in page
    # nothing left to withdraw: told plainly, nothing changes
    response = submit(client, item.id, f"/initiatives/{item.id}/join-requests/withdraw")
    assert response.status_code == 409
    assert "You have no open request to join this initiative." in _text(response)


def test_asking_twice_and_staff_asking_are_refused(client, db_session):
    item, (_, bram), henk = _arrange(db_session)
    coach = factories.staff(db_session, utcnow())
    db_session.commit()
    browse_as(client, henk)
    url = f"/initiatives/{item.id}/join-requests"
    assert submit(client, item.id, url, {"role": "member"}).status_code == 302
    response = submit(client, item.id, url, {"role": "member"})
    assert response.status_code == 409 and "You already asked to join" in _text(response)
    for someone in (coach, bram):
        other = browse_as(client.application.test_client(), someone)
        assert "Ask to join" not in _text(other.get(f"/initiatives/{item.id}"))
        assert submit(other, item.id, url, {"role": "member"}).status_code == 409
    assert [r[:2] for r in _requests(db_session, item, henk)] == [(henk.id, "pending")]


def test_only_initiators_answer_and_forged_answers_change_nothing(client, db_session):
    item, (anna, bram), henk = _arrange(db_session)
    other, (olga, _) = initiative_with_group(
        db_session, utcnow(), join_policy="approval", title="Speeltuin Selwerd"
    )
    theirs = request_to_join(db_session, henk, other.id, utcnow())
    mine = request_to_join(
        db_session, factories.person(db_session, utcnow(), "Ina"), item.id, utcnow()
    )
    db_session.commit()
    before = stored_state(db_session, item.id), stored_state(db_session, other.id)
    # a member of the group is not an initiator
    member = browse_as(client.application.test_client(), bram)
    for action in ("approve", "decline"):
        url = f"/initiatives/{item.id}/join-requests/{mine.id}/{action}"
        assert submit(member, item.id, url).status_code == 403
    # Anna leads her initiative and puts the other initiative's request in her URL
    initiator = browse_as(client.application.test_client(), anna)
    for action in ("approve", "decline"):
        url = f"/initiatives/{item.id}/join-requests/{theirs.id}/{action}"
        response = submit(initiator, item.id, url)
        assert response.status_code == 404
        assert "This request to join does not exist." in _text(response)
        # …or the other initiative's id, where she is nobody
        url = f"/initiatives/{other.id}/join-requests/{theirs.id}/{action}"
        assert submit(initiator, other.id, url).status_code == 403
    # and removes someone of the other group through her own initiative
    url = f"/initiatives/{item.id}/members/{olga.id}/remove"
    assert submit(initiator, item.id, url, {"reason": "Niet van ons"}).status_code == 404
    db_session.rollback()
    assert (stored_state(db_session, item.id), stored_state(db_session, other.id)) == before
    assert {r[1] for r in _requests(db_session, other, henk)} == {"pending"}


def test_the_members_page_shows_each_visitor_what_is_theirs(client, db_session):
    item, (anna, bram), henk = _arrange(db_session)
    hidden, _ = initiative_with_group(db_session, utcnow(), visibility="members")
    request_to_join(db_session, henk, item.id, utcnow(), message="Graag!")
    db_session.commit()
    url = f"/initiatives/{item.id}/members"
    anonymous = _text(client.get(url))
    assert "Anna de Vries" in anonymous and "Bram Bakker" in anonymous
    assert "Requests to join" not in anonymous and "Remove from the group" not in anonymous
    assert client.get(f"/initiatives/{hidden.id}/members").status_code == 404
    initiator = browse_as(client.application.test_client(), anna)
    page = _text(initiator.get(url))
    assert "Requests to join" in page and "Graag!" in page
    # the initiator removes others, not herself: she leaves instead
    assert f'action="/initiatives/{item.id}/members/{bram.id}/remove"' in page
    assert f'action="/initiatives/{item.id}/members/{anna.id}/remove"' not in page
