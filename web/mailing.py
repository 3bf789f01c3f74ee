"""Mail from the web goes through the engine's outbox; after a commit we nudge delivery.

The scheduler delivers whatever is due every few seconds anyway; this only makes a password
reset or an invitation arrive at once. Delivery is claim-based, so a nudge and the scheduler
never send the same message twice.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app

from engine.db import is_unavailable, one_line, utcnow
from engine.mail import Mailer, deliver_due

log = logging.getLogger(__name__)


def mailer() -> Mailer:
    return Mailer.from_config(current_app.config["VERBINDING"])


def deliver_soon() -> None:
    """Deliver due mail in a background thread, right after the request's commit."""
    runtime = current_app.extensions["verbinding"]
    config = runtime.config

    def run() -> None:
        try:
            deliver_due(
                runtime.sessions,
                now=utcnow(),
                smtp_url=config.smtp_url,
                mail_from=config.mail_from,
                lease=timedelta(seconds=config.mail_lease_seconds),
            )
        except Exception as exc:  # noqa: BLE001 - the scheduler will retry; never break the page
            if is_unavailable(exc):
                log.warning("immediate mail delivery: the database cannot be reached (%s); "
                            "the scheduler will retry", one_line(exc))  # fmt: skip
            else:
                log.exception("immediate mail delivery failed; the scheduler will retry")

    runtime.in_background(run, "deliver-soon")
