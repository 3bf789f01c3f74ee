"""A volunteer asks another to swap (or take over) a turn; nothing changes until they agree.

Propose, accept, decline, withdraw, expire; the board changes a turn directly; bad input and
two answers at the same moment change nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.db import make_session_factory, unit_of_work
from engine.errors import Conflict, InvalidInput, PermissionDenied, Refused
from engine.maintenance.occurrences import mark_done
from engine.maintenance.proposals import count_asked_of, open_swaps, stale_swaps
from engine.maintenance.rota import reassign_turn
from engine.maintenance.swaps import accept_swap, decline_swap, propose_swap, withdraw_swap
from engine.maintenance.sweep import sweep_maintenance
from engine.models import Occurrence, Person, SwapProposal
from engine.timeutil import local_date
from tests import factories
from tests.engine.operations.races import one_winner as _one_winner
from tests.engine.operations.races import race as _race
from tests.factories import maintenance_state, stored_state

DAY = timedelta(days=1)


@pytest.fixture
def group(session, now):
    return factories.maintenance_group(session, now)


def _holders(session, *turns):
    session.expire_all()
    return [session.get(Occurrence, t.id).assignee_id for t in turns]


def _kinds(session, group):
    return [e.kind for e in factories.events_of(session, group.item.id)]


def test_a_swap_waits_for_a_yes_and_then_both_turns_change(session, now, group):
    cor, bram = group.member, group.board
    mine, theirs = group.turn_of(session, cor), group.turn_of(session, bram)
    proposal = propose_swap(
        session, cor, group.item.id, mine.id, other_id=theirs.id, note="Ik ben dan weg.", now=now
    )
    assert (proposal.status, proposal.recipient_id, proposal.note) == (
        "pending", bram.id, "Ik ben dan weg.",
    )  # fmt: skip
    assert _holders(session, mine, theirs) == [cor.id, bram.id]  # nothing changed yet
    (asked,) = factories.events_of(session, group.item.id, "maintenance.swap_proposed")
    assert (asked.actor_id, asked.data["person"], asked.data["task_title"]) == (
        cor.id, bram.id, "Kade vegen",
    )  # fmt: skip
    assert [p.id for p in open_swaps(session, group.item.id, local_date(now))] == [proposal.id]

    accept_swap(session, bram, group.item.id, proposal.id, now=now + DAY / 2)
    assert _holders(session, mine, theirs) == [bram.id, cor.id]
    assert session.get(SwapProposal, proposal.id).status == "accepted"
    (agreed,) = factories.events_of(session, group.item.id, "maintenance.swap_accepted")
    assert (agreed.actor_id, agreed.data["person"]) == (bram.id, cor.id)
    assert open_swaps(session, group.item.id, local_date(now)) == []
    with pytest.raises(Refused):
        accept_swap(session, bram, group.item.id, proposal.id, now=now + DAY / 2)


def test_someone_takes_a_turn_over(session, now, group):
    cor, anna = group.member, group.initiator
    mine = group.turn_of(session, cor)
    later = group.turn_of(session, cor, 1)
    proposal = propose_swap(session, cor, group.item.id, mine.id, person_id=anna.id, now=now)
    assert proposal.other_occurrence_id is None
    accept_swap(session, anna, group.item.id, proposal.id, now=now)
    assert _holders(session, mine, later) == [anna.id, cor.id]


def test_a_no_changes_nothing(session, now, group):
    cor, bram = group.member, group.board
    mine, theirs = group.turn_of(session, cor), group.turn_of(session, bram)
    proposal = propose_swap(session, cor, group.item.id, mine.id, other_id=theirs.id, now=now)
    decline_swap(session, bram, group.item.id, proposal.id, now=now)
    assert _holders(session, mine, theirs) == [cor.id, bram.id]
    assert session.get(SwapProposal, proposal.id).status == "declined"
    assert _kinds(session, group)[-1] == "maintenance.swap_declined"
    # a no is final; Cor may ask someone else now
    with pytest.raises(Refused):
        accept_swap(session, bram, group.item.id, proposal.id, now=now)
    propose_swap(session, cor, group.item.id, mine.id, person_id=group.initiator.id, now=now)


def test_the_asker_withdraws(session, now, group):
    cor, bram = group.member, group.board
    mine, theirs = group.turn_of(session, cor), group.turn_of(session, bram)
    proposal = propose_swap(session, cor, group.item.id, mine.id, other_id=theirs.id, now=now)
    with pytest.raises(Refused) as caught:  # one question per turn at a time
        propose_swap(session, cor, group.item.id, mine.id, person_id=group.initiator.id, now=now)
    assert "You already asked Bram Bos" in caught.value.message.render()
    with pytest.raises(PermissionDenied):
        withdraw_swap(session, bram, group.item.id, proposal.id, now=now)
    withdraw_swap(session, cor, group.item.id, proposal.id, now=now)
    assert session.get(SwapProposal, proposal.id).status == "withdrawn"
    assert _kinds(session, group)[-1] == "maintenance.swap_withdrawn"
    with pytest.raises(Refused):
        accept_swap(session, bram, group.item.id, proposal.id, now=now)
    assert _holders(session, mine, theirs) == [cor.id, bram.id]


def test_only_the_one_asked_answers(session, now, group):
    cor, bram, anna = group.member, group.board, group.initiator
    mine, theirs = group.turn_of(session, cor), group.turn_of(session, bram)
    proposal = propose_swap(session, cor, group.item.id, mine.id, other_id=theirs.id, now=now)
    before = maintenance_state(session, group.item.id)
    for someone in (cor, anna, group.outsider, group.coach):  # not even the chair
        for answer in (accept_swap, decline_swap):
            with pytest.raises(PermissionDenied):
                answer(session, someone, group.item.id, proposal.id, now=now)
    assert maintenance_state(session, group.item.id) == before


def test_a_question_expires_when_its_turn_is_recorded(session, now, group):
    cor, bram = group.member, group.board
    mine, theirs = group.turn_of(session, cor), group.turn_of(session, bram)
    proposal = propose_swap(session, cor, group.item.id, mine.id, other_id=theirs.id, now=now)
    mark_done(session, bram, group.item.id, theirs.id, now=now + DAY)
    assert session.get(SwapProposal, proposal.id).status == "expired"
    (expired,) = factories.events_of(session, group.item.id, "maintenance.swap_expired")
    assert expired.actor_id is None and expired.data["proposer"] == cor.id
    with pytest.raises(Refused) as caught:
        accept_swap(session, bram, group.item.id, proposal.id, now=now + DAY)
    assert "already been answered" in caught.value.message.render()


def test_a_question_expires_when_its_turn_goes_by(session, now, group):
    cor, bram = group.member, group.board
    mine, theirs = group.turn_of(session, cor), group.turn_of(session, bram)
    proposal = propose_swap(session, cor, group.item.id, mine.id, other_id=theirs.id, now=now)
    gone = now + 3 * DAY  # Cor's turn was the day before yesterday
    assert open_swaps(session, group.item.id, local_date(gone)) == []
    # the sweeper's probe sees the question waiting to expire then, not now
    assert session.scalar(select(stale_swaps(local_date(gone))))
    assert not session.scalar(select(stale_swaps(local_date(now))))
    before = stored_state(session, group.item.id)
    with pytest.raises(Refused) as caught:  # not answerable any more, even before the sweep
        accept_swap(session, bram, group.item.id, proposal.id, now=gone)
    assert "expired" in caught.value.message.render()
    assert stored_state(session, group.item.id) == before
    report = sweep_maintenance(session, gone)
    assert "1 swap questions expired" in report
    assert session.get(SwapProposal, proposal.id).status == "expired"
    assert _holders(session, mine, theirs) == [cor.id, bram.id]


def test_the_panel_counts_the_questions_that_wait_for_each_person(session, now, group):
    """The initiative page's count (SQL) and the overview's list (Python) agree: only the one
    asked sees it, and not once a turn went by, was recorded or changed hands."""
    cor, bram, anna = group.member, group.board, group.initiator
    mine, theirs = group.turn_of(session, cor), group.turn_of(session, bram)
    today = local_date(now)

    def counts(day):
        listed = open_swaps(session, group.item.id, day)
        asked = [count_asked_of(session, group.item.id, p.id, day) for p in (cor, bram, anna)]
        assert asked == [sum(q.recipient_id == p.id for q in listed) for p in (cor, bram, anna)]
        return asked

    assert counts(today) == [0, 0, 0]
    propose_swap(session, cor, group.item.id, mine.id, other_id=theirs.id, now=now)
    assert counts(today) == [0, 1, 0]
    assert counts(local_date(now + 3 * DAY)) == [0, 0, 0]  # Cor's turn went by
    reassign_turn(session, anna, group.item.id, theirs.id, anna.id, now=now)
    assert counts(today) == [0, 0, 0]  # Bram's turn is Anna's now: the question expired


def test_a_question_expires_when_the_board_gives_the_turn_away(session, now, group):
    cor, bram, anna = group.member, group.board, group.initiator
    mine, theirs = group.turn_of(session, cor), group.turn_of(session, bram)
    proposal = propose_swap(session, cor, group.item.id, mine.id, other_id=theirs.id, now=now)
    reassign_turn(session, anna, group.item.id, theirs.id, anna.id, now=now)
    (given,) = factories.events_of(session, group.item.id, "maintenance.reassigned")
    assert (given.actor_id, given.data["person"], given.data["old"]) == (anna.id, anna.id, bram.id)
    assert session.get(SwapProposal, proposal.id).status == "expired"
    assert _kinds(session, group)[-2:] == ["maintenance.reassigned", "maintenance.swap_expired"]


def test_a_yes_expires_the_other_questions_about_the_same_turn(session, now, group):
    cor, bram, anna = group.member, group.board, group.initiator
    wanted = group.turn_of(session, bram)
    from_cor = propose_swap(
        session, cor, group.item.id, group.turn_of(session, cor).id, other_id=wanted.id, now=now
    )
    from_anna = propose_swap(
        session, anna, group.item.id, group.turn_of(session, anna, 1).id, other_id=wanted.id,
        now=now,
    )  # fmt: skip
    accept_swap(session, bram, group.item.id, from_anna.id, now=now)
    assert _holders(session, wanted) == [anna.id]
    assert session.get(SwapProposal, from_cor.id).status == "expired"


def test_bad_questions_are_refused_and_change_nothing(session, now, group):
    cor, bram, anna = group.member, group.board, group.initiator
    mine = group.turn_of(session, cor)
    other_task = factories.recurring_task(
        session, group.item, anna, now, title="Bakken water geven", rule="FREQ=DAILY",
        volunteers=[bram.id],
    )  # fmt: skip
    foreign = session.scalar(select(Occurrence.id).where(Occurrence.task_id == other_task.id))
    before = (maintenance_state(session, group.item.id), stored_state(session, group.item.id))
    for kwargs in (
        {},  # nobody chosen
        {"other_id": group.turn_of(session, cor, 1).id},  # my own turn
        {"other_id": foreign},  # another task
        {"other_id": 10**9},
        {"person_id": cor.id},
        {"person_id": group.outsider.id},  # not in the association
        {"other_id": group.turn_of(session, bram).id, "person_id": anna.id},  # both
        {"person_id": anna.id, "note": "x" * 501},
    ):
        with pytest.raises(InvalidInput):
            propose_swap(session, cor, group.item.id, mine.id, now=now, **kwargs)
    with pytest.raises(PermissionDenied):  # someone else's turn
        propose_swap(
            session, cor, group.item.id, group.turn_of(session, bram).id, person_id=anna.id,
            now=now,
        )  # fmt: skip
    mark_done(session, cor, group.item.id, mine.id, now=now)
    before = (maintenance_state(session, group.item.id), stored_state(session, group.item.id))
    with pytest.raises(Refused):  # a turn already done
        propose_swap(session, cor, group.item.id, mine.id, person_id=anna.id, now=now)
    assert (maintenance_state(session, group.item.id), stored_state(session, group.item.id)) == (
        before
    )


# --- two answers at the same moment ---------------------------------------------------------


@pytest.fixture
def factory(committed_engine):
    return make_session_factory(committed_engine)


def test_a_yes_and_a_withdrawal_at_the_same_moment_one_wins(committed_engine, factory, now):
    with unit_of_work(factory) as s:
        g = factories.maintenance_group(s, now)
        cor, bram = g.member.id, g.board.id
        mine, theirs = g.turn_of(s, g.member).id, g.turn_of(s, g.board).id
        item = g.item.id
        proposal = propose_swap(s, g.member, item, mine, other_id=theirs, now=now).id

    def work(s, index):
        if index == 0:
            accept_swap(s, s.get(Person, bram), item, proposal, now=now)
        else:
            withdraw_swap(s, s.get(Person, cor), item, proposal, now=now)

    results = _race(committed_engine, factory, work)
    _one_winner(results)
    with factory() as s:
        status = s.get(SwapProposal, proposal).status
        holders = [s.get(Occurrence, t).assignee_id for t in (mine, theirs)]
    assert (status, holders) in (
        ("accepted", [bram, cor]),
        ("withdrawn", [cor, bram]),
    )
    assert isinstance(next(r for r in results if r != "ok"), Conflict)


def test_questions_about_turns_leave_the_page_of_the_initiative_fresh(session, now, group):
    """Asking, answering, withdrawing and expiring questions about turns are details of one
    task: the initiative's version stays, so a form of its page opened before still saves."""
    from engine.models import Initiative
    from engine.operations import update_initiative

    cor, bram, anna = group.member, group.board, group.initiator
    iid = group.item.id
    mine, theirs = group.turn_of(session, cor), group.turn_of(session, bram)

    def version() -> int:
        return session.scalar(select(Initiative.version).where(Initiative.id == iid))

    seen = version()  # Anna opens the page to change the description
    asked = propose_swap(session, cor, iid, mine.id, other_id=theirs.id, now=now)
    decline_swap(session, bram, iid, asked.id, now=now)
    asked = propose_swap(session, cor, iid, mine.id, person_id=anna.id, now=now)
    withdraw_swap(session, cor, iid, asked.id, now=now)
    asked = propose_swap(session, cor, iid, mine.id, other_id=theirs.id, now=now)
    accept_swap(session, bram, iid, asked.id, now=now)  # theirs is Cor's now
    asked = propose_swap(session, cor, iid, theirs.id, person_id=anna.id, now=now + DAY / 4)
    reassign_turn(session, anna, iid, theirs.id, bram.id, now=now + DAY / 4)
    assert session.get(SwapProposal, asked.id).status == "expired"
    assert version() == seen
    assert session.get(Initiative, iid).last_activity_dt == now + DAY / 4
    update_initiative(session, anna, iid, title="Groen op de kade",
                      description="Bankjes en bakken op de kade.", now=now + DAY / 2,
                      expected_version=seen)  # fmt: skip
