"""A coach's note and a concern's reason are read by the group and the staff, nobody else —
also where they appear in the history (the initiative page and the whole history)."""

from __future__ import annotations

import pytest

from engine.db import utcnow
from engine.operations import add_coach_note, clear_concern, raise_concern
from tests import factories
from tests.factories.web import browse_as

NOTE = "Privé: de penningmeester is ziek"
REASON = "Zorg: ruzie in de groep over geld"
CLEARED = "Opgelost na gesprek met Anna"


@pytest.fixture(scope="module")
def noted(web_app):
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    try:
        people = factories.people_in_every_role(session, now)
        item = factories.initiative_for_roles(session, now, people)
        add_coach_note(session, people["coach"], item.id, body=NOTE, now=now)
        raise_concern(session, people["coach"], item.id, reason=REASON, now=now)
        clear_concern(session, people["coach"], item.id, now=now, note=CLEARED)
        session.commit()
        return item.id, people
    finally:
        session.close()


@pytest.mark.parametrize(
    "who, sees", [(None, False), ("outsider", False), ("member", True), ("coach", True)]
)
def test_private_words_in_the_history_only_for_the_group_and_staff(web_app, noted, who, sees):
    item, people = noted
    client = browse_as(web_app.test_client(), people[who] if who else None)
    for url in (f"/initiatives/{item}", f"/initiatives/{item}/history"):
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert "flagged a concern" in page  # that it happened is public history
        for words in (NOTE, REASON, CLEARED):
            assert (words in page) is sees, (who, url, words)
