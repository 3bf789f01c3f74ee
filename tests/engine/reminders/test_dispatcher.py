"""Due reminders become mail in the outbox: at once, bundled in digests, or not at all."""

from __future__ import annotations

from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import insert, select, text

from engine.db import make_session_factory
from engine.mail.outbox import build_email
from engine.models import Membership, OutboxMessage, Person
from engine.models.reminders import Reminder
from engine.models.support import CoachAssignment
from engine.operations import add_step, leave_initiative
from engine.reminders.digests import Site
from engine.reminders.dispatcher import Delivery, claim, dispatch
from engine.reminders.planner import sweep_sources
from engine.reminders.preferences import modes_of, set_preferences, unsubscribe
from engine.reminders.rules import local_moment
from engine.reminders.tokens import read_unsubscribe_token
from engine.timeutil import local_date
from tests import factories
from tests.conftest import DB_KINDS, migrated_database

DAY = timedelta(days=1)
SITE = Site("https://verbinding.test", "geheim")
DELIVERY = Delivery(SITE, "Verbinding <noreply@verbinding.test>")
FROM = DELIVERY.mail_from


def outbox(session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def morning(day):
    return local_moment(day, 8) + timedelta(minutes=1)


@pytest.fixture
def anna_step(session, now):
    """Anna's step, due in ten days, and the Monday its week-before reminder falls on."""
    item = factories.initiative(session, now, members=1)
    anna = item.memberships[0].person
    due = local_date(now) + 10 * DAY
    step = add_step(session, anna, item.id, stage_key="proposal", title="Foto's maken",
                    owner_id=anna.id, due_date=due, now=now)  # fmt: skip
    return item, anna, step, due


def test_at_once_one_mail_per_reminder_with_link_and_one_click_unsubscribe(session, now, anna_step):
    item, anna, step, due = anna_step
    anna.locale = "en"
    report = dispatch(session, morning(due - 7 * DAY), DELIVERY)
    assert (report.claimed, report.mails, report.digests) == (1, 1, 0)
    (row,) = outbox(session)
    mail = message_from_bytes(build_email(row, FROM).as_bytes(), policy=policy.default)
    assert mail["Subject"] == "Reminder for “Groen op de Voermanhaven”: Foto's maken"
    assert mail["Auto-Submitted"] == "auto-generated"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = mail["List-Unsubscribe"].strip().strip("<>")
    assert url.startswith("https://verbinding.test/reminders/unsubscribe/")
    assert read_unsubscribe_token("geheim", url.rsplit("/", 1)[1]) == (anna.id, ["step_due"])
    text = mail.get_body(("plain",)).get_content()
    html = mail.get_body(("html",)).get_content()
    assert "is due in 7 days" in text
    link = f"https://verbinding.test/initiatives/{item.id}#step-{step.id}"
    assert link in text and f'href="{link}"' in html
    assert row.message_id.endswith("@verbinding.test>")
    sent = session.scalar(select(Reminder).where(Reminder.outbox_id == row.id))
    assert sent.status == "sent"


def test_mail_speaks_the_readers_language(session, now, anna_step):
    item, anna, step, due = anna_step
    anna.locale = "nl"
    dispatch(session, morning(due), DELIVERY)
    (row,) = outbox(session)
    assert row.subject.startswith("Herinnering")


def test_nothing_is_claimed_before_it_is_due_and_nothing_twice(session, now, anna_step):
    item, anna, step, due = anna_step
    assert dispatch(session, morning(due - 8 * DAY), DELIVERY).claimed == 0
    assert dispatch(session, morning(due - 7 * DAY), DELIVERY).mails == 1
    assert dispatch(session, morning(due - 7 * DAY), DELIVERY).claimed == 0
    assert len(outbox(session)) == 1


def test_off_sends_nothing(session, now, anna_step):
    item, anna, step, due = anna_step
    set_preferences(session, anna, modes={"step_due": "off"}, now=now)
    report = dispatch(session, morning(due + DAY), DELIVERY)
    assert report.mails == 0 and report.skipped == report.claimed == 4
    assert outbox(session) == []


def test_a_late_dispatch_sends_only_the_newest_reminder_of_a_deadline(session, now, anna_step):
    item, anna, step, due = anna_step
    report = dispatch(session, morning(due), DELIVERY)  # the server was away for a week
    assert (report.claimed, report.mails) == (3, 1)
    (row,) = outbox(session)
    assert "today" in row.body_text or "vandaag" in row.body_text


def test_a_daily_digest_bundles_what_came_due(session, now, anna_step):
    item, anna, step, due = anna_step
    add_step(session, anna, item.id, stage_key="proposal", title="Buren vragen",
             owner_id=anna.id, due_date=due, now=now)  # fmt: skip
    set_preferences(session, anna, modes={"step_due": "daily"}, now=now, locale="en")
    report = dispatch(session, morning(due - DAY), DELIVERY)
    assert (report.mails, report.digests) == (1, 1)
    (row,) = outbox(session)
    # (with the news of the group's making, due in the same slot: see the test below)
    assert row.subject.startswith("Your overview: 2 reminders")
    assert "Foto's maken" in row.body_text and "Buren vragen" in row.body_text
    assert row.idempotency_key.startswith(f"digest:{anna.id}:daily:")


def test_a_weekly_digest_waits_for_monday(session, now, anna_step):
    item, anna, step, due = anna_step
    set_preferences(session, anna, modes={"step_due": "weekly"}, now=now)
    day_before = due - DAY
    assert day_before.isoweekday() == 7  # a Sunday
    report = dispatch(session, morning(day_before), DELIVERY)
    assert report.deferred == 1 and report.mails == 0
    monday = day_before + DAY
    assert dispatch(session, morning(monday) - timedelta(minutes=5), DELIVERY).claimed == 0
    later = dispatch(session, morning(monday), DELIVERY)
    assert later.digests == 1


def test_one_click_unsubscribe_turns_that_kind_off(session, now, anna_step):
    item, anna, step, due = anna_step
    unsubscribe(session, anna.id, ["step_due"], now)
    assert modes_of(session, anna)["step_due"] == "off"
    assert modes_of(session, anna)["stage_target"] == "immediate"
    assert dispatch(session, morning(due), DELIVERY).mails == 0


def test_someone_who_left_the_group_gets_no_reminder(session, now):
    item = factories.initiative(session, now, members=1)
    anna = item.memberships[0].person
    joost = item.memberships[1].person
    due = local_date(now) + 2 * DAY
    add_step(session, anna, item.id, stage_key="proposal", title="Samen", due_date=due, now=now)
    leave_initiative(session, joost, item.id, now)
    report = dispatch(session, morning(due), DELIVERY)
    assert report.mails == 1 and report.cancelled >= 1
    assert {m.to_addr for m in outbox(session)} == {anna.email}


def test_coaches_hear_of_a_stalled_initiative_once(session, now):
    item = factories.initiative(session, now - 60 * DAY, members=1)
    coach = factories.staff(session, now)
    session.add(CoachAssignment(coach_id=coach.id, initiative_id=item.id, created_dt=now))
    session.flush()
    sweep_sources(session, now)
    sweep_sources(session, now + timedelta(hours=1))
    report = dispatch(session, now + timedelta(hours=2), DELIVERY)
    assert report.mails == 1
    (row,) = outbox(session)
    assert row.to_addr == coach.email and item.title in row.body_text


def test_a_coach_is_reminded_of_a_support_request_to_answer(session, now):
    item = factories.initiative(session, now, members=1)
    coach = factories.staff(session, now)
    request = factories.filed_request(session, item, item.memberships[0].person, now)
    request.respond_by_date = local_date(now) + 5 * DAY
    request.assigned_to_id = coach.id
    session.add(Membership(initiative_id=item.id, person_id=coach.id, role="coach", joined_dt=now))
    session.flush()
    sweep_sources(session, now)
    rows = session.scalars(select(Reminder).where(Reminder.kind == "support_due")).all()
    assert {(r.person_id, r.offset_days) for r in rows} == {(coach.id, 2), (coach.id, 0),
                                                              (coach.id, -1)}  # fmt: skip
    request.status = "accepted"  # answered: the reminders go
    session.flush()
    sweep_sources(session, now)
    assert {r.status for r in rows} == {"cancelled"}


@pytest.mark.parametrize("kind", DB_KINDS)
def test_a_claim_takes_at_most_its_batch_even_on_a_table_never_analysed(kind, tmp_path, now):
    """PostgreSQL without statistics plans ``id IN (… LIMIT n FOR UPDATE SKIP LOCKED)`` as a
    nested loop that runs the LIMIT once per row: one dispatcher would take the whole backlog."""
    engine = migrated_database(kind, tmp_path, "claims")
    postgres = engine.dialect.name == "postgresql"
    sessions = make_session_factory(engine)
    with sessions() as s:
        if postgres:
            s.execute(text("ALTER TABLE reminders SET (autovacuum_enabled = off)"))
        anna = Person(email="anna@example.nl", name="Anna", created_dt=now)
        s.add(anna)
        s.flush()
        s.execute(insert(Reminder), [
            {"key": f"step:{i}:2026-12-01:0:{anna.id}", "source": "steps",
             "deadline_key": f"step:{i}", "person_id": anna.id, "kind": "step_due",
             "offset_days": 0, "deadline_date": now.date(), "title": {"nl": "Stap"},
             "link": "/", "due_dt": now - DAY, "status": "pending", "created_dt": now}
            for i in range(600)
        ])  # fmt: skip
        s.commit()
        if postgres:  # no statistics: the planner guesses, as on a fresh install
            assert s.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'reminders'")) < 0
    with sessions() as one, sessions() as other:
        first = claim(one, now, 50)
        # a second dispatcher meanwhile (PostgreSQL; SQLite lets one writer at a time)
        second = claim(other, now, 50) if postgres else []
        one.rollback()
        other.rollback()
    engine.dispose()
    assert len(first) == 50 and len(second) == (50 if postgres else 0)
    assert not {r.id for r in first} & {r.id for r in second}


def test_a_digest_and_the_overview_of_the_same_slot_are_one_mail(session, now, anna_step):
    """Anna reads her step reminders and her membership news daily: at the digest hour she gets
    one mail with both, each item once, and the overview step has nothing left for her."""
    from engine.models.notifications import Notification
    from engine.notifications.digests import send_digests
    from engine.notifications.fanout import notify
    from engine.notifications.recipients import group

    item, anna, step, due = anna_step
    set_preferences(session, anna, modes={"step_due": "daily"}, now=now, locale="en")
    session.query(Notification).delete()  # the group's own news so far: not this test's
    notify(session, kind="member_joined", initiative_id=item.id, actor_id=None,
           recipients=group(item.id), link=f"/initiatives/{item.id}#group", now=now,
           data={"initiative": item.title, "name": "Bram Smit"})  # fmt: skip
    session.query(OutboxMessage).delete()
    moment = morning(due - DAY)
    report = dispatch(session, moment, DELIVERY)
    assert (report.mails, report.digests) == (1, 1)
    (row,) = outbox(session)
    assert row.subject == "Your overview: 1 reminder and 1 notification"
    assert "Foto's maken" in row.body_text and "Bram Smit joined the group." in row.body_text
    assert "Bram Smit joined the group." in (row.body_html or "")
    token = row.headers["List-Unsubscribe"].rsplit("/", 1)[-1].rstrip(">")
    person_id, kinds = read_unsubscribe_token(SITE.secret, token)
    assert person_id == anna.id and {"step_due", "membership"} <= set(kinds)
    (note,) = session.scalars(select(Notification).where(Notification.person_id == anna.id))
    assert (note.mail_status, note.mailed_dt) == ("sent", moment)
    send_digests(session, moment)  # the rest of the group's overviews: none for Anna
    assert [m.to_addr for m in outbox(session)].count(anna.email) == 1
