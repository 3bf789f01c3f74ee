"""The group's own words carry their language: an English page marks a Dutch title lang="nl"."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.db import utcnow
from engine.models import Initiative
from tests import factories
from tests.factories import browse_as, initiative_with_group, submit
from tests.support import post_form


def _page(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def test_an_english_page_marks_a_dutch_initiative_as_dutch(client, db_session):
    item, (anna, _) = initiative_with_group(db_session, utcnow())
    db_session.commit()
    browse_as(client, anna, locale="en")
    page = _page(client, f"/initiatives/{item.id}")
    assert re.search(r'<h1 class="utrecht-heading-1" lang="nl">\s*Groen op de Voermanhaven', page)
    assert '<div class="vb-description" lang="nl">' in page
    home = _page(client, "/")
    assert re.search(r'lang="nl">Groen op de Voermanhaven</a>', home)
    # the same content on a Dutch page needs no mark: the page is Dutch already
    browse_as(client, anna, locale="nl")
    page = _page(client, f"/initiatives/{item.id}")
    assert '<h1 class="utrecht-heading-1">Groen op de Voermanhaven' in page
    assert 'lang="nl">Groen' not in page and '<div class="vb-description">' in page


def test_the_language_is_the_creators_and_the_group_can_change_it(client, db_session):
    anna = factories.person(db_session, utcnow(), "Anna")
    db_session.commit()
    browse_as(client, anna, locale="en")
    form = _page(client, "/initiatives/new")
    paddepoel = re.search(r'<option value="(\d+)">Paddepoel</option>', form)
    response = post_form(
        client,
        "/initiatives/new",
        {
            "workflow": "proefproces",
            "neighbourhood": paddepoel.group(1),
            "title": "Benches on the quay",
            "description": "",
            "visibility": "public",
            "join_policy": "approval",
        },
        token_from="/initiatives/new",
    )
    assert response.status_code == 302
    found = select(Initiative).where(Initiative.title == "Benches on the quay")
    item = db_session.scalars(found).one()
    assert item.language == "en"
    browse_as(client, anna, locale="nl")
    assert 'lang="en">Benches on the quay' in _page(client, f"/initiatives/{item.id}")
    # the group says it writes in Dutch after all
    data = {"title": "Bankjes op de kade", "description": "", "language": "nl"}
    assert submit(client, item.id, f"/initiatives/{item.id}/edit", data).status_code == 302
    db_session.rollback()
    assert db_session.get(Initiative, item.id).language == "nl"
    browse_as(client, anna, locale="en")
    assert 'lang="nl">Bankjes op de kade' in _page(client, f"/initiatives/{item.id}")
    # a language the app does not know changes nothing
    data = {"title": "Bankjes", "description": "", "language": "fy"}
    assert submit(client, item.id, f"/initiatives/{item.id}/edit", data).status_code == 400
    db_session.rollback()
    assert db_session.get(Initiative, item.id).title == "Bankjes op de kade"
