"""A name someone typed cannot stretch a subject or add a header line."""

from __future__ import annotations

from email import message_from_bytes, policy

from engine.mail.compose import MAX_SUBJECT, compose
from engine.mail.outbox import build_email
from engine.models import OutboxMessage
from tests.conftest import NOW


def test_an_invitation_subject_stays_one_bounded_line():
    inviter = "Gratis prijs!\r\nBcc: iedereen@example.nl\n" + "Koop nu " * 200
    subject, _text, _html = compose(
        "invitation", "nl", inviter=inviter, title="Groen " * 100, place="Paddepoel",
        role=None, days=14, link="http://verbinding.test/invitations/abc",
    )  # fmt: skip
    assert "\n" not in subject and "\r" not in subject
    assert len(subject) <= 200 < MAX_SUBJECT
    assert "Gratis prijs! Bcc: iedereen@example.nl" in subject  # shown, not obeyed
    row = OutboxMessage(
        subject=subject, body_text="x", body_html=None, to_addr="a@example.nl", to_name=None,
        message_id="<x@verbinding.test>", created_dt=NOW, headers={},
    )  # fmt: skip
    sent = message_from_bytes(build_email(row, "noreply@verbinding.test").as_bytes(),
                              policy=policy.default)  # fmt: skip
    assert sent["Bcc"] is None
