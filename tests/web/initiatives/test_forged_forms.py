"""The initiative page's forms carry no CSRF token field of their own (the page writes the token
once for all of them, and the app-wide CSRFProtect checks every POST): a form sent without the
token, or with another browser's, is refused and changes nothing."""

from __future__ import annotations

import re

import pytest

from engine.db import utcnow
from tests import factories
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


_POST_FORM = re.compile(r'<form\b[^>]*method="post"[^>]*>(.*?)</form>', re.S)
_ACTION = re.compile(r'<form\b[^>]*action="([^"]*)"')


def _forms_without_token(page: str) -> list[str]:
    """The actions of the page's POST forms that do not carry the CSRF token themselves (a
    browser sends a form's own fields only, not a token found elsewhere on the page)."""
    return [
        (_ACTION.search(form.group(0)) or form).group(1)
        for form in _POST_FORM.finditer(page)
        if 'name="csrf_token"' not in form.group(1)
    ]


def test_every_form_of_the_groups_pages_carries_the_token(client, db_session):
    """The forms without a token field of their own write it in their template: a form that
    rendered ``form.csrf_token`` wrote nothing once the field was gone (the invitation's
    "accept", found by the browser test), and a browser's accept was refused as expired."""
    from engine.operations import add_step, invite

    now = utcnow()
    item, (anna, _) = initiative_with_group(db_session, now, members=1)
    step = add_step(db_session, anna, item.id, stage_key=item.state, title="Flyers", now=now)
    invitation = invite(db_session, anna, item.id, email="karel@example.nl", role="member", now=now)
    karel = factories.person(db_session, now, "Karel Smit", email="karel@example.nl")
    db_session.commit()
    step_id = step.id

    browse_as(client, anna)
    pages = [
        f"/initiatives/{item.id}",
        f"/initiatives/{item.id}/members",
        f"/initiatives/{item.id}/steps/{step_id}",
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert _POST_FORM.search(html), url
        assert _forms_without_token(html) == [], url

    # the invited neighbour accepts with the form's own fields, as a browser sends them
    guest = browse_as(client.application.test_client(), karel)
    link = f"/invitations/{invitation.token}"
    html = guest.get(link).get_data(as_text=True)
    assert _forms_without_token(html) == []
    accept = next(f for f in _POST_FORM.finditer(html) if "/accept" in f.group(0))
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', accept.group(1)))
    assert guest.post(f"{link}/accept", data=fields).status_code == 302
    db_session.expire_all()
    assert karel.id in {m.person_id for m in item.memberships}
