"""Documents: accepted by their content, stored under a random name, never half written."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.db import make_session_factory
from engine.errors import Conflict, InvalidInput, PermissionDenied
from engine.models import Document
from engine.operations import attach_document, join_initiative, remove_document
from engine.operations.common import guard_context
from engine.operations.documents import MAX_DOCUMENT_BYTES, clean_filename
from engine.storage import Storage, StorageUnavailable
from tests import factories
from tests.factories import stored_state
from tests.support import picture

MIN = timedelta(minutes=1)
PNG = picture("PNG")
PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def odt_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text"
        )  # stored, first: as ODF requires
        archive.writestr("content.xml", "<office:document-content/>")
    return buffer.getvalue()


def stored_files(storage: Storage) -> list[str]:
    return sorted(storage.names())


def _attach(session, actor, item, storage, name, data, **kw):
    return attach_document(
        session, actor, item.id, filename=name, data=data, storage=storage, now=kw.pop("now"), **kw
    )


@pytest.mark.parametrize(
    "name, data, content_type",
    [
        ("schets.png", PNG, "image/png"),
        ("foto van de kade.JPG", picture("JPEG"), "image/jpeg"),
        ("plek.webp", picture("WEBP"), "image/webp"),
        ("visie.pdf", PDF, "application/pdf"),
        ("notulen.txt", "Notulen van de bewonersavond — één punt".encode(), "text/plain"),
        ("plan.docx", docx_bytes(), "application/vnd.openxmlformats"),
        ("plan.odt", odt_bytes(), "application/vnd.oasis.opendocument.text"),
    ],
)
def test_allowed_kinds_are_stored_under_a_random_name(
    session, now, storage, name, data, content_type
):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    doc = _attach(session, anna, item, storage, name, data, now=now + MIN, stage_key="proposal")
    assert doc.content_type.startswith(content_type)
    assert doc.filename == name and doc.stage_key == "proposal"
    assert name not in doc.storage_name
    stored = storage.read(doc.storage_name)
    assert doc.size == len(stored)
    if not content_type.startswith("image/"):  # pictures are re-encoded (engine.images)
        assert stored == data
    assert factories.event_count(session, item.id, "document.attached") == 1


@pytest.mark.parametrize(
    "name, data",
    [
        ("foto.png", b"<html><script>alert(1)</script></html>"),  # a page named as a picture
        ("visie.pdf", PNG),
        ("notulen.txt", b"MZ\x90\x00\x03\x00\x00\x00"),  # a program named as text
        ("plan.docx", b"PK\x03\x04 not really a zip"),
        ("plan.odt", docx_bytes()),
        ("script.html", b"<p>hoi</p>"),
        ("programma.exe", b"MZ"),
        ("zonder-naam", PDF),
        ("leeg.pdf", b""),
    ],
)
def test_refused_kinds_leave_nothing_behind(session, now, storage, name, data):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    before = stored_state(session, item.id)
    with pytest.raises(InvalidInput) as caught:
        _attach(session, anna, item, storage, name, data, now=now + MIN)
    assert caught.value.message.render()
    assert stored_state(session, item.id) == before
    assert stored_files(storage) == []


def test_too_large_is_refused(session, now, storage):
    item = factories.initiative(session, now)
    data = b"%PDF-1.4\n" + b"0" * MAX_DOCUMENT_BYTES
    with pytest.raises(InvalidInput) as caught:
        _attach(session, item.memberships[0].person, item, storage, "groot.pdf", data, now=now)
    assert "10 MB" in caught.value.message.render()
    assert stored_files(storage) == []


def test_a_failing_database_write_removes_the_saved_file(session, now, storage, monkeypatch):
    item = factories.initiative(session, now)
    before = stored_state(session, item.id)

    def broken_history(*args, **kwargs):
        raise RuntimeError("the database went away")

    monkeypatch.setattr("engine.operations.documents.record_detail", broken_history)
    with pytest.raises(RuntimeError):
        with session.begin_nested():
            _attach(session, item.memberships[0].person, item, storage, "a.pdf", PDF, now=now)
    assert stored_files(storage) == []
    assert stored_state(session, item.id) == before


def test_rolled_back_attachment_deletes_its_file(now, storage, db_engine):
    from sqlalchemy.orm import Session

    connection = db_engine.connect()
    with Session(bind=connection) as other:
        item = factories.initiative(other, now)
        _attach(other, item.memberships[0].person, item, storage, "a.pdf", PDF, now=now)
        assert len(stored_files(storage)) == 1
        other.rollback()
    connection.close()
    assert stored_files(storage) == []


def test_remove_by_uploader_or_initiator_deletes_the_file_after_commit(
    committed_engine, now, storage
):
    # a real commit: on the database for committed work, so nothing leaks into the rolled-back
    # tests' database (pysqlite's outer transaction does not survive a released savepoint)
    with make_session_factory(committed_engine)() as session:
        _remove_and_commit(session, now, storage)


def _remove_and_commit(session, now, storage) -> None:
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    bram = factories.person(session, now, "Bram")
    cor = factories.person(session, now, "Cor")
    join_initiative(session, bram, item.id, now)
    join_initiative(session, cor, item.id, now)
    by_bram = _attach(session, bram, item, storage, "b.png", PNG, now=now + MIN)
    by_anna = _attach(session, anna, item, storage, "a.png", PNG, now=now + MIN)
    with pytest.raises(PermissionDenied):
        remove_document(session, cor, item.id, by_bram.id, now + MIN, storage=storage)
    with pytest.raises(PermissionDenied):
        remove_document(session, bram, item.id, by_anna.id, now + MIN, storage=storage)
    remove_document(session, bram, item.id, by_bram.id, now + 2 * MIN, storage=storage)
    remove_document(session, anna, item.id, by_anna.id, now + 2 * MIN, storage=storage)
    assert len(stored_files(storage)) == 2  # still there until the commit
    session.commit()
    assert stored_files(storage) == []
    assert factories.event_count(session, item.id, "document.removed") == 2


def test_outsiders_attach_nothing(session, now, storage):
    item = factories.initiative(session, now)
    stranger = factories.person(session, now)
    coach = factories.staff(session, now)
    before = stored_state(session, item.id)
    for actor in (stranger, coach):
        with pytest.raises(PermissionDenied):
            _attach(session, actor, item, storage, "a.pdf", PDF, now=now)
    assert stored_files(storage) == []
    assert stored_state(session, item.id) == before


def test_documents_leave_the_initiative_version_alone(session, now, storage):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    seen = item.version  # the page Anna looks at
    document = _attach(session, anna, item, storage, "a.pdf", PDF, now=now + MIN)
    remove_document(
        session, anna, item.id, document.id, now + 2 * MIN, storage=storage,
        expected_version=document.version,
    )  # fmt: skip
    assert stored_state(session, item.id)["initiative"][0] == seen
    assert item.last_activity_dt == now + 2 * MIN  # the group was active: not stalled
    assert factories.event_count(session, item.id, "document.attached") == 1


def test_removing_a_document_someone_removed_meanwhile_is_a_plain_conflict(session, now, storage):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    document = _attach(session, anna, item, storage, "tekening.pdf", PDF, now=now)
    seen = document.version  # on both phones
    remove_document(session, anna, item.id, document.id, now + MIN, storage=storage,
                    expected_version=seen)  # fmt: skip
    before = stored_state(session, item.id)
    with pytest.raises(Conflict) as caught:
        remove_document(session, anna, item.id, document.id, now + MIN, storage=storage,
                        expected_version=seen)  # fmt: skip
    assert "Someone else removed this document" in caught.value.message.render()
    assert stored_state(session, item.id) == before


def test_an_attached_document_counts_for_the_guard(session, now, storage):
    item = factories.initiative(session, now)
    anna = item.memberships[0].person
    _attach(session, anna, item, storage, "a.pdf", PDF, now=now, stage_key=item.state)
    _attach(session, anna, item, storage, "b.pdf", PDF, now=now)
    facts = guard_context(session, item)
    assert (facts.documents_in_stage, facts.documents_total) == (1, 2)


def test_a_bucket_that_refuses_stores_nothing_and_says_so(session, now, s3_server):
    """The bucket is gone (or the service refuses): no row, no history, a plain message."""
    item = factories.initiative(session, now)
    before = stored_state(session, item.id)
    missing = s3_server.storage("verbinding-weg", prefix="site/")  # never made
    with pytest.raises(StorageUnavailable) as refused:
        with session.begin_nested():
            _attach(session, item.memberships[0].person, item, missing, "a.pdf", PDF, now=now)
    assert "Nothing was saved" in refused.value.message.msgid
    assert "Er is niets opgeslagen" in str(refused.value.message)  # Dutch first
    assert stored_state(session, item.id) == before
    assert session.scalar(select(Document).where(Document.initiative_id == item.id)) is None


def test_names_are_cleaned_and_stored_names_are_checked(storage):
    assert clean_filename("C:\\Users\\anna\\foto.png") == "foto.png"
    assert clean_filename("../../etc/passwd") == "passwd"
    assert clean_filename("a\x00b\nc.txt") == "abc.txt"
    assert clean_filename("x" * 300 + ".pdf").endswith(".pdf")
    assert len(clean_filename("x" * 300 + ".pdf")) == 255
    with pytest.raises(ValueError):
        storage.put("../secret_key", b"")
    assert storage.read("../secret_key") is None and not storage.exists("../secret_key")
    name = storage.save(b"abc", "txt")
    assert storage.read(name) == b"abc" and storage.exists(name)
    storage.delete(name)
    storage.delete(name)  # gone already: fine
    assert not storage.exists(name)
