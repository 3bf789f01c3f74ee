"""The outbox against a real SMTP server: nothing lost, retried with the same Message-ID."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.db import make_session_factory
from engine.mail.outbox import MAX_ATTEMPTS, backoff, deliver_due, queue_message
from engine.models import OutboxMessage
from tests.conftest import DB_KINDS, NOW, migrated_database
from tests.support import free_port

FROM = "Verbinding <noreply@verbinding.test>"
MIN = timedelta(minutes=1)


@pytest.fixture(scope="module", params=DB_KINDS)
def sessions(request, tmp_path_factory):
    engine = migrated_database(request.param, tmp_path_factory.mktemp("outbox"), "outbox")
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def clean(sessions):
    """An empty outbox for each test (the database is the module's)."""
    with sessions() as s:
        s.query(OutboxMessage).delete()
        s.commit()
    return sessions


def queue(sessions, n: int, now=NOW, prefix="test") -> list[int]:
    with sessions() as s:
        ids = [
            queue_message(
                s, key=f"{prefix}:{i}", to_addr=f"bewoner{i}@example.nl", subject=f"Bericht {i}",
                body_text="Hallo", body_html="<p>Hallo</p>", now=now, mail_from=FROM,
            ).id
            for i in range(n)
        ]  # fmt: skip
        s.commit()
    return ids


def rows(sessions) -> list[OutboxMessage]:
    with sessions() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_server_down_loses_nothing_and_delivers_when_it_is_back(clean, smtp):
    queue(clean, 3)
    down = f"smtp://127.0.0.1:{free_port()}"
    report = deliver_due(clean, now=NOW, smtp_url=down, mail_from=FROM)
    assert report.sent == [] and len(report.deferred) == 3
    for attempt in range(MAX_ATTEMPTS + 2):  # down for long: no try is used up
        deliver_due(clean, now=NOW + (attempt + 1) * 20 * MIN, smtp_url=down, mail_from=FROM)
    assert {(r.status, r.attempts) for r in rows(clean)} == {("pending", 0)}
    later = NOW + 6 * 60 * MIN
    report = deliver_due(clean, now=later, smtp_url=smtp.url, mail_from=FROM)
    assert len(report.sent) == 3
    received = {m["Message-ID"] for m in smtp.messages}
    assert received == {r.message_id for r in rows(clean)}
    assert {r.status for r in rows(clean)} == {"sent"}


def test_a_temporary_refusal_is_retried_later_with_the_same_message_id(clean, smtp):
    (mid,) = queue(clean, 1)
    smtp.handler.refuse = 451
    report = deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM)
    assert report.retried == [mid]
    (row,) = rows(clean)
    assert (row.status, row.attempts, row.next_attempt_dt) == ("pending", 1, NOW + backoff(1))
    assert deliver_due(clean, now=NOW + MIN / 2, smtp_url=smtp.url, mail_from=FROM).sent == []
    smtp.handler.refuse = None
    report = deliver_due(clean, now=NOW + MIN, smtp_url=smtp.url, mail_from=FROM)
    assert report.sent == [mid]
    (mail,) = smtp.messages
    assert mail["Message-ID"] == row.message_id


def test_after_the_limit_a_message_fails_for_good_and_says_why(clean, smtp):
    (mid,) = queue(clean, 1)
    smtp.handler.refuse = 452
    moment = NOW
    for _ in range(MAX_ATTEMPTS):
        deliver_due(clean, now=moment, smtp_url=smtp.url, mail_from=FROM)
        moment += backoff(MAX_ATTEMPTS)
    (row,) = rows(clean)
    assert (row.status, row.attempts) == ("failed", MAX_ATTEMPTS)
    assert "452" in row.last_error
    assert deliver_due(clean, now=moment, smtp_url=smtp.url, mail_from=FROM).sent == []


def test_a_permanent_refusal_fails_at_once_and_the_batch_goes_on(clean, smtp):
    first, second = queue(clean, 2)
    smtp.handler.refuse = 550
    report = deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM)
    assert report.failed == [first, second]  # each refused on its own, none retried
    assert {(r.status, r.attempts) for r in rows(clean)} == {("failed", 1)}
    smtp.handler.refuse = None
    (third,) = queue(clean, 1, prefix="next")
    assert deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM).sent == [third]


def test_one_connection_carries_a_whole_batch(clean, smtp):
    sessions_seen = []
    original = smtp.controller.handler

    async def handle_EHLO(server, session, envelope, hostname, responses):  # noqa: N802
        sessions_seen.append(hostname)
        session.host_name = hostname
        return responses

    original.handle_EHLO = handle_EHLO
    queue(clean, 25)
    report = deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM)
    assert len(report.sent) == 25 and len(smtp.messages) == 25
    assert len(sessions_seen) == 1


def test_queueing_twice_with_one_key_makes_one_message(clean):
    queue(clean, 1, prefix="same")
    queue(clean, 1, prefix="same")
    assert len(rows(clean)) == 1
