"""Mails sent at once are built in SQL from one text per language: each reader gets exactly
the mail Python would compose for them, in their language, with their own working token."""

from __future__ import annotations

from sqlalchemy import func, select

from engine.config import config_of
from engine.mail.outbox import build_email, contents
from engine.models import OutboxBody, OutboxMessage
from engine.models.notifications import Notification
from engine.notifications.fanout import notify
from engine.notifications.mail import Shown, compose_mail, site_of, thread_root
from engine.notifications.recipients import group
from engine.notifications.tokens import read_mail_token
from tests import factories

DATA = {"initiative": "Bankjes aan de kade", "actor": "Anna",
        "stage": {"nl": "Visie", "en": "Vision"}}  # fmt: skip


def test_each_reader_gets_their_own_mail_language_name_and_token(session, now):
    item = factories.initiative(session, now, members=2)
    anna, bram, cor = (m.person for m in item.memberships)
    bram.name, bram.locale = 'Bram "<de> & \'t Bakker"', "en"
    cor.locale = "fr"  # a language we do not have: Dutch
    session.flush()
    link = f"/initiatives/{item.id}"
    session.query(OutboxMessage).delete()
    session.query(OutboxBody).delete()
    event_id = notify(session, kind="stage_moved", initiative_id=item.id, actor_id=anna.id,
           recipients=group(item.id), link=link, now=now, data=DATA)  # fmt: skip
    rows = {r.person_id: r for r in session.scalars(select(OutboxMessage))}
    assert set(rows) == {bram.id, cor.id}
    config = config_of(session)
    site = site_of(config)
    shown = [Shown("stage_moved", item.id, DATA, link)]
    ids = set()
    for person, locale in ((bram, "en"), (cor, "nl")):
        row = rows[person.id]
        told = session.scalar(
            select(Notification).where(Notification.person_id == person.id,
                                       Notification.event_id == event_id)
        )  # fmt: skip
        assert told is not None and told.mail_status == "sent" and told.mailed_dt == now
        token = f"n{told.id}-{told.mail_token}"
        expected = compose_mail(shown, locale, site, config, digest=False).for_reader(
            person.name, token
        )
        text, html, headers = contents(row)
        assert (row.mail_subject, text, html, headers) == (
            expected["subject"], expected["body_text"], expected["body_html"],
            expected["headers"],
        )  # fmt: skip
        assert headers["List-Unsubscribe"].endswith(f"/reminders/unsubscribe/{token}>")
        assert headers["In-Reply-To"] == thread_root(item.id, config.mail_from)
        assert row.notification_id == told.id
        assert row.mail_message_id.startswith(f"<notification-{told.id}.")
        ids.add(row.mail_message_id)
        sent = build_email(row, config.mail_from)  # as the dispatcher sends it
        assert sent["List-Unsubscribe"] == headers["List-Unsubscribe"]
        assert sent["Message-ID"] == row.mail_message_id and sent["Auto-Submitted"]
        assert str(sent["Subject"]) == expected["subject"]
        plain = sent.get_payload()[0].get_payload(decode=True).decode()
        assert person.name in plain and token in plain
        assert read_mail_token(session, token) == (person.id, ["stage_moves"])
    assert len(ids) == 2
    assert "Vision" in contents(rows[bram.id])[0] and "Visie" in contents(rows[cor.id])[0]
    assert "Bram &quot;&lt;de&gt; &amp; &#x27;t Bakker&quot;" in (contents(rows[bram.id])[1] or "")
    # the text is stored once per language, not once per reader
    assert session.scalar(select(func.count()).select_from(OutboxBody)) == 2
    assert {r.body_text for r in rows.values()} == {""}
    # another reader's token, or a guessed one, turns nothing off
    bram_row = session.scalar(
        select(Notification).where(Notification.person_id == bram.id,
                                   Notification.event_id == event_id)
    )  # fmt: skip
    assert bram_row is not None
    assert read_mail_token(session, f"n{bram_row.id}-{'0' * 32}") is None
    assert read_mail_token(session, f"n{bram_row.id + 999}-{bram_row.mail_token}") is None
