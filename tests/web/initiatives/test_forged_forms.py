"""The initiative page's forms carry no CSRF token field of their own (the page writes the token
once for all of them, and the app-wide CSRFProtect checks every POST): a form sent without the
token, or with another browser's, is refused and changes nothing."""

from __future__ import annotations

import re

import pytest

from engine.db import utcnow
from tests.factories import browse_as, initiative_with_group, stored_state
from tests.support import CSRF_RE

#: (url after /initiatives/<id>, the fields a member fills in): each form kind of the page
FORMS = [
    ("/edit", {"title": "Een andere titel", "description": "", "language": "nl"}),
    ("/visibility", {"visibility": "members"}),
    ("/join-policy", {"join_policy": "approval"}),
    ("/steps", {"stage_key": "proposal", "title": "Buren uitnodigen"}),
    ("/invitations", {"email": "karel@example.nl", "role": "member"}),
]


@pytest.mark.parametrize("path, fields", FORMS, ids=[p for p, _ in FORMS])
def test_a_form_without_the_pages_token_is_refused_and_changes_nothing(
    client, db_session, path, fields
):
    item, (anna, _) = initiative_with_group(db_session, utcnow(), members=1)
    db_session.commit()
    browse_as(client, anna)
    page = client.get(f"/initiatives/{item.id}").get_data(as_text=True)
    version = re.search(r'name="expected_version" value="(\d+)"', page).group(1)
    before = stored_state(db_session, item.id)

    # another browser's token (a forged form on another site has no better one)
    stranger = browse_as(client.application.test_client())
    other = CSRF_RE.search(stranger.get("/login").get_data(as_text=True)).group(1)
    for token in (None, other):
        sent = {**fields, "expected_version": version}
        if token is not None:
            sent["csrf_token"] = token
        response = client.post(f"/initiatives/{item.id}{path}", data=sent)
        assert response.status_code == 400, (path, token is not None)
        db_session.expire_all()
        assert stored_state(db_session, item.id) == before

    # the same form with the page's own token goes through (the test can fail)
    sent = {**fields, "expected_version": version, "csrf_token": CSRF_RE.search(page).group(1)}
    assert client.post(f"/initiatives/{item.id}{path}", data=sent).status_code == 302
    db_session.expire_all()
    assert stored_state(db_session, item.id) != before
