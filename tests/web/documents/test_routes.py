"""Documents and pictures: attached by the group, checked by content, shown only to who may see."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from engine.db import utcnow
from engine.models import Document
from tests import factories
from tests.factories import browse_as, initiative_with_group, submit
from tests.support import CSRF_RE, picture


@pytest.fixture(scope="session")
def web_app(web_app_with_storage):
    """Uploads in a local folder and in an S3 bucket, on each kind of database."""
    return web_app_with_storage


PNG = picture("PNG")
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


def _text(response) -> str:
    return response.get_data(as_text=True)


def _arrange(db_session, **kw):
    item, group = initiative_with_group(db_session, utcnow(), **kw)
    db_session.commit()
    return item, group


def _upload(client, item, name: str, data: bytes, stage_key: str = ""):
    """Send a file as a browser does; the body is built in memory (no temporary file to leak)."""
    page = client.get(f"/initiatives/{item.id}").get_data(as_text=True)
    fields = {
        "csrf_token": CSRF_RE.search(page).group(1),  # adding a file needs no version
        "stage_key": stage_key,
        "file": FileStorage(io.BytesIO(data), filename=name),
    }
    stream, length, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return client.post(
        f"/initiatives/{item.id}/documents",
        input_stream=stream,
        content_length=length,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def _documents(db_session, item) -> list[Document]:
    db_session.rollback()
    return list(
        db_session.scalars(
            select(Document).where(Document.initiative_id == item.id).order_by(Document.id)
        )
    )


def _get(client, url):
    response = client.get(url)
    body = response.get_data()
    response.close()
    return response, body


def test_attach_a_picture_and_a_pdf_and_look_at_them(client, db_session, web_app):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    assert _upload(client, item, "kade.png", PNG, stage_key="proposal").status_code == 302
    assert _upload(client, item, "schets van de kade.pdf", PDF).status_code == 302
    picture, drawing = _documents(db_session, item)
    assert picture.content_type == "image/png" and picture.stage_key == "proposal"
    assert picture.size == len(PNG) and drawing.stage_key is None
    assert web_app.extensions["verbinding"].storage.read(picture.storage_name) == PNG
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "kade.png" in page and "schets van de kade.pdf" in page
    assert "Anna de Vries attached ‘kade.png’" in page
    response, body = _get(client, f"/initiatives/{item.id}/documents/{picture.id}")
    assert response.status_code == 200 and body == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "attachment" not in response.headers.get("Content-Disposition", "")
    response, body = _get(client, f"/initiatives/{item.id}/documents/{drawing.id}")
    assert body == PDF and response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "private" in response.headers["Cache-Control"]
    # asked again with what the browser kept: not sent again
    url = f"/initiatives/{item.id}/documents/{drawing.id}"
    again = client.get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    again.close()


def test_a_file_is_judged_by_its_content_not_its_name(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    response = _upload(client, item, "foto.png", b"<html><script>alert(1)</script></html>")
    assert response.status_code == 400
    assert "is not a real PNG file: its content does not match its name" in _text(response)
    response = _upload(client, item, "tool.exe", b"MZ\x90\x00")
    assert response.status_code == 400
    assert "This kind of file cannot be attached." in _text(response)
    response = _upload(client, item, "notulen.txt", b"Notulen: iedereen komt")
    assert response.status_code == 302
    assert [d.filename for d in _documents(db_session, item)] == ["notulen.txt"]


def test_too_large_files_are_refused(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    # far too large: the server stops reading and says so
    response = _upload(client, item, "groot.pdf", b"%PDF-1.4\n" + b"0" * (11 * 1024 * 1024))
    assert response.status_code == 413
    assert "at most 10 MB" in _text(response)
    # just over the limit: the initiative page says why, beside the form
    response = _upload(client, item, "net-te-groot.pdf", b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024))
    assert response.status_code == 400
    assert re.search(r'id="upload-problem"[^>]*>.*?at most 10 MB', _text(response), re.S)
    assert _documents(db_session, item) == []


def test_documents_of_a_hidden_initiative_are_for_its_members_only(client, db_session):
    item, (anna, bram) = _arrange(db_session, visibility="members")
    outsider = factories.person(db_session, utcnow())
    coach = factories.person(db_session, utcnow(), role="coach")
    db_session.commit()
    browse_as(client, anna)
    assert _upload(client, item, "plan.pdf", PDF).status_code == 302
    (doc,) = _documents(db_session, item)
    url = f"/initiatives/{item.id}/documents/{doc.id}"
    assert _get(browse_as(client.application.test_client(), bram), url)[1] == PDF
    assert _get(browse_as(client.application.test_client(), coach), url)[1] == PDF
    assert _get(client.application.test_client(), url)[0].status_code == 404
    assert _get(browse_as(client.application.test_client(), outsider), url)[0].status_code == 404
    # and it cannot be reached through another initiative's address
    other, (olga, _) = _arrange(db_session)
    olga_client = browse_as(client.application.test_client(), olga)
    response, _ = _get(olga_client, f"/initiatives/{other.id}/documents/{doc.id}")
    assert response.status_code == 404


def test_remove_by_the_uploader_or_an_initiator(client, db_session, web_app):
    item, (anna, bram, cor) = _arrange(db_session, members=2)
    bram_client = browse_as(client.application.test_client(), bram)
    assert _upload(bram_client, item, "van-bram.png", PNG).status_code == 302
    assert _upload(bram_client, item, "ook-van-bram.png", PNG).status_code == 302
    first, second = _documents(db_session, item)
    stored = [first.storage_name, second.storage_name]
    cor_client = browse_as(client.application.test_client(), cor)
    response = submit(cor_client, item.id, f"/initiatives/{item.id}/documents/{first.id}/remove")
    assert response.status_code == 403
    assert "Only the person who attached a document, or an initiator" in _text(response)
    url = f"/initiatives/{item.id}/documents/{first.id}/remove"
    assert submit(bram_client, item.id, url).status_code == 302
    anna_client = browse_as(client, anna)
    url = f"/initiatives/{item.id}/documents/{second.id}/remove"
    assert submit(anna_client, item.id, url).status_code == 302
    assert _documents(db_session, item) == []
    assert not any(web_app.extensions["verbinding"].storage.exists(name) for name in stored)
    page = _text(client.get(f"/initiatives/{item.id}"))
    assert "Anna de Vries removed ‘ook-van-bram.png’" in page


def test_removing_a_document_someone_just_removed_says_so(client, db_session):
    item, (anna, bram) = _arrange(db_session)
    bram_client = browse_as(client.application.test_client(), bram)
    assert _upload(bram_client, item, "schets.pdf", PDF).status_code == 302
    (document,) = _documents(db_session, item)
    url = f"/initiatives/{item.id}/documents/{document.id}/remove"
    anna_client = browse_as(client, anna)
    pages = [_text(c.get(f"/initiatives/{item.id}")) for c in (anna_client, bram_client)]
    forms = [
        re.search(rf'<form method="post" action="{url}".*?</form>', p, re.S).group(0) for p in pages
    ]
    # every hidden field of the form, as the browser sends it: the token, the version, the
    # confirmation of the second step
    fields = [dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', f)) for f in forms]
    assert all(f["version"] == str(document.version) and f["confirmed"] == "yes" for f in fields)
    assert bram_client.post(url, data=fields[1]).status_code == 302
    response = anna_client.post(url, data=fields[0])
    assert response.status_code == 409
    assert "Someone else removed this document in the meantime." in _text(response)
    assert factories.event_count(db_session, item.id, "document.removed") == 1


def test_a_listed_document_whose_file_is_gone(client, db_session):
    item, (anna, _) = _arrange(db_session)
    doc = factories.document(db_session, item, anna, utcnow())
    db_session.commit()
    browse_as(client, anna)
    response, _ = _get(client, f"/initiatives/{item.id}/documents/{doc.id}")
    assert response.status_code == 410
    assert "its file is no longer stored" in _text(response)


def test_a_removal_without_its_confirmation_removes_nothing(client, db_session):
    """WCAG 3.3.4: one press on "Remove" only opens the question; the file stays."""
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    assert _upload(client, item, "schets.pdf", PDF).status_code == 302
    (document,) = _documents(db_session, item)
    page = _text(client.get(f"/initiatives/{item.id}"))
    url = f"/initiatives/{item.id}/documents/{document.id}/remove"
    question = re.search(
        rf'<details class="vb-details vb-confirm".*?action="{url}".*?</details>', page, re.S
    )
    assert question and "cannot be undone" in question.group(0)
    payload = {"csrf_token": CSRF_RE.search(page).group(1), "version": str(document.version)}
    response = client.post(url, data=payload, follow_redirects=True)
    assert "Nothing was changed: confirm with the button under the question." in _text(response)
    (still,) = _documents(db_session, item)
    assert client.application.extensions["verbinding"].storage.exists(still.storage_name)
    assert factories.event_count(db_session, item.id, "document.removed") == 0
    response = client.post(url, data={**payload, "confirmed": "yes"})
    assert response.status_code == 302 and _documents(db_session, item) == []


@pytest.mark.s3_only
def test_a_bucket_that_does_not_answer_keeps_nothing_and_says_so(client, db_session, web_app):
    """The bucket goes away (removed, or the service is down): an upload is refused with a
    plain message and leaves no row; a download says to try again; neither is a 500."""
    config = web_app.config["VERBINDING"]
    assert config.storage == "s3"
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    assert _upload(client, item, "plan.pdf", PDF).status_code == 302
    (kept,) = _documents(db_session, item)
    storage = web_app.extensions["verbinding"].storage
    bucket = storage.client
    saved = {name: storage.read(name) for name in storage.names()}
    for name in saved:
        storage.delete(name)
    bucket.delete_bucket(Bucket=config.s3_bucket)
    try:
        events = factories.event_count(db_session, item.id, "document.attached")
        response = _upload(client, item, "schets.png", PNG)
        assert response.status_code == 503
        assert "The file store cannot be reached just now. Nothing was saved" in _text(response)
        assert [d.id for d in _documents(db_session, item)] == [kept.id]
        assert factories.event_count(db_session, item.id, "document.attached") == events
        response, body = _get(client, f"/initiatives/{item.id}/documents/{kept.id}")
        assert response.status_code == 503 and response.headers["Retry-After"]
        assert "The file store cannot be reached just now" in body.decode()
    finally:
        bucket.create_bucket(
            Bucket=config.s3_bucket,
            CreateBucketConfiguration={"LocationConstraint": config.s3_region},
        )
        for name, data in saved.items():
            storage.put(name, data)
    response, body = _get(client, f"/initiatives/{item.id}/documents/{kept.id}")
    assert response.status_code == 200 and body == PDF
