"""Conversation: who reads and writes where, the author's 15 minutes, deleting and hiding that
leave a trace, reports, and the initiators' private thread with the area's coaches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.discussions.operations import (
    delete_message,
    dismiss_report,
    edit_message,
    hide_message,
    post_message,
    report_message,
)
from engine.discussions.queries import (
    load_thread,
    page_of,
    participants_to_tell,
    standing,
)
from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied, Refused
from engine.models import District
from engine.operations import (
    assign_coach,
    cast_vote,
    fire_transition,
    open_decision,
    pause_initiative,
)
from tests import factories
from tests.factories import events_of

MIN = timedelta(minutes=1)


@pytest.fixture
def world(session, now):
    """An initiative with an initiator, member and partner; a resident outside it; the area's
    coach; a coach of another stadsdeel; an admin."""
    people = factories.people_in_every_role(session, now)
    item = factories.initiative_for_roles(session, now, people)
    admin = people["admin"]
    assign_coach(session, admin, coach_id=people["coach"].id, now=now, initiative_id=item.id)
    people["elsewhere"] = factories.staff(session, now, name="Joris Elders")
    other = session.scalars(
        select(District).where(District.id != item.neighbourhood.district_id)
    ).first()
    assign_coach(session, admin, coach_id=people["elsewhere"].id, now=now, district_id=other.id)
    session.flush()
    return item, people


def _post(session, who, item, now, body="Zullen we zaterdag beginnen?", **kw):
    return post_message(session, who, initiative_id=item.id, body=body, now=now, **kw)


# who: read, write, moderate in the group's discussion and the coaches' thread
MATRIX = {
    #            read   write  moderate  read coaches' thread
    "anonymous": (True, False, False, False),
    "outsider": (True, False, False, False),
    "member": (True, True, False, False),
    "partner": (True, True, False, False),
    "initiator": (True, True, True, True),
    "coach": (True, True, True, True),
    "elsewhere": (True, False, False, False),
}


@pytest.mark.parametrize("who", sorted(MATRIX))
def test_who_reads_writes_and_looks_after_a_public_discussion(session, now, world, who):
    item, people = world
    person = None if who == "anonymous" else people[who]
    s = standing(session, item, person)
    reads, writes, moderates, coaches = MATRIX[who]
    assert (s.reads("group"), s.writes("group"), s.moderates, s.reads("coaches")) == (
        reads, writes, moderates, coaches,
    )  # fmt: skip
    if person is None:
        return
    if writes:
        message = _post(session, person, item, now)
        assert message.is_from_coach == (who == "coach")
    else:
        with pytest.raises(PermissionDenied):
            _post(session, person, item, now)
    if coaches:
        _post(session, person, item, now, channel="coaches")
    else:
        with pytest.raises(NotFound):  # the thread is not there for them
            _post(session, person, item, now, channel="coaches")


def test_a_private_initiative_is_talked_about_inside_only(session, now):
    people = factories.people_in_every_role(session, now)
    item = factories.initiative_for_roles(session, now, people, visibility="members")
    assert not standing(session, item, None).reads("group")
    assert not standing(session, item, people["outsider"]).reads("group")
    assert standing(session, item, people["member"]).reads("group")
    message = _post(session, people["member"], item, now)
    with pytest.raises(NotFound):
        report_message(session, people["outsider"], initiative_id=item.id,
                       message_id=message.id, reason="", now=now)  # fmt: skip


def test_the_author_edits_for_15_minutes_and_the_edit_shows(session, now, world):
    item, people = world
    message = _post(session, people["member"], item, now)
    edit_message(session, people["member"], initiative_id=item.id, message_id=message.id,
                 body="Zondag dan?", now=now + 14 * MIN,
                 expected_version=message.version)  # fmt: skip
    assert (message.body, message.edited_dt) == ("Zondag dan?", now + 14 * MIN)
    with pytest.raises(Refused):
        edit_message(session, people["member"], initiative_id=item.id, message_id=message.id,
                     body="Maandag?", now=now + 16 * MIN)  # fmt: skip
    assert message.body == "Zondag dan?"
    with pytest.raises(PermissionDenied):  # not even an initiator changes someone's words
        edit_message(session, people["initiator"], initiative_id=item.id,
                     message_id=message.id, body="Anders", now=now + MIN)  # fmt: skip


def test_an_edit_from_an_older_version_is_refused(session, now, world):
    item, people = world
    message = _post(session, people["member"], item, now)
    old = message.version
    edit_message(session, people["member"], initiative_id=item.id, message_id=message.id,
                 body="Eerste versie", now=now + MIN, expected_version=old)  # fmt: skip
    with pytest.raises(Conflict):
        edit_message(session, people["member"], initiative_id=item.id, message_id=message.id,
                     body="Tweede tab", now=now + 2 * MIN, expected_version=old)  # fmt: skip
    assert message.body == "Eerste versie"


@pytest.mark.parametrize(
    "body",
    ["", "   \n ", "a" * 5001, "hallo\x00daar", "regel\x1bkleur", "bel\x07"],
)
def test_bad_text_is_refused_with_a_reason_for_the_field(session, now, world, body):
    item, people = world
    with pytest.raises(InvalidInput) as refused:
        _post(session, people["member"], item, now, body=body)
    assert refused.value.field == "body"
    assert load_thread(session, item).total == 0


def test_text_keeps_its_line_breaks_and_may_be_as_long_as_allowed(session, now, world):
    item, people = world
    message = _post(session, people["member"], item, now, body="Eén\r\nTwee\tdrie")
    assert message.body == "Eén\nTwee\tdrie"
    assert len(_post(session, people["member"], item, now, body="x" * 5000).body) == 5000


def test_deleting_leaves_deleted_and_the_replies_in_place(session, now, world):
    item, people = world
    first = _post(session, people["member"], item, now)
    reply = _post(
        session, people["initiator"], item, now + MIN, body="Goed plan", parent_id=first.id
    )
    with pytest.raises(PermissionDenied):
        delete_message(session, people["initiator"], initiative_id=item.id, message_id=first.id,
                       now=now)  # fmt: skip
    delete_message(session, people["member"], initiative_id=item.id, message_id=first.id,
                   now=now + 2 * DAY_MIN)  # fmt: skip
    thread = load_thread(session, item)
    assert [v.message.id for v in thread.messages] == [first.id]
    assert thread.messages[0].message.deleted_dt is not None
    assert thread.messages[0].message.body == ""
    assert [r.id for r in thread.messages[0].replies] == [reply.id]


DAY_MIN = 24 * 60 * MIN


def test_a_reply_to_a_reply_joins_the_same_conversation(session, now, world):
    item, people = world
    first = _post(session, people["member"], item, now)
    reply = _post(session, people["initiator"], item, now, parent_id=first.id)
    again = _post(session, people["member"], item, now, parent_id=reply.id)
    assert again.parent_id == first.id


def test_hiding_needs_an_initiator_or_the_areas_coach_and_is_history(session, now, world):
    item, people = world
    message = _post(session, people["member"], item, now)
    for who in ("member", "partner", "elsewhere"):
        with pytest.raises(PermissionDenied):
            hide_message(session, people[who], initiative_id=item.id, message_id=message.id,
                         reason="Niet netjes", now=now)  # fmt: skip
    with pytest.raises(InvalidInput):
        hide_message(session, people["coach"], initiative_id=item.id, message_id=message.id,
                     reason=" ", now=now)  # fmt: skip
    version = item.version
    hide_message(session, people["coach"], initiative_id=item.id, message_id=message.id,
                 reason="Persoonlijke gegevens van een buurman", now=now + MIN)  # fmt: skip
    assert message.hidden_reason == "Persoonlijke gegevens van een buurman"
    [event] = events_of(session, item.id, "message.hidden")
    assert event.actor_id == people["coach"].id
    assert event.data["reason"] == "Persoonlijke gegevens van een buurman"
    assert item.version == version  # nobody's open page of the initiative went stale
    with pytest.raises(Refused):
        edit_message(session, people["member"], initiative_id=item.id, message_id=message.id,
                     body="Sorry", now=now + 2 * MIN)  # fmt: skip


def test_reports_go_to_initiators_and_coaches_and_close_when_dealt_with(session, now, world):
    item, people = world
    message = _post(session, people["member"], item, now)
    with pytest.raises(Refused):
        report_message(session, people["member"], initiative_id=item.id,
                       message_id=message.id, reason="", now=now)  # fmt: skip
    report = report_message(session, people["outsider"], initiative_id=item.id,
                            message_id=message.id, reason="Scheldwoord", now=now)  # fmt: skip
    with pytest.raises(Refused):
        report_message(session, people["outsider"], initiative_id=item.id,
                       message_id=message.id, reason="", now=now)  # fmt: skip
    assert load_thread(session, item, with_reports=True).reports == {message.id: [report]}
    with pytest.raises(PermissionDenied):
        dismiss_report(session, people["member"], initiative_id=item.id, report_id=report.id,
                       now=now)  # fmt: skip
    hide_message(session, people["initiator"], initiative_id=item.id, message_id=message.id,
                 reason="Scheldwoord", now=now)  # fmt: skip
    session.refresh(report)
    assert report.closed_by_id == people["initiator"].id
    assert load_thread(session, item, with_reports=True).reports == {}
    assert events_of(session, item.id, "message.hidden")[0].actor_id == people["initiator"].id


def test_the_coaches_thread_stays_out_of_the_groups_discussion(session, now, world):
    item, people = world
    private = _post(session, people["coach"], item, now, channel="coaches", body="Even apart")
    _post(session, people["initiator"], item, now, channel="coaches", parent_id=private.id)
    assert load_thread(session, item).total == 0
    assert load_thread(session, item, channel="coaches").total == 1
    with pytest.raises(NotFound):
        report_message(session, people["member"], initiative_id=item.id,
                       message_id=private.id, reason="", now=now)  # fmt: skip
    with pytest.raises(NotFound):  # a reply cannot carry a message into another thread
        _post(session, people["member"], item, now, parent_id=private.id)


def test_a_decisions_discussion_is_open_while_the_decision_is(session, now):
    item, people = factories.initiative_with_group(session, now, members=1)
    fire_transition(session, people[0], item.id, "start", now)
    decision = open_decision(session, people[0], item.id, "plan", now)
    said = _post(session, people[1], item, now, decision_id=decision.id, body="Ik twijfel")
    assert load_thread(session, item).total == 0
    assert load_thread(session, item, decision=decision).messages[0].message.id == said.id
    for p in people:
        cast_vote(session, p, decision.id, "for", now + MIN)
    fire_transition(session, people[0], item.id, "plan", now + 2 * MIN)
    session.refresh(decision)
    assert decision.status != "open"
    with pytest.raises(Refused):
        _post(session, people[1], item, now, decision_id=decision.id)


def test_a_paused_group_still_talks(session, now, world):
    item, people = world
    pause_initiative(session, people["initiator"], item.id, reason="Zomer", now=now)
    assert _post(session, people["member"], item, now + MIN).id


def test_long_discussions_are_paged_and_a_message_knows_its_page(session, now, world):
    item, people = world
    messages = [_post(session, people["member"], item, now, body=f"Bericht {i}") for i in range(7)]
    reply = _post(session, people["initiator"], item, now, parent_id=messages[5].id)
    second = load_thread(session, item, page=2, per_page=3)
    assert (second.total, second.pages) == (7, 3)
    assert [v.message.body for v in second.messages] == ["Bericht 3", "Bericht 4", "Bericht 5"]
    assert page_of(session, reply, per_page=3) == 2
    assert load_thread(session, item, page=99, per_page=3).page == 3


def test_the_people_to_tell_of_a_message_are_the_group_and_coaches_not_its_author(
    session, now, world
):
    item, people = world
    group = _post(session, people["member"], item, now)
    told = set(session.scalars(participants_to_tell(session, group)))
    assert told == {people[k].id for k in ("initiator", "partner", "coach")}
    private = _post(session, people["coach"], item, now, channel="coaches")
    assert set(session.scalars(participants_to_tell(session, private))) == {people["initiator"].id}
