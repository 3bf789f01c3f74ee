"""Parts of a stored file (HTTP ranges): a PDF viewer or a video player asks for the bytes it
shows. A file on local disk is answered by Werkzeug itself; one in a bucket is fetched in part
(S3's own Range) and must be answered the same."""

from __future__ import annotations

import re

import pytest

from engine.db import utcnow
from tests import factories
from tests.factories import browse_as
from tests.web.documents.test_routes import PDF, _arrange, _documents, _get, _upload


@pytest.fixture(scope="session")
def web_app(web_app_with_storage):
    """Uploads in a local folder and in an S3 bucket, on each kind of database."""
    return web_app_with_storage


LONG_PDF = PDF[:-6] + b"".join(b"%% line %04d\n" % n for n in range(200)) + b"%%EOF\n"


def _ranged(client, url, value, **headers):
    return _get_with(client, url, {"Range": value, **headers})


def _title(page: bytes) -> bytes:
    return re.search(rb"<title>(.*?)</title>", page).group(1)


def _get_with(client, url, headers):
    response = client.get(url, headers=headers)
    body = response.get_data()
    response.close()
    return response, body


def test_a_part_of_a_file_is_sent_alone_from_a_folder_and_from_a_bucket(client, db_session):
    """The same answers whether the file is on local disk (Werkzeug's own) or in a bucket."""
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    assert _upload(client, item, "plan.pdf", LONG_PDF).status_code == 302
    (doc,) = _documents(db_session, item)
    url, data, size = f"/initiatives/{item.id}/documents/{doc.id}", LONG_PDF, len(LONG_PDF)
    whole, body = _get(client, url)
    assert whole.status_code == 200 and body == data
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.content_length == size
    for asked, first, last in [("0-9", 0, 9), ("-5", size - 5, size - 1), ("10-", 10, size - 1)]:
        response, body = _ranged(client, url, f"bytes={asked}")
        assert response.status_code == 206, asked
        assert body == data[first : last + 1]
        assert response.headers["Content-Range"] == f"bytes {first}-{last}/{size}"
        assert response.headers["Content-Length"] == str(last - first + 1)
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.headers["ETag"] == whole.headers["ETag"]
        assert response.headers["Content-Type"] == "application/pdf"
        assert "private" in response.headers["Cache-Control"]
    response, body = _ranged(client, url, f"bytes={size - 3}-{size + 100}")  # cut at the end
    assert response.status_code == 206 and body == data[-3:]
    assert response.headers["Content-Range"] == f"bytes {size - 3}-{size - 1}/{size}"
    head = client.head(url, headers={"Range": "bytes=0-9"})  # what is there, nothing sent
    assert head.status_code == 206 and head.get_data() == b""
    assert head.headers["Content-Length"] == "10"
    assert head.headers["Content-Range"] == f"bytes 0-9/{size}"
    head.close()
    response, _ = _ranged(client, url, f"bytes={size}-")
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"
    # several ranges at once: Werkzeug answers a local file 416; the bucket's answer agrees
    response, _ = _ranged(client, url, "bytes=0-1,5-6")
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"


def test_if_range_sends_the_part_only_of_the_version_the_browser_has(client, db_session):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    assert _upload(client, item, "plan.pdf", LONG_PDF).status_code == 302
    (doc,) = _documents(db_session, item)
    url, size = f"/initiatives/{item.id}/documents/{doc.id}", len(LONG_PDF)
    whole, _ = _get(client, url)
    etag, modified = whole.headers["ETag"], whole.headers["Last-Modified"]
    for same in (etag, modified):
        response, body = _ranged(client, url, "bytes=0-9", **{"If-Range": same})
        assert response.status_code == 206 and body == LONG_PDF[:10], same
    for stale in ('"an-older-version"', "Thu, 01 Jan 2015 00:00:00 GMT"):
        response, body = _ranged(client, url, "bytes=0-9", **{"If-Range": stale})
        assert response.status_code == 200 and body == LONG_PDF, stale
        assert response.content_length == size and "Content-Range" not in response.headers
    # a stale If-Range with a range past the end: the whole file too, not 416
    response, body = _ranged(client, url, f"bytes={size}-", **{"If-Range": '"older"'})
    assert response.status_code == 200 and body == LONG_PDF
    # asked again with what the browser kept, with or without a range: not sent again
    response, body = _get_with(client, url, {"If-None-Match": etag})
    assert response.status_code == 304 and body == b""


def test_a_range_reveals_nothing_to_whom_may_not_see_the_file(client, db_session):
    item, (anna, _) = _arrange(db_session, visibility="members")
    outsider = factories.person(db_session, utcnow())
    db_session.commit()
    browse_as(client, anna)
    assert _upload(client, item, "plan.pdf", LONG_PDF).status_code == 302
    (doc,) = _documents(db_session, item)
    url = f"/initiatives/{item.id}/documents/{doc.id}"
    app = client.application
    for visitor in (app.test_client(), browse_as(app.test_client(), outsider)):
        plain, plain_body = _get(visitor, url)
        assert plain.status_code == 404
        for asked in ("bytes=0-9", "bytes=-5", f"bytes={len(LONG_PDF)}-"):
            response, body = _ranged(visitor, url, asked)
            assert response.status_code == 404, asked  # the same page (but for its nonce)
            assert _title(body) == _title(plain_body)
            assert b"%PDF" not in body and "Content-Range" not in response.headers


@pytest.mark.s3_only
def test_a_part_is_one_ranged_request_to_the_bucket(client, db_session, web_app, monkeypatch):
    item, (anna, _) = _arrange(db_session)
    browse_as(client, anna)
    assert _upload(client, item, "plan.pdf", LONG_PDF).status_code == 302
    (doc,) = _documents(db_session, item)
    bucket = web_app.extensions["verbinding"].storage.client
    asked = []
    for method in ("get_object", "head_object"):
        real = getattr(bucket, method)

        def spy(*args, _real=real, _method=method, **kwargs):
            asked.append((_method, kwargs.get("Range")))
            return _real(*args, **kwargs)

        monkeypatch.setattr(bucket, method, spy)
    response, body = _ranged(client, f"/initiatives/{item.id}/documents/{doc.id}", "bytes=-5")
    assert response.status_code == 206 and body == LONG_PDF[-5:]
    assert asked == [("get_object", "bytes=-5")]
