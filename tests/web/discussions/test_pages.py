"""The discussion pages as people use them: posting, replying, editing, deleting, hiding and
reporting; what the public, the group and the coaches each see; bad input told at the field;
the same number of queries for a short and a long discussion."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event

from engine.db import utcnow
from engine.discussions.operations import hide_message, post_message, report_message
from engine.models import Person
from engine.operations import assign_coach, open_decision
from tests import factories
from tests.support import csrf_token, login

MIN = timedelta(minutes=1)


@pytest.fixture
def group(web_app):
    """A public initiative: initiator, member, partner; its coach; a resident outside."""
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    try:
        people = factories.people_in_every_role(session, now)
        item = factories.initiative_for_roles(
            session, now, people, title=f"Gesprek {uuid.uuid4().hex[:6]}"
        )
        assign_coach(session, people["admin"], coach_id=people["coach"].id, now=now,
                     initiative_id=item.id)  # fmt: skip
        session.commit()
        return {"item": item.id, **{k: p.id for k, p in people.items()}}
    finally:
        session.close()


def _as(web_app, group, role: str | None):
    client = web_app.test_client()
    client.get("/language/en")
    if role is not None:
        session = web_app.extensions["verbinding"].sessions()
        email = session.get(Person, group[role]).email
        session.close()
        login(client, email, factories.PASSWORD)
    return client


def _post(client, url: str, data: dict, page: str):
    return client.post(url, data={"csrf_token": csrf_token(client, page), **data})


def test_members_write_and_reply_and_everyone_reads_safely(web_app, group):
    url = f"/initiatives/{group['item']}/discussion"
    member = _as(web_app, group, "member")
    sent = _post(member, url, {"body": "Zaterdag <b>om 10</b>?\nIk neem koffie mee."}, url)
    # back on the thread at the success banner, which leads on to the new message
    assert sent.status_code == 302 and sent.headers["Location"].endswith("#melding")
    landing = member.get(sent.headers["Location"]).get_data(as_text=True)
    parent = re.search(r'href="#message-(\d+)"', landing).group(1)
    initiator = _as(web_app, group, "initiator")
    replied = _post(initiator, url, {"body": "Goed plan!", "parent_id": parent}, url)
    assert replied.status_code == 302
    page = _as(web_app, group, None).get(url).get_data(as_text=True)
    assert "Zaterdag &lt;b&gt;om 10&lt;/b&gt;?\nIk neem koffie mee." in page
    assert "<b>om 10</b>" not in page
    assert "Goed plan!" in page
    assert "Write a message" not in page  # the public reads, it does not write
    outsider = _as(web_app, group, "outsider").get(url).get_data(as_text=True)
    assert "Write a message" not in outsider and "Report" in outsider


def test_bad_text_comes_back_at_the_field_and_changes_nothing(web_app, group):
    url = f"/initiatives/{group['item']}/discussion"
    member = _as(web_app, group, "member")
    for body, said in [
        ("hallo\x00daar", "invisible control character"),
        ("x" * 5001, "Write at most 5000 characters; this is 5001."),
        ("   ", "Write something first."),
    ]:
        response = _post(member, url, {"body": body}, url)
        page = response.get_data(as_text=True)
        assert response.status_code == 400, said
        assert said in page
        assert 'id="post-body-error"' in page and 'aria-describedby="post-body-error"' in page
    assert "Nobody has written here yet." in member.get(url).get_data(as_text=True)


def test_edited_deleted_and_hidden_messages_show_what_happened(web_app, group):
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    try:
        who = {k: session.get(Person, v) for k, v in group.items() if k != "item"}
        first = post_message(session, who["member"], initiative_id=group["item"],
                             body="Eerste bericht", now=now - 20 * MIN)  # fmt: skip
        rude = post_message(session, who["partner"], initiative_id=group["item"],
                            body="Iets lelijks", now=now)  # fmt: skip
        report_message(session, who["outsider"], initiative_id=group["item"],
                       message_id=rude.id, reason="Niet aardig", now=now)  # fmt: skip
        session.commit()
        ids = first.id, rude.id
    finally:
        session.close()
    url = f"/initiatives/{group['item']}/discussion"
    initiator = _as(web_app, group, "initiator")
    page = initiator.get(url).get_data(as_text=True)
    assert "Reported messages" in page and "Niet aardig" in page
    member = _as(web_app, group, "member")
    # the 15 minutes have passed: no more changing, only deleting
    assert f"/messages/{ids[0]}/edit" not in member.get(url).get_data(as_text=True)
    partner = _as(web_app, group, "partner")
    before = partner.get(url).get_data(as_text=True)
    assert f"/messages/{ids[1]}/edit" in before and "edited" not in before
    edited = _post(partner, f"/initiatives/{group['item']}/messages/{ids[1]}/edit",
                   {"body": "Iets aardigs", "version": "1"}, url)  # fmt: skip
    assert edited.status_code == 302
    assert "edited" in partner.get(url).get_data(as_text=True)
    stale = _post(partner, f"/initiatives/{group['item']}/messages/{ids[1]}/edit",
                  {"body": "Nog iets", "version": "1"}, url)  # fmt: skip
    assert stale.status_code == 409
    hidden = _post(initiator, f"/initiatives/{group['item']}/messages/{ids[1]}/hide",
                   {"reason": "Gaat over een buurman"}, url)  # fmt: skip
    assert hidden.status_code == 302
    deleted = _post(member, f"/initiatives/{group['item']}/messages/{ids[0]}/delete", {}, url)
    assert deleted.status_code == 302
    seen_by_member = member.get(url).get_data(as_text=True)
    assert "This message was deleted by its author." in seen_by_member
    assert "Eerste bericht" not in seen_by_member and "Iets aardigs" not in seen_by_member
    assert "Gaat over een buurman" in seen_by_member
    public = _as(web_app, group, None)
    assert "This message was hidden by Anna de Vries." in public.get(url).get_data(as_text=True)
    assert "Gaat over een buurman" not in public.get(url).get_data(as_text=True)
    # who moderates reads the hidden words, marked as hidden, with the reason; nobody else
    marked = "The hidden text; only the initiators and the process coaches see it:"
    for moderator in (initiator, _as(web_app, group, "coach")):
        seen = moderator.get(url).get_data(as_text=True)
        assert marked in seen and "Iets aardigs" in seen and "Gaat over een buurman" in seen
    for other in (public, member, _as(web_app, group, "outsider")):
        seen = other.get(url).get_data(as_text=True)
        assert "Iets aardigs" not in seen and marked not in seen
    history = f"/initiatives/{group['item']}/history"
    assert "Gaat over een buurman" in member.get(history).get_data(as_text=True)
    public_history = public.get(history).get_data(as_text=True)
    assert "hid a message by Marieke Jansen" in public_history
    assert "Gaat over een buurman" not in public_history


def test_the_coach_writes_to_the_group_and_to_the_initiators(web_app, group):
    coach = _as(web_app, group, "coach")
    view = f"/coach/initiatives/{group['item']}"
    assert "Write to the initiators" in coach.get(view).get_data(as_text=True)
    item = group["item"]
    _post(coach, f"/initiatives/{item}/discussion", {"body": "Ik kom dinsdag langs."}, view)
    _post(coach, f"/initiatives/{item}/discussion/coaches", {"body": "Even onder ons."}, view)
    member = _as(web_app, group, "member")
    page = member.get(f"/initiatives/{item}/discussion").get_data(as_text=True)
    assert "Ik kom dinsdag langs." in page
    assert "Process coach, on behalf of the municipality" in page
    assert "Even onder ons." not in page
    assert member.get(f"/initiatives/{item}/discussion/coaches").status_code == 403
    initiator = _as(web_app, group, "initiator")
    assert "Sanne Visser" in initiator.get(f"/initiatives/{item}").get_data(as_text=True)
    private = initiator.get(f"/initiatives/{item}/discussion/coaches").get_data(as_text=True)
    assert "Even onder ons." in private
    thread = f"/initiatives/{item}/discussion/coaches"
    answer = _post(initiator, thread, {"body": "Prima, tot dinsdag."}, thread)
    assert answer.status_code == 302
    elsewhere = _as(web_app, group, "admin")  # staff see the coach view; admins count as coach
    assert elsewhere.get(f"/initiatives/{item}/discussion/coaches").status_code == 200


def test_a_decision_has_its_own_discussion_linked_from_the_decision(web_app, group):
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    try:
        who = {k: session.get(Person, v) for k, v in group.items() if k != "item"}
        decision = open_decision(session, who["initiator"], group["item"], "start_design", now,
                                 question="Gaan we ontwerpen?")  # fmt: skip
        post_message(session, who["member"], initiative_id=group["item"], now=now,
                     body="Eerst de buren vragen?", decision_id=decision.id)  # fmt: skip
        session.commit()
        decision_id = decision.id
    finally:
        session.close()
    member = _as(web_app, group, "member")
    talk = f"/initiatives/{group['item']}/decisions/{decision_id}/discussion"
    page = member.get(f"/initiatives/{group['item']}").get_data(as_text=True)
    assert f'href="{talk}">Talk about this decision</a> (1 message)' in page
    thread = member.get(talk).get_data(as_text=True)
    assert "Gaan we ontwerpen?" in thread and "Eerst de buren vragen?" in thread
    assert "Eerst de buren vragen?" not in member.get(
        f"/initiatives/{group['item']}/discussion"
    ).get_data(as_text=True)


def test_ids_out_of_range_are_not_found(web_app, group):
    member = _as(web_app, group, "member")
    item, huge = group["item"], 2**40
    assert member.get(f"/initiatives/{item}/decisions/{huge}/discussion").status_code == 404
    assert member.get(f"/initiatives/{item}/messages/{huge}").status_code == 404
    url = f"/initiatives/{item}/discussion"
    assert _post(member, f"/initiatives/{item}/messages/{huge}/edit", {}, url).status_code == 404


def test_a_long_discussion_costs_as_many_queries_as_a_short_one(web_app, group):
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    who = {k: session.get(Person, v) for k, v in group.items() if k != "item"}
    initiator = _as(web_app, group, "initiator")
    url = f"/initiatives/{group['item']}/discussion"
    engine = web_app.extensions["verbinding"].engine
    counts = []
    try:
        for batch in (2, 50):  # 52 in all: a second page
            for i in range(batch):
                said = post_message(session, who["member"], initiative_id=group["item"],
                                    body=f"Bericht {i}", now=now)  # fmt: skip
                post_message(session, who["coach"], initiative_id=group["item"], body="Ja",
                             now=now, parent_id=said.id)  # fmt: skip
                if i % 10 == 0:
                    hide_message(session, who["initiator"], initiative_id=group["item"],
                                 message_id=said.id, reason="Dubbel", now=now)  # fmt: skip
            session.commit()
            statements: list[str] = []

            def count(_conn, _cursor, statement, *_args, into=statements):
                into.append(statement)

            event.listen(engine, "before_cursor_execute", count)
            try:
                assert initiator.get(url).status_code == 200
            finally:
                event.remove(engine, "before_cursor_execute", count)
            counts.append(len(statements))
    finally:
        session.close()
    assert counts[0] == counts[1], counts
    assert "Later messages" in initiator.get(url).get_data(as_text=True)


def _coaches(page: str) -> list[str]:
    """The names the discussion panel gives as the group's process coaches, in its order."""
    found = re.search(r"Your process coach(?:es)?: ([^<]*)</p>", page)
    return found[1].split(", ") if found else []


def test_the_initiative_page_names_the_coaches_and_counts_open_reports(web_app, group):
    """The discussion panel of the initiative page: the group's process coaches by name, in
    order of their names (besides the group's own, the stadsdeel's: other tests may add some),
    and for the initiator the reports nobody has dealt with yet."""
    page_url = f"/initiatives/{group['item']}"
    initiator = _as(web_app, group, "initiator")
    before = initiator.get(page_url).get_data(as_text=True)
    assert "Sanne Visser" in _coaches(before) and "Aart Bakker" not in _coaches(before)
    assert "to look at" not in before  # no report yet
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    try:
        who = {k: session.get(Person, v) for k, v in group.items() if k != "item"}
        second = factories.person(session, now, "Aart Bakker", role="coach")
        assign_coach(session, who["admin"], coach_id=second.id, now=now,
                     initiative_id=group["item"])  # fmt: skip
        for body in ("Iets lelijks", "Nog iets lelijks"):
            rude = post_message(session, who["partner"], initiative_id=group["item"],
                                body=body, now=now)  # fmt: skip
            report_message(session, who["outsider"], initiative_id=group["item"],
                           message_id=rude.id, reason="Niet aardig", now=now)  # fmt: skip
        session.commit()
    finally:
        session.close()
    page = initiator.get(page_url).get_data(as_text=True)
    names = _coaches(page)
    assert "Your process coaches: " in page and len(names) == len(_coaches(before)) + 1
    assert names.index("Aart Bakker") < names.index("Sanne Visser")
    assert "2 reported messages to look at" in page
    member = _as(web_app, group, "member").get(page_url).get_data(as_text=True)
    assert _coaches(member) == names and "to look at" not in member
    public = _as(web_app, group, None).get(page_url).get_data(as_text=True)
    assert _coaches(public) == [] and "to look at" not in public
