"""What the pages are told about the group: where a visitor stands, the members page."""

from __future__ import annotations

from datetime import timedelta

from engine.group import load_group, load_join_view
from engine.operations import (
    add_step,
    create_initiative,
    decline_join_request,
    remove_member,
    request_to_join,
)
from tests import factories

MIN = timedelta(minutes=1)


def test_each_visitor_is_told_where_they_stand(session, now):
    item, (anna, bram) = factories.initiative_with_group(session, now, join_policy="approval")
    henk = factories.person(session, now, "Henk Mulder")
    coach = factories.staff(session, now)

    assert load_join_view(session, item, None, None).pending == 0
    fresh = load_join_view(session, item, henk, None)
    assert (fresh.mine, fresh.removed, fresh.asked, fresh.joins_at_once) == (
        None, False, False, False,
    )  # fmt: skip

    first = request_to_join(session, henk, item.id, now)
    assert load_join_view(session, item, henk, None).asked
    assert load_join_view(session, item, anna, "initiator").pending == 1
    # members and staff are not told about the requests, nor have any
    assert load_join_view(session, item, bram, "member").pending == 0
    staff_view = load_join_view(session, item, coach, None)
    assert (staff_view.pending, staff_view.mine) == (0, None)

    decline_join_request(session, anna, item.id, first.id, now + MIN, reason="Vol")
    told = load_join_view(session, item, henk, None)
    assert told.mine.id == first.id and told.mine.status == "declined" and not told.asked


def test_someone_removed_is_told_to_ask_even_in_an_open_group(session, now):
    item, (anna, bram) = factories.initiative_with_group(session, now)
    assert load_join_view(session, item, factories.person(session, now), None).joins_at_once
    remove_member(session, anna, item.id, bram.id, now + MIN, reason="Niet meer actief")
    view = load_join_view(session, item, bram, None)
    assert view.removed and not view.joins_at_once


def test_an_initiative_started_on_behalf_waits_and_names_its_coach(session, now):
    sanne = factories.staff(session, now, name="Sanne Visser")
    item = create_initiative(
        session, sanne, workflow="proefproces", title="Speelplek", description="",
        neighbourhood_id=factories.neighbourhood(session).id, now=now,
    )  # fmt: skip
    for viewer, stands_in in ((sanne, True), (factories.staff(session, now), False)):
        view = load_join_view(session, item, viewer, None)
        assert (view.waiting, view.stands_in, view.starter_name) == (
            True, stands_in, "Sanne Visser",
        )  # fmt: skip
    assert load_group(session, item, None).members == []


def test_the_members_page_counts_open_steps_and_shows_requests_to_initiators(session, now):
    item, (anna, bram) = factories.initiative_with_group(session, now, join_policy="approval")
    add_step(session, anna, item.id, stage_key="proposal", title="Flyers", owner_id=bram.id,
             now=now)  # fmt: skip
    request_to_join(session, factories.person(session, now, "Henk"), item.id, now)
    page = load_group(session, item, "initiator")
    assert [(m.name, m.role, m.open_steps) for m in page.members] == [
        ("Anna de Vries", "initiator", 0),
        ("Bram Bakker", "member", 1),
    ]
    assert [r.name for r in page.requests] == ["Henk"]
    assert load_group(session, item, "member").requests == []
