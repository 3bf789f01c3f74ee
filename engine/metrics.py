"""Prometheus metrics: what the processes count, and what the database tells at scrape time.

Counters and histograms live in the process that counts them. Several processes (web workers,
schedulers) are added up when ``PROMETHEUS_MULTIPROC_DIR`` names a folder that all of them
share (set before they start; empty it at a restart): prometheus_client then keeps the counts
in files there, and ``/metrics`` (web.main.ops) reads every process's files. Without it a
scrape shows the counts of the process that answers it.

What the database knows (the outbox's backlog and failures, the schedulers' heartbeats) is
read at scrape time (:class:`DatabaseCollector`), so it is right whichever process answers.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

from prometheus_client import Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy.orm import Session, sessionmaker

REQUEST_SECONDS = Histogram(
    "verbinding_http_request_duration_seconds",
    "Time from request to response, per endpoint (the view's name) and method.",
    ["endpoint", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
REQUESTS = Counter(
    "verbinding_http_requests",
    "Requests answered, per endpoint, method and status code.",
    ["endpoint", "method", "status"],
)
TRANSITIONS = Counter(
    "verbinding_transitions",
    "Initiatives moved from one stage to another, per trigger.",
    ["trigger"],
)
REMINDERS_PLANNED = Counter(
    "verbinding_reminders_planned", "Reminders planned (new or planned again)."
)
REMINDERS_SENT = Counter(
    "verbinding_reminders_sent", "Reminder and digest mails queued for sending."
)
MAIL_DELIVERIES = Counter(
    "verbinding_mail_deliveries",
    "Mail handed to the mail server, per outcome (sent, retry, failed, deferred).",
    ["outcome"],
)
SWEEP_SECONDS = Histogram(
    "verbinding_sweep_duration_seconds",
    "How long a scheduler's sweep took.",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0),
)


class DatabaseCollector(Collector):
    """The outbox and the schedulers as the database sees them, read at each scrape."""

    def __init__(self, sessions: sessionmaker[Session], now: datetime) -> None:
        self.sessions, self.now = sessions, now

    def collect(self) -> Iterator[Metric]:
        from engine.readiness import newest_heartbeat, outbox_counts

        with self.sessions() as session:
            backlog, failed = outbox_counts(session, self.now, limit=None)
            beat = newest_heartbeat(session)
        yield GaugeMetricFamily(
            "verbinding_outbox_backlog", "Mails due and not yet sent.", value=backlog
        )
        yield GaugeMetricFamily(
            "verbinding_outbox_failed_24h",
            "Mails that failed for good, of those due in the last 24 hours.",
            value=failed,
        )
        if beat is not None:
            age = (self.now - beat.beat_dt) / timedelta(seconds=1)
            yield GaugeMetricFamily(
                "verbinding_scheduler_heartbeat_age_seconds",
                "Seconds since a scheduler last finished a sweep.",
                value=max(age, 0.0),
            )
            yield GaugeMetricFamily(
                "verbinding_scheduler_last_sweep_seconds",
                "How long the newest heartbeat's sweep took.",
                value=beat.sweep_ms / 1000,
            )
