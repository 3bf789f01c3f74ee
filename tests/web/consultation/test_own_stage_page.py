"""The plan page × a consultation on the group's own stage: the group that was in its own stage,
asked the neighbourhood there and came back before it cannot remove the stage; the page says why
in words, in both languages, and nothing changes. (The way back is in
tests/engine/consultations/test_own_stage.py; here the consultation is put in place directly.)"""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.db import utcnow
from engine.models.consultations import Consultation, ConsultationPost
from engine.timeutil import local_date
from tests import factories
from tests.factories import browse_as, initiative_with_group, stored_state, submit
from tests.support import read

REASONS = {
    "en": "The group asked the neighbourhood for their ideas in this stage.",
    "nl": "De groep heeft de buurt in deze fase om ideeën gevraagd.",
}


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_an_own_stage_with_a_consultation_is_not_removed(client, db_session, locale):
    now = utcnow()
    item, (anna, _) = initiative_with_group(db_session, now)
    db_session.commit()
    browse_as(client, anna)
    client.get(f"/language/{locale}")
    url = f"/initiatives/{item.id}/stages/proposal/insert"
    assert submit(client, item.id, url, {"title": "Buurt peilen"}).status_code == 302
    db_session.rollback()
    found = Consultation(
        initiative_id=item.id, stage_key="own_1", question="Wat mist er?",
        ends_on=local_date(now) + timedelta(days=7), closes_dt=now + timedelta(days=8),
        opened_by_id=anna.id, opened_dt=now,
    )  # fmt: skip
    db_session.add(found)
    buur = factories.person(db_session, now, "Buur Bakker")
    db_session.flush()
    db_session.add(ConsultationPost(
        consultation_id=found.id, initiative_id=item.id, kind="idea", author_id=buur.id,
        body="Een speeltuin", created_dt=now,
    ))  # fmt: skip
    db_session.commit()
    before = stored_state(db_session, item.id)
    response = submit(client, item.id, f"/initiatives/{item.id}/stages/own_1/remove")
    assert response.status_code == 409
    assert REASONS[locale] in read(response.get_data(as_text=True))
    db_session.rollback()
    assert stored_state(db_session, item.id) == before
    page = read(client.get(f"/initiatives/{item.id}/consultation?fase=own_1").get_data(
        as_text=True))  # fmt: skip
    assert "Een speeltuin" in page
