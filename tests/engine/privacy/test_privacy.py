"""Personal data kept in check: pictures lose their EXIF, the sweeper forgets old mail, links and
notifications, the download holds every row about the person, deletion covers every table."""

from __future__ import annotations

import io
import json
import threading
import zipfile
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import Table, delete, func, select

from engine.db import Base, make_session_factory
from engine.mail.outbox import NAME, contents
from engine.models import Document, OutboxBody, OutboxMessage, PasswordReset
from engine.notifications import recipients
from engine.notifications.fanout import notify
from engine.operations.documents import attach_document
from engine.privacy import erase, retention
from engine.privacy.export import export_zip
from tests import factories
from tests.support import picture

GPS = 0x8825  # the EXIF tag that holds the place a photo was taken


def _photo_with_location() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "Telefoonmerk"  # Make
    exif[GPS] = {1: "N", 2: (53.0, 14.0, 0.0), 3: "E", 4: (6.0, 33.0, 0.0)}
    data = picture("JPEG", (32, 24), exif=exif.tobytes())
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(GPS)  # it is there to begin with
    return data


def test_an_uploaded_photo_keeps_its_picture_but_loses_its_location(session, now, storage):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    doc = attach_document(session, anna, item.id, filename="kade.jpg",
                          data=_photo_with_location(), storage=storage, now=now)  # fmt: skip
    stored = storage.read(doc.storage_name)
    with Image.open(io.BytesIO(stored)) as image:
        assert image.format == "JPEG" and image.size == (32, 24)
        assert not image.getexif() and not image.getexif().get_ifd(GPS)
        assert "exif" not in image.info
    assert doc.size == len(stored)


def test_a_file_that_only_looks_like_a_picture_is_refused(session, now, storage):
    from engine.errors import InvalidInput

    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    with pytest.raises(InvalidInput):
        fake = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
        attach_document(session, anna, item.id, filename="kade.png", data=fake, storage=storage,
                        now=now)  # fmt: skip
    assert session.scalar(select(Document.id).where(Document.initiative_id == item.id)) is None


def test_the_sweeper_forgets_old_mail_texts_links_and_notifications(session, now):
    someone = factories.person(session, now)
    old, fresh = now - timedelta(days=400), now - timedelta(days=1)
    for when, status in ((old, "sent"), (fresh, "sent"), (old, "pending")):
        session.add(OutboxMessage(
            idempotency_key=f"t:{someone.id}:{when.timestamp()}:{status}", message_id="<x@y>",
            to_addr=someone.email, subject="Hallo", body_text="Geheime inhoud",
            body_html="<p>x</p>",
            status=status, next_attempt_dt=when, created_dt=when,
        ))  # fmt: skip
    session.add(PasswordReset(person_id=someone.id, token_hash="a" * 64, created_dt=old,
                              expires_dt=old + timedelta(hours=2)))  # fmt: skip
    session.flush()
    report = retention.prune(session, now)
    assert "1 mail texts (0 shared), 1 reset links" in report
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_addr == someone.email)
    ).all()
    texts = sorted((m.status, m.created_dt == old, m.body_text) for m in rows)
    assert texts == [("pending", True, "Geheime inhoud"), ("sent", False, "Geheime inhoud"),
                     ("sent", True, "")]  # fmt: skip
    assert (
        session.scalar(select(PasswordReset).where(PasswordReset.person_id == someone.id)) is None
    )


def _bodies(session, ids) -> int:
    return session.scalar(select(func.count()).where(OutboxBody.id.in_(ids))) or 0


def test_a_text_shared_by_many_mails_goes_once_no_mail_points_at_it(session, now):
    """A notification mailed at once to a group stores its text once per language; the
    sweeper wipes the old mails and then the texts, never one a waiting mail still needs."""
    item = factories.initiative(session, now - timedelta(days=400), members=3)
    actor = item.memberships[0].person
    notify(session, kind="stage_moved", initiative_id=item.id, actor_id=actor.id,
           recipients=recipients.group(item.id), link=f"/initiatives/{item.id}",
           now=now - timedelta(days=400),
           data={"initiative": item.title, "actor": actor.name, "stage": "Visie"})  # fmt: skip
    session.flush()
    emails = [m.person.email for m in item.memberships]
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.body_id.is_not(None),
                                    OutboxMessage.to_addr.in_(emails))
        .order_by(OutboxMessage.id)
    ).all()  # fmt: skip
    assert len(rows) == 3
    bodies = {r.body_id for r in rows}
    waiting = rows[0]
    sent_as = {r.id: (r.mail_subject, r.mail_message_id) for r in rows}
    for row in rows[1:]:
        row.status = "sent"
    session.flush()
    assert "2 mail texts" in retention.prune(session, now)
    # one mail still waits (the server was away): its language's text stays
    assert _bodies(session, bodies) >= 1
    assert "Visie" in contents(waiting)[0]
    for row in rows[1:]:
        session.refresh(row)
        assert row.body_id is None and contents(row)[0] == ""
        # what the operator's outbox page shows stays: the subject and Message-ID it was sent with
        assert (row.mail_subject, row.mail_message_id) == sent_as[row.id]
        assert row.mail_message_id.startswith(f"<notification-{row.notification_id}.")
    waiting.status = "sent"
    session.flush()
    retention.prune(session, now)
    assert _bodies(session, bodies) == 0


def test_the_sweeper_never_takes_a_text_that_is_being_queued(committed_engine, now):
    """A fan-out stores its text and the mails pointing at it in one transaction; a sweep that
    runs meanwhile (even one that thinks every text is old) leaves that text alone."""
    sessions = make_session_factory(committed_engine)
    with sessions() as s:
        someone = factories.person(s, now)
        s.commit()
        person_id, email = someone.id, someone.email
    later = now + timedelta(days=4000)  # every text is past the period for this sweep
    report: list[str] = []
    with sessions() as queuing:
        body = OutboxBody(body_text=f"Hallo {NAME}", body_html=None, headers={},
                          created_dt=now - timedelta(days=400))  # fmt: skip
        queuing.add(body)
        queuing.flush()
        queuing.add(OutboxMessage(
            idempotency_key=f"shared:{person_id}", message_id="<s@y>", to_addr=email,
            to_name="Bram", person_id=person_id, subject="Hallo", body_text="",
            status="pending", next_attempt_dt=now, created_dt=now, body_id=body.id,
        ))  # fmt: skip
        queuing.flush()

        def sweep() -> None:
            with sessions() as s:
                report.append(retention.prune(s, later))
                s.commit()

        sweeper = threading.Thread(target=sweep)
        sweeper.start()  # PostgreSQL: it does not see the text; SQLite: it waits for the lock
        sweeper.join(0.5)
        queuing.commit()
        sweeper.join(10)
        assert not sweeper.is_alive() and report
        body_id = body.id
    with sessions() as s:
        row = s.scalar(select(OutboxMessage).where(OutboxMessage.person_id == person_id))
        assert row is not None and row.body_id == body_id
        assert contents(row)[0] == "Hallo Bram"
        # the next sweep, once the mail has gone, takes both the text and the mail's words
        row.status = "sent"
        s.commit()
        retention.prune(s, later)
        s.commit()
        assert _bodies(s, [body_id]) == 0
        s.execute(delete(OutboxMessage).where(OutboxMessage.person_id == person_id))
        s.commit()


def test_the_download_holds_the_account_the_rows_about_the_person_and_their_files(
    session, now, storage
):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    attach_document(session, anna, item.id, filename="plan.pdf",
                    data=b"%PDF-1.4 plan", storage=storage, now=now)  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(export_zip(session, anna, storage, now))) as archive:
        data = json.loads(archive.read("verbinding.json"))
        files = [n for n in archive.namelist() if n.startswith("files/")]
        assert archive.read(files[0]) == b"%PDF-1.4 plan"
    assert data["account"]["email"] == anna.email and "password_hash" not in data["account"]
    tables = data["tables"]
    assert tables["memberships"][0]["role"] == "initiator"
    assert tables["documents"][0]["filename"] == "plan.pdf"
    assert tables["initiatives"][0]["title"] == item.title
    assert any(e["kind"] == "document.attached" for e in tables["events"])


def test_every_table_keyed_by_a_person_is_either_deleted_or_kept_on_purpose():
    """A new table with ``person_id`` must be sorted: gone with the account, or kept (and then
    shown as "former member")."""
    # memberships: left; outbox: own rule; survey responses stay, like votes, from a former
    # member (the results do not change after the survey closed)
    kept = {"memberships", "electors", "votes", "outbox", "survey_responses"}
    for name, table in Base.metadata.tables.items():
        if isinstance(table, Table) and "person_id" in table.c:
            assert name in erase.PERSONAL_TABLES or name in kept, name
    assert {m.__tablename__ for m in erase.PERSONAL_MODELS} <= set(erase.PERSONAL_TABLES)
