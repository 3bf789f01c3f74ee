"""The initiative page's reminders panel reads its three facts in one statement (the person's
calendar address of the initiative, its coming deadlines, its next reminder) and finds what
three separate queries find, with and without deadlines, address or reminders."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from engine.models.reminders import CalendarEntry, CalendarFeed, Reminder
from engine.operations import add_step
from engine.reminders.calendar import make_feed, revoke_feed
from engine.reminders.queries import panel_facts
from engine.timeutil import local_date
from tests import factories
from tests.conftest import NOW

DAY = timedelta(days=1)


def _apart(session, person_id, initiative_id, today, limit=5):
    """The three facts as three queries: the oracle."""
    feed = session.scalar(
        select(CalendarFeed.token)
        .where(
            CalendarFeed.person_id == person_id,
            CalendarFeed.initiative_id == initiative_id,
            CalendarFeed.revoked_dt.is_(None),
        )
        .order_by(CalendarFeed.id)
        .limit(1)
    )
    coming = [
        tuple(row)
        for row in session.execute(
            select(CalendarEntry.entry_date, CalendarEntry.kind, CalendarEntry.title)
            .where(
                CalendarEntry.initiative_id == initiative_id,
                CalendarEntry.is_cancelled.is_(False),
                CalendarEntry.entry_date >= today,
            )
            .order_by(CalendarEntry.entry_date, CalendarEntry.id)
            .limit(limit)
        )
    ]
    due = session.scalar(
        select(func.min(Reminder.due_dt)).where(
            Reminder.initiative_id == initiative_id, Reminder.status == "pending"
        )
    )
    return feed, coming, due


def test_the_panel_reads_what_three_queries_read(session):
    item = factories.initiative(session, NOW, members=2)
    anna = item.memberships[0].person
    other = factories.initiative(session, NOW, initiator=anna, title="Bankjes in Selwerd")
    today = local_date(NOW)

    def check():
        found = panel_facts(session, anna.id, item.id, today)
        assert tuple(found) == _apart(session, anna.id, item.id, today)
        return found

    session.execute(update(CalendarEntry).values(is_cancelled=True))  # a clean start
    session.execute(update(Reminder).values(status="cancelled"))
    empty = check()
    assert empty.feed_token is None and empty.upcoming == [] and empty.next_reminder is None

    # seven dated steps, given in no order of their dates: the five soonest, soonest first
    for n in (6, 2, 9, 4, 7, 3, 8):
        add_step(session, anna, item.id, stage_key=item.state, title=f"Stap {n}",
                 due_date=today + n * DAY, now=NOW)  # fmt: skip
    session.flush()
    dated = check()
    assert [day for day, _kind, _title in dated.upcoming] == [
        today + n * DAY for n in (2, 3, 4, 6, 7)
    ]
    assert dated.next_reminder is not None
    assert dated.feed_token is None

    # a cancelled deadline and one gone by are not coming
    soonest = session.scalar(
        select(CalendarEntry).where(CalendarEntry.initiative_id == item.id,
                                    CalendarEntry.is_cancelled.is_(False))
        .order_by(CalendarEntry.entry_date).limit(1)
    )  # fmt: skip
    soonest.is_cancelled = True
    session.flush()
    assert today + 2 * DAY not in [day for day, _k, _t in check().upcoming]
    assert check().upcoming[0][0] == today + 3 * DAY
    assert [
        day for day, _k, _t in panel_facts(session, anna.id, item.id, today + 8 * DAY).upcoming
    ] == [today + 8 * DAY, today + 9 * DAY]

    # her address of this initiative, not of another one, and none once she stops it
    make_feed(session, anna, NOW, other.id)
    assert check().feed_token is None
    token = make_feed(session, anna, NOW, item.id).token
    assert check().feed_token == token
    revoke_feed(session, anna, NOW, item.id)
    assert check().feed_token is None

    # no deadline ahead: the address and the next reminder still come along
    token = make_feed(session, anna, NOW, item.id).token
    session.execute(update(CalendarEntry).values(is_cancelled=True))
    alone = check()
    assert alone.upcoming == [] and alone.feed_token == token
    assert alone.next_reminder == dated.next_reminder
