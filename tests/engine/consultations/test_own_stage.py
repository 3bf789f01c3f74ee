"""A consultation on a stage the group added itself, and taking that stage out again.

A group can leave its own stage and come back before it (wijkvisie: from the consultation back to
visioning), so an own stage that lies ahead may have held a consultation. What neighbours wrote
there may not get lost: the stage then stays in the path, with a reason in words, and nothing
changes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from engine.consultations.operations import open_consultation, post_idea
from engine.consultations.queries import consultations_of, load_page
from engine.errors import Refused
from engine.i18n import get_translations
from engine.operations import fire_transition, insert_stage, remove_stage
from engine.timeutil import local_date
from tests import factories
from tests.factories import stored_state

MIN = timedelta(minutes=1)


def test_an_own_stage_that_held_a_consultation_stays(session, now):
    item = factories.initiative(session, now, workflow="wijkvisie", members=2)
    anna = item.memberships[0].person
    item.state = "visioning"
    session.flush()
    insert_stage(session, anna, item.id, after="visioning", title="Buurt vragen",
                 description="Een eigen ronde langs de buren", now=now)  # fmt: skip
    fire_transition(session, anna, item.id, "enter_own_1", now + MIN)
    assert item.state == "own_1"
    found = open_consultation(
        session,
        anna,
        initiative_id=item.id,
        question="Wat mist er?",
        ends_on=local_date(now) + timedelta(days=7),
        now=now + 2 * MIN,
    )
    buur = factories.person(session, now, "Buur")
    post_idea(session, buur, initiative_id=item.id, consultation_id=found.id, kind="idea",
              body="Een speeltuin", now=now + 3 * MIN)  # fmt: skip
    # on to the consultation stage (its move asks for a document and survey answers, which is
    # not what this test is about), and back to visioning by the template's way back
    item.state = "consultation"
    session.flush()
    fire_transition(session, anna, item.id, "back_to_visioning", now + 4 * MIN)
    assert item.state == "visioning"  # own_1 lies ahead again
    before = stored_state(session, item.id)
    with pytest.raises(Refused) as refused:
        remove_stage(session, anna, item.id, "own_1", now + 5 * MIN)
    assert refused.value.message.render() == (
        "The group asked the neighbourhood for their ideas in this stage. What neighbours wrote "
        "there stays, so the stage stays in the path."
    )
    assert refused.value.message.render(get_translations("nl")).startswith(
        "De groep heeft de buurt"
    )  # said in Dutch too
    assert stored_state(session, item.id) == before
    (kept,) = consultations_of(session, item.id)
    assert kept.stage_key == "own_1"
    assert [v.post.body for v in load_page(session, kept).posts] == ["Een speeltuin"]


def test_an_own_stage_without_a_consultation_still_goes(session, now):
    item = factories.initiative(session, now, workflow="wijkvisie", members=2)
    anna = item.memberships[0].person
    item.state = "visioning"
    session.flush()
    insert_stage(session, anna, item.id, after="visioning", title="Buurt vragen",
                 description=None, now=now)  # fmt: skip
    remove_stage(session, anna, item.id, "own_1", now + MIN)
    assert item.graph_key == ""
