"""The notifications page: newest first with a link to the thing, mark read, the header's count."""

from __future__ import annotations

import re

from engine.db import utcnow
from engine.operations import fire_transition, open_decision
from tests import factories
from tests.factories.web import browse_as
from tests.support import csrf_token, post_form, read


def _group(db_session):
    now = utcnow()
    item = factories.initiative(db_session, now, members=1, title="Bankjes aan de kade")
    anna, bram = (m.person for m in item.memberships)
    fire_transition(db_session, anna, item.id, "start", now)
    open_decision(db_session, anna, item.id, "plan", now, question="Zijn we klaar?")
    db_session.commit()
    return item, anna, bram


def test_the_page_asks_for_a_login(client):
    response = client.get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_a_member_reads_what_happened_newest_first_and_marks_it_read(client, db_session):
    item, anna, bram = _group(db_session)
    browse_as(client, bram, "en")
    page = read(client.get("/notifications").get_data(as_text=True))
    opened = page.index("Anna de Vries asks the group to decide: “Zijn we klaar?”.")
    moved = page.index("Anna de Vries moved the group on to the stage")
    assert opened < moved  # newest first
    assert f'href="/initiatives/{item.id}#decision-' in page
    header = page[: page.index("</header>")]
    assert re.search(r'vb-badge">2<span class="vb-visually-hidden"> unread', header)
    first = re.search(r'action="(/notifications/\d+/read)"', page).group(1)
    response = post_form(client, first, {"csrf_token": csrf_token(client, "/notifications")})
    assert response.status_code == 302
    page = client.get("/notifications").get_data(as_text=True)
    assert 'vb-badge">1<' in page
    post_form(client, "/notifications/read", {"csrf_token": csrf_token(client, "/notifications")})
    page = client.get("/notifications").get_data(as_text=True)
    assert "vb-badge" not in page and "Mark all as read" not in page


def test_nobody_marks_anothers_notification(client, db_session):
    item, anna, bram = _group(db_session)
    browse_as(client, bram, "nl")
    page = client.get("/notifications").get_data(as_text=True)
    theirs = re.search(r'action="/notifications/(\d+)/read"', page).group(1)
    client.post("/logout", data={"csrf_token": csrf_token(client, "/notifications")})
    browse_as(client, anna, "nl")
    response = post_form(
        client,
        f"/notifications/{theirs}/read",
        {"csrf_token": csrf_token(client, "/notifications")},
    )
    assert response.status_code == 302
    page = client.get("/notifications").get_data(as_text=True)
    assert "Deze melding bestaat niet." in page
