"""Asking to swap a turn through the pages, in Dutch and English: Cor asks, Bram sees the
question on his maintenance page (and a notice on the initiative page) and answers; the
history tells it in both languages."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.db import utcnow
from engine.models import Occurrence, SwapProposal
from tests import factories
from tests.support import login, post_form, read


@pytest.fixture
def group(db_session):
    g = factories.maintenance_group(db_session, utcnow())
    db_session.commit()
    return g


def _holders(db_session, *ids):
    db_session.expire_all()
    return [db_session.get(Occurrence, i).assignee_id for i in ids]


def _ask(client, g, mine, data):
    url = f"/initiatives/{g.item.id}/maintenance/turns/{mine}/swap"
    return post_form(client, url, data, token_from=url)


def _turns(db_session, g):
    return g.turn_of(db_session, g.member).id, g.turn_of(db_session, g.board).id


def test_ask_then_the_other_agrees_in_english(client, db_session, group):
    g = group
    mine, theirs = _turns(db_session, g)
    login(client, g.member.email)
    client.get("/language/en")
    page = client.get(f"/initiatives/{g.item.id}/maintenance/turns/{mine}/swap")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "<h1" in text and "Ask to swap a turn" in text
    assert "Swap with the turn of Bram Bos" in text and "Ask Anna de Vries to take it over" in text
    assert "Swap with the turn of Cor Dijk" not in text  # not with oneself
    # nothing chosen: the reason at the field, nothing asked
    response = _ask(client, g, mine, {})
    assert response.status_code == 400
    assert 'id="other-error"' in response.get_data(as_text=True)
    response = _ask(client, g, mine, {"other": f"turn-{theirs}", "note": "Ik ben dan weg."})
    # a success lands on its banner, which links back to the questions (web/feedback.py)
    assert response.status_code == 302 and response.headers["Location"].endswith("#melding")
    overview = client.get(response.headers["Location"]).get_data(as_text=True)
    assert 'href="#swaps"' in overview
    assert "Your question is on its way to Bram Bos" in overview
    assert "You asked Bram Bos to swap turns of ‘Kade vegen’" in overview
    assert _holders(db_session, mine, theirs) == [g.member.id, g.board.id]

    bram = client.application.test_client()
    login(bram, g.board.email)
    bram.get("/language/en")
    show = bram.get(f"/initiatives/{g.item.id}").get_data(as_text=True)
    assert "1 question to swap a turn waits for your answer" in show
    overview = bram.get(f"/initiatives/{g.item.id}/maintenance").get_data(as_text=True)
    assert "Cor Dijk asks you to swap turns of ‘Kade vegen’" in overview
    assert "Ik ben dan weg." in overview
    (question,) = db_session.scalars(
        select(SwapProposal.id).where(SwapProposal.initiative_id == g.item.id)
    ).all()
    url = f"/initiatives/{g.item.id}/maintenance/swaps/answer"
    response = post_form(
        bram, url, {"swap": question, "answer": "accept"}, token_from=f"/initiatives/{g.item.id}"
    )
    assert response.status_code == 302
    assert "the turns have changed hands" in bram.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert _holders(db_session, mine, theirs) == [g.board.id, g.member.id]
    history = read(bram.get(f"/initiatives/{g.item.id}/history").get_data(as_text=True))
    assert "Cor Dijk asked Bram Bos to swap turns of ‘Kade vegen’" in history
    assert "Bram Bos swapped turns of ‘Kade vegen’ with Cor Dijk" in history


def test_ask_to_take_over_decline_and_withdraw_in_dutch(client, db_session, group):
    g = group
    mine, _ = _turns(db_session, g)
    login(client, g.member.email)
    client.get("/language/nl")
    page = client.get(f"/initiatives/{g.item.id}/maintenance/turns/{mine}/swap")
    text = page.get_data(as_text=True)
    assert "Vraag om een beurt te ruilen" in text
    assert "Vraag Anna de Vries om hem over te nemen" in text
    assert _ask(client, g, mine, {"other": f"person-{g.initiator.id}"}).status_code == 302
    overview = client.get(f"/initiatives/{g.item.id}/maintenance").get_data(as_text=True)
    assert "Je vroeg Anna de Vries om je beurt van ‘Kade vegen’" in overview

    anna = client.application.test_client()
    login(anna, g.initiator.email)
    anna.get("/language/nl")
    overview = anna.get(f"/initiatives/{g.item.id}/maintenance").get_data(as_text=True)
    assert "Cor Dijk vraagt je om de beurt van ‘Kade vegen’" in overview
    question = db_session.scalar(select(SwapProposal.id).where(SwapProposal.occurrence_id == mine))
    answer = f"/initiatives/{g.item.id}/maintenance/swaps/answer"
    token = f"/initiatives/{g.item.id}/maintenance"
    response = post_form(anna, answer, {"swap": question, "answer": "decline"}, token_from=token)
    assert "er verandert niets" in anna.get(response.headers["Location"]).get_data(as_text=True)
    assert _holders(db_session, mine) == [g.member.id]

    # Cor asks again and withdraws the question
    assert _ask(client, g, mine, {"other": f"person-{g.board.id}"}).status_code == 302
    again = db_session.scalar(
        select(SwapProposal.id).where(
            SwapProposal.occurrence_id == mine, SwapProposal.status == "pending"
        )
    )
    withdraw = f"/initiatives/{g.item.id}/maintenance/swaps/withdraw"
    response = post_form(client, withdraw, {"swap": again}, token_from=token)
    assert "Je vraag is ingetrokken" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    db_session.expire_all()
    assert db_session.get(SwapProposal, again).status == "withdrawn"
    history = client.get(f"/initiatives/{g.item.id}/history").get_data(as_text=True)
    for sentence in (
        "Cor Dijk heeft Anna de Vries gevraagd om de beurt van ‘Kade vegen’",
        "Anna de Vries heeft de beurt van Cor Dijk voor ‘Kade vegen’",
        "Cor Dijk heeft de vraag aan Bram Bos om een beurt",
    ):
        assert sentence in history, sentence


def test_the_board_changes_a_turn_at_once_and_the_history_says_so(client, db_session, group):
    g = group
    annas = g.turn_of(db_session, g.initiator).id
    login(client, g.board.email)
    for lang, says in (
        ("en", "Bram Bos gave the turn of ‘Kade vegen’"),
        ("nl", "Bram Bos heeft de beurt van ‘Kade vegen’"),
    ):
        client.get(f"/language/{lang}")
        page = client.get(f"/initiatives/{g.item.id}/maintenance/turns/{annas}/swap")
        assert page.status_code == 200
        if lang == "en":
            assert "Give the turn to Cor Dijk" in page.get_data(as_text=True)
            response = _ask(client, g, annas, {"other": f"person-{g.member.id}"})
            assert response.status_code == 302
            assert _holders(db_session, annas) == [g.member.id]
        history = read(client.get(f"/initiatives/{g.item.id}/history").get_data(as_text=True))
        assert says in history and "Cor Dijk" in history


def test_a_board_change_reads_in_the_history(client, db_session, group):
    g = group
    login(client, g.initiator.email)
    edit = f"/initiatives/{g.item.id}/maintenance/association/edit"
    data = {
        "name": "Bewonersvereniging Voermanhaven", "contact_person": str(g.initiator.id),
        f"place_{g.initiator.id}": "chair", f"place_{g.board.id}": "member",
        f"place_{g.member.id}": "secretary",
    }  # fmt: skip
    assert post_form(client, edit, data, token_from=edit).status_code == 302
    for lang, says in (
        ("en", ("Cor Dijk is now secretary", "Bram Bos left the board")),
        ("nl", ("Cor Dijk is nu secretaris", "Bram Bos zit niet meer in het bestuur")),
    ):
        client.get(f"/language/{lang}")
        history = client.get(f"/initiatives/{g.item.id}/history").get_data(as_text=True)
        for sentence in says:
            assert sentence in history, (lang, sentence)
