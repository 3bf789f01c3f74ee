"""Each initiative keeps the earliest due date of its open steps (the caseload's "overdue"
order walks it), kept right by the database at every change of a step, on SQLite and on
PostgreSQL. (tests/engine/test_group_invariants.py checks it after random sequences too.)"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select, update

from engine.coach.caseload import Filters, caseload
from engine.models import Initiative, Step
from engine.models.initiatives import NO_OPEN_DUE
from engine.operations import add_step, complete_step, remove_step, reopen_step, update_step
from engine.timeutil import local_date
from tests import factories
from tests.invariants.checks import kept_open_due_drift

DAY = timedelta(days=1)


def _kept(session, iid: int):
    session.flush()
    assert kept_open_due_drift(session) == []
    return session.scalar(select(Initiative.earliest_open_due).where(Initiative.id == iid))


def test_every_change_of_a_step_keeps_the_earliest_open_due_date(session, now):
    item = factories.initiative(session, now, title="Bankjes")
    anna, today = item.memberships[0].person, local_date(now)
    assert _kept(session, item.id) == NO_OPEN_DUE

    def step(days: int | None) -> int:
        due = None if days is None else today + days * DAY
        made = add_step(session, anna, item.id, stage_key="proposal", title=f"Stap {days}",
                        due_date=due, now=now)  # fmt: skip
        return made.id

    five, two, _undated = step(5), step(2), step(None)
    assert _kept(session, item.id) == today + 2 * DAY
    update_step(session, anna, item.id, two, title="Later", owner_id=None,
                due_date=today + 9 * DAY, now=now)  # fmt: skip
    assert _kept(session, item.id) == today + 5 * DAY
    complete_step(session, anna, item.id, five, now=now)
    assert _kept(session, item.id) == today + 9 * DAY
    reopen_step(session, anna, item.id, five, now=now)
    assert _kept(session, item.id) == today + 5 * DAY
    remove_step(session, anna, item.id, five, now=now)
    assert _kept(session, item.id) == today + 9 * DAY
    # closed without being done, and bulk statements outside the operations: kept all the same
    session.execute(update(Step).where(Step.id == two).values(closed_dt=now))
    assert _kept(session, item.id) == NO_OPEN_DUE
    session.execute(update(Step).where(Step.id == two).values(closed_dt=None))
    assert _kept(session, item.id) == today + 9 * DAY
    session.execute(delete(Step).where(Step.initiative_id == item.id))
    assert _kept(session, item.id) == NO_OPEN_DUE


def test_the_overdue_order_puts_the_longest_overdue_first_as_time_passes(session, now):
    today = local_date(now)
    items = {}
    for title, days in (("Al lang te laat", -20), ("Net te laat", -1), ("Nog op tijd", 3)):
        item = factories.initiative(session, now, title=title)
        add_step(session, item.memberships[0].person, item.id, stage_key="proposal",
                 title="Stap", due_date=today + days * DAY, now=now - 30 * DAY)  # fmt: skip
        items[title] = item
    session.flush()
    mine = {"Al lang te laat", "Net te laat", "Nog op tijd"}

    def order(at) -> list[str]:
        rows = caseload(session, Filters(sort="overdue", direction="desc", per_page=100), now=at)
        return [r.title for r in rows.rows if r.title in mine]

    assert order(now) == ["Al lang te laat", "Net te laat", "Nog op tijd"]
    shown = {r.title: r.overdue_steps for r in caseload(
        session, Filters(sort="overdue", direction="desc", per_page=100), now=now + 5 * DAY
    ).rows}  # fmt: skip
    # five days on, nothing was written, and the third is overdue too
    assert (shown["Al lang te laat"], shown["Nog op tijd"]) == (1, 1)
