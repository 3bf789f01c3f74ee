"""Meetings under two real ``verbinding scheduler`` processes on PostgreSQL: both sweep every
second, both plan the meetings' reminders (none were planned yet) and both deliver the outbox,
with a slow mail server. Every reminder of a meeting and every notice of a changed meeting
arrives exactly once."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import delete, func, select

from engine.config import load_config
from engine.db import make_session_factory, utcnow
from engine.meetings.operations import MeetingInput, answer_meeting, plan_meeting, update_meeting
from engine.models import OutboxMessage
from engine.models.reminders import Reminder
from engine.timeutil import local_date
from tests import factories
from tests.conftest import PG_PROBLEM, pg_database_url
from tests.faults.conftest import (
    SETTINGS,
    _admin,
    env_for,
    prepared_fault_database,
    received,
    start,
    stop,
    wait_until,
)
from tests.support import SmtpServer

pytestmark = [pytest.mark.faults, pytest.mark.postgres]
GROUPS = 4
#: per group: two going get a reminder; the two going and one maybe hear of the change
MAILS_PER_GROUP = 2 + 3


def _tomorrow(now, **kw) -> MeetingInput:
    values = {"title": "Wijkavond", "day": local_date(now) + timedelta(days=1),
              "starts": "20:00", "ends": "00:30", "place": "Buurthuis De Paddepoel",
              "address": "Pop Dijkemaweg 9, Groningen"}  # fmt: skip
    values.update(kw)
    return MeetingInput(**values)


@pytest.fixture
def meetings_database(tmp_path):
    """Groups with a meeting tomorrow evening (past midnight), moved to another place; the
    reminders are not planned yet, so both schedulers plan them at once."""
    if PG_PROBLEM:
        pytest.skip(f"PostgreSQL not reachable: {PG_PROBLEM}")
    url = pg_database_url("faults_meetings")
    now = utcnow()
    with prepared_fault_database(url, now) as (engine, s):
        for n in range(GROUPS):
            item = factories.initiative(s, now, members=1, title=f"Buurtgroep {n}")
            anna = item.memberships[0].person
            meeting = plan_meeting(s, anna, item.id, _tomorrow(now), now)
            for answer in ("going", "going", "maybe", "not"):
                answer_meeting(s, factories.person(s, now), item.id, meeting.id, answer, now)
            update_meeting(s, anna, item.id, meeting.id, _tomorrow(now, place="De Wijert"), now)
        s.execute(delete(Reminder))
    yield engine, url
    engine.dispose()
    _admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def test_two_schedulers_send_each_meeting_reminder_and_change_notice_once(
    meetings_database, tmp_path
):
    engine, url = meetings_database
    total = GROUPS * MAILS_PER_GROUP
    smtp = SmtpServer().start()
    smtp.handler.delay = 0.2
    env = env_for(url, smtp, tmp_path, VERBINDING_MAIL_LEASE_SECONDS="3")
    processes = [start(env, "scheduler"), start(env, "scheduler")]
    try:
        wait_until(lambda: len(smtp.messages) >= total, what="every mail")
        time.sleep(2.5)  # more sweeps of both: nothing further may arrive
    finally:
        outputs = stop(*processes)
        smtp.stop()
    counts = received(smtp)
    assert len(smtp.messages) == total, outputs
    assert set(counts.values()) == {1}, counts.most_common(3)
    subjects = [str(m["Subject"]) for m in smtp.messages]
    assert sum("veranderd" in s for s in subjects) == GROUPS * 3, subjects
    assert sum(s.startswith("Herinnering") for s in subjects) == GROUPS * 2, subjects
    with make_session_factory(engine, load_config(SETTINGS))() as s:
        reminders = s.execute(
            select(Reminder.deadline_key, Reminder.person_id, Reminder.status)
        ).all()
        sent = s.scalar(select(func.count()).where(OutboxMessage.status == "sent"))
    # one reminder row per meeting and person going, each sent
    assert len(reminders) == len({(k, p) for k, p, _ in reminders}) == GROUPS * 2
    assert {status for _, _, status in reminders} == {"sent"} and sent == total
