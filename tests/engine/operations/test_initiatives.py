"""Starting an initiative and looking after its group, as residents and coaches meet it."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.errors import InvalidInput, NotFound
from engine.models import Event, Initiative, Membership, StagePlan
from engine.operations import (
    close_decision,
    create_initiative,
    fire_transition,
    list_moves,
    open_decision,
    update_initiative,
)
from engine.workflows.versions import definition_of, latest_version, register_workflow
from tests import factories
from tests.factories import stored_state

MIN = timedelta(minutes=1)


def _initiator(item: Initiative):
    return item.memberships[0].person


# --- create -------------------------------------------------------------------------------


def test_create_makes_the_actor_initiator_with_a_plan_per_stage(session, now):
    anna = factories.person(session, now, "Anna de Vries")
    item = factories.initiative(session, now, initiator=anna)

    assert item.state == "proposal"
    assert [(m.person_id, m.role) for m in item.memberships] == [(anna.id, "initiator")]
    plans = session.scalars(
        select(StagePlan).where(StagePlan.initiative_id == item.id).order_by(StagePlan.position)
    ).all()
    assert [(p.stage_key, p.position) for p in plans] == [
        ("proposal", 0),
        ("visioning", 1),
        ("execution", 2),
        ("maintenance", 3),
    ]
    assert not any(p.is_custom or p.is_skipped for p in plans)
    (created,) = factories.events_of(session, item.id)
    assert created.kind == "created"
    assert created.actor_id == anna.id
    assert created.to_stage == "proposal"
    assert created.data["workflow"] == "proefproces"
    assert item.workflow_version.name == "proefproces"
    assert item.visibility == "public" and not item.is_paused


def _without_visioning(defn):
    """A new version of the test template that drops the visioning stage."""
    stages = tuple(s for s in defn.stages if s.id != "visioning")
    transitions = []
    for t in defn.transitions:
        if t.trigger in ("plan", "rethink"):
            continue
        if t.trigger == "start":
            t = dataclasses.replace(t, dest="execution")
        transitions.append(t)
    title = dataclasses.replace(defn.title, nl="Proefproces (kort)")
    return dataclasses.replace(defn, stages=stages, transitions=tuple(transitions), title=title)


def test_a_new_template_version_leaves_running_initiatives_on_their_own(session, now):
    old = factories.initiative(session, now, members=2)
    anna = _initiator(old)
    fire_transition(session, anna, old.id, "start", now + MIN)
    assert old.state == "visioning"
    v1 = latest_version(session, "proefproces")

    v2 = register_workflow(session, _without_visioning(definition_of(v1)), now + 2 * MIN)
    assert v2.version == v1.version + 1
    new = factories.initiative(session, now + 3 * MIN, title="Bankjes in Helpman")

    assert old.workflow_version_id == v1.id
    assert new.workflow_version_id == v2.id
    new_stages = session.scalars(
        select(StagePlan.stage_key).where(StagePlan.initiative_id == new.id)
    ).all()
    assert "visioning" not in new_stages
    moves = list_moves(session, _initiator(new), new)
    assert [(m.trigger, m.dest) for m in moves] == [("start", "execution")]

    # the old initiative is in a stage the new version no longer has, and still moves on
    moves = list_moves(session, anna, old)
    assert [(m.trigger, m.dest) for m in moves] == [("plan", "execution")]
    decision = open_decision(session, anna, old.id, "plan", now + 4 * MIN)
    close_decision(session, anna, decision.id, now + timedelta(days=8))
    fire_transition(session, anna, old.id, "plan", now + timedelta(days=8, minutes=1))
    assert old.state == "execution"
    assert [m.trigger for m in list_moves(session, anna, old)] == ["rethink", "hand_over"]


def test_registering_the_same_definition_again_adds_no_version(session, now):
    v1 = latest_version(session, "proefproces")
    again = register_workflow(session, definition_of(v1), now)
    assert again.id == v1.id


@pytest.mark.parametrize(
    "change, error",
    [
        ({"title": "Ja"}, InvalidInput),
        ({"title": "   \n "}, InvalidInput),
        ({"title": "x" * 201}, InvalidInput),
        ({"description": "x" * 20001}, InvalidInput),
        ({"visibility": "secret"}, InvalidInput),
        ({"neighbourhood_id": 987654}, InvalidInput),
        ({"workflow": "bestaat_niet"}, NotFound),
    ],
)
def test_bad_input_starts_nothing(session, now, change, error):
    anna = factories.person(session, now, "Anna de Vries")

    def counts():
        return [session.scalar(select(func.count()).select_from(m)) for m in (Initiative, Event)]

    before = counts()
    kwargs = {
        "workflow": "proefproces",
        "neighbourhood_id": factories.neighbourhood(session).id,
        "title": "Groen op de Voermanhaven",
        "description": "Meer groen op de kade.",
        "now": now,
    } | change
    with pytest.raises(error) as caught:
        create_initiative(session, anna, **kwargs)
    assert caught.value.message.render()
    assert counts() == before
    assert (
        session.scalar(
            select(func.count()).select_from(Membership).where(Membership.person_id == anna.id)
        )
        == 0
    )


def test_update_with_bad_description_keeps_the_title(session, now):
    item = factories.initiative(session, now)
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput):
        update_initiative(
            session,
            _initiator(item),
            item.id,
            title="Een heel andere titel",
            description="x" * 20001,
            now=now + MIN,
        )
    assert stored_state(session, item.id) == before


def test_update_changes_title_and_records_it(session, now):
    item = factories.initiative(session, now)
    update_initiative(
        session, _initiator(item), item.id, title="  Wijkvisie   Paddepoel ",
        description="Samen een visie.", now=now + MIN,
    )  # fmt: skip
    assert item.title == "Wijkvisie Paddepoel"
    assert factories.event_count(session, item.id, "updated") == 1
