"""Personal data kept in check: pictures lose their EXIF, the sweeper forgets old mail, links and
notifications, the download holds every row about the person, deletion covers every table."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import Table, select

from engine.db import Base
from engine.models import Document, OutboxMessage, PasswordReset
from engine.operations.documents import attach_document
from engine.privacy import erase, retention
from engine.privacy.export import export_zip
from engine.storage import Storage
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


@pytest.fixture
def storage(tmp_path) -> Storage:
    return Storage(tmp_path / "uploads")


def test_an_uploaded_photo_keeps_its_picture_but_loses_its_location(session, now, storage):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    doc = attach_document(session, anna, item.id, filename="kade.jpg",
                          data=_photo_with_location(), storage=storage, now=now)  # fmt: skip
    stored = storage.path(doc.storage_name).read_bytes()
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
    assert "1 mail texts, 1 reset links" in report
    rows = session.scalars(
        select(OutboxMessage).where(OutboxMessage.to_addr == someone.email)
    ).all()
    texts = sorted((m.status, m.created_dt == old, m.body_text) for m in rows)
    assert texts == [("pending", True, "Geheime inhoud"), ("sent", False, "Geheime inhoud"),
                     ("sent", True, "")]  # fmt: skip
    assert (
        session.scalar(select(PasswordReset).where(PasswordReset.person_id == someone.id)) is None
    )


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
