"""A mail with a one-time link keeps it in the reader's mailbox, not in the outbox."""

from __future__ import annotations

import re

from engine.accounts import create_person, request_password_reset
from engine.mail import Mailer, deliver_due
from engine.models import OutboxMessage
from tests.conftest import NOW
from tests.engine.mail.conftest import FROM, queue, rows
from tests.support import body_text, mail_to

MAILER = Mailer(base_url="http://verbinding.test", mail_from=FROM)


def test_a_sent_reset_mail_leaves_no_link_in_the_outbox(clean, smtp):
    email = f"reset-{NOW.timestamp()}-{len(rows(clean))}@example.nl"
    with clean() as s:
        create_person(s, email=email, name="Anna", password="wachtwoord-123", now=NOW)
        request_password_reset(s, email, NOW, MAILER)
        s.commit()
    queue(clean, 1)  # an ordinary mail beside it keeps its text
    before = [r for r in rows(clean) if r.to_addr == email][0]
    assert "/password/new/" in before.body_text and before.is_secret
    deliver_due(clean, now=NOW, smtp_url=smtp.url, mail_from=FROM)
    received = body_text(smtp.wait_for(mail_to(email)))
    assert re.search(r"http://verbinding\.test/password/new/\S+", received)
    with clean() as s:
        kept = s.get(OutboxMessage, before.id)
        assert kept.status == "sent"
        assert "/password/new/" not in kept.body_text
        assert kept.body_html is None or "/password/new/" not in kept.body_html
    plain = [r for r in rows(clean) if r.to_addr != email][0]
    assert plain.body_text == "Hallo" and plain.status == "sent"
