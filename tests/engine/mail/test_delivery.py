"""Delivering the outbox to a real SMTP server: nothing lost, nothing doubled, retried with the
same Message-ID, claims held by one run at a time."""

from __future__ import annotations

import threading
import time
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import text

from engine.db import make_session_factory, utcnow
from engine.mail.delivery import (
    MAX_ATTEMPTS,
    UNREACHABLE_CAP,
    backoff,
    claim,
    deliver_due,
    unreachable_backoff,
)
from engine.mail.outbox import queue_many
from engine.mail.smtp import SmtpTransport
from tests.conftest import NOW, migrated_database
from tests.engine.mail.conftest import FROM, queue, rows
from tests.support import free_port

MIN = timedelta(minutes=1)


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


def test_a_claim_takes_at_most_its_batch_even_on_a_table_never_analysed(sessions, tmp_path):
    """PostgreSQL without statistics plans ``id IN (… LIMIT n FOR UPDATE SKIP LOCKED)`` as a
    nested loop that runs the LIMIT once per row: the claim must not grow with the backlog."""
    kind = sessions.kw["bind"].dialect.name
    engine = migrated_database("postgres" if kind == "postgresql" else "sqlite", tmp_path, "raw")
    fresh = make_session_factory(engine)
    with fresh() as s:
        if kind == "postgresql":
            s.execute(text("ALTER TABLE outbox SET (autovacuum_enabled = off)"))
        queue_many(s, [
            {"key": f"stapel:{i}", "to_addr": f"bewoner{i}@example.nl", "subject": "Herinnering",
             "body_text": "Hallo"} for i in range(600)
        ], now=NOW, mail_from=FROM)  # fmt: skip
        s.commit()
        if kind == "postgresql":  # no statistics: the planner guesses, as on a fresh install
            assert s.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'outbox'")) < 0
        first, _ = claim(s, NOW, 50, token="een")
        second, _ = claim(s, NOW, 50, token="twee")
        s.commit()
    engine.dispose()
    assert len(first) == len(second) == 50 and not set(first) & set(second)


def test_a_claim_of_a_run_that_died_is_taken_over_once_its_lease_lapses(clean, smtp):
    (mid,) = queue(clean, 1)
    with clean() as s:  # a run claims it and dies before sending
        claim(s, NOW, token="gestorven", lease=timedelta(seconds=60))
        s.commit()
    assert deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM).sent == []
    later = deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM,
                        clock=lambda: utcnow() + timedelta(seconds=61))  # fmt: skip
    assert later.sent == [mid] and len(smtp.messages) == 1
    assert [(r.status, r.claimed_by, r.attempts) for r in rows(clean)] == [("sent", None, 1)]


def test_two_runs_with_a_slow_server_send_each_message_once(clean, smtp):
    """One run's batch takes longer than its lease: it renews the lease, so another run that
    sweeps meanwhile (as a second scheduler does) finds nothing to take over."""
    ids = queue(clean, 10)
    smtp.handler.delay = 0.15  # the batch takes 1.5 s; the lease is 0.6 s
    lease = timedelta(seconds=0.6)
    reports = []

    def first() -> None:
        reports.append(deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM,
                                   lease=lease))  # fmt: skip

    def second() -> None:
        time.sleep(0.05)
        stop = time.monotonic() + 2.0
        while time.monotonic() < stop:
            reports.append(deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM,
                                       lease=lease))  # fmt: skip
            time.sleep(0.1)

    runs = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=30)
    received = Counter(m["Message-ID"] for m in smtp.messages)
    assert sorted(received.values()) == [1] * 10
    assert sorted(i for r in reports for i in r.sent) == ids
    assert {(r.status, r.attempts) for r in rows(clean)} == {("sent", 1)}


class _Clock:
    def __init__(self) -> None:
        self.ahead = timedelta(0)

    def __call__(self) -> datetime:
        return utcnow() + self.ahead


def test_a_run_frozen_past_its_lease_sends_nothing_more_and_overwrites_nothing(clean, smtp):
    """The window the docs state: the message in flight while its run stood still for longer
    than a lease arrives twice (same Message-ID); the rest of its batch, which another run
    took over, arrives once."""
    first, *rest = queue(clean, 4)
    clock = _Clock()
    other: list = []

    class Freezing(SmtpTransport):
        def send(self, message) -> None:
            if not other:  # while sending the first message the run stands still for 2 leases
                clock.ahead = timedelta(seconds=120)
                other.append(deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM,
                                         clock=clock))  # fmt: skip
            super().send(message)

    with Freezing(smtp.url) as transport:
        frozen = deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM,
                             transport=transport, clock=clock)  # fmt: skip
    assert other[0].sent == [first, *rest]
    assert frozen.sent == [first] and frozen.overtaken == rest
    received = Counter(m["Message-ID"] for m in smtp.messages)
    assert sorted(received.values()) == [1, 1, 1, 2]
    assert {(r.status, r.claimed_by) for r in rows(clean)} == {("sent", None)}


def test_a_connection_dropped_after_data_is_tried_again_without_using_a_try(clean, smtp):
    ids = queue(clean, 3)
    smtp.handler.drop = 1
    report = deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM)
    assert report.sent == [] and report.deferred == ids
    assert {(r.status, r.attempts) for r in rows(clean)} == {("pending", 0)}
    report = deliver_due(clean, now=NOW + MIN, smtp_url=smtp.url, mail_from=FROM)
    assert report.sent == ids and len(smtp.messages) == 3


def test_mail_waits_at_most_45_seconds_for_a_server_that_was_away(clean):
    queue(clean, 2, now=NOW - timedelta(hours=3))
    down = f"smtp://127.0.0.1:{free_port()}"
    deliver_due(clean, now=NOW, smtp_url=down, mail_from=FROM)
    assert {r.next_attempt_dt - NOW for r in rows(clean)} == {UNREACHABLE_CAP}
    assert unreachable_backoff(NOW, NOW) == timedelta(seconds=5)
    assert unreachable_backoff(NOW - timedelta(days=2), NOW) == timedelta(seconds=45)


def test_a_slow_send_keeps_its_claim_alive(clean, smtp):
    """One message slower than a lease: the run's heartbeat renews it meanwhile."""
    (mid,) = queue(clean, 1)
    smtp.handler.delay = 1.0
    result: list = []
    runner = threading.Thread(
        target=lambda: result.append(
            deliver_due(
                clean, now=NOW, smtp_url=smtp.url, mail_from=FROM, lease=timedelta(seconds=0.45)
            )
        )
    )
    runner.start()
    time.sleep(0.7)  # past the first lease, while the server still thinks
    assert deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM).sent == []
    runner.join(timeout=10)
    assert result[0].sent == [mid] and len(smtp.messages) == 1
