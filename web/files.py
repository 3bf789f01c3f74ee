"""Stored files (a folder or an S3 bucket: engine.storage) as the pages use them.

Every download goes through the app: the view checks who may see the file, then the bytes are
sent from local disk or streamed from the bucket. No presigned link is handed out: such a link
works for anyone who holds it (a forwarded mail, a proxy's log, a shared computer's history)
until it expires, and the bucket's address need not be reachable from residents' browsers.
"""

from __future__ import annotations

import io

from flask import Flask, Response, render_template, request, send_file
from werkzeug.datastructures import ContentRange
from werkzeug.exceptions import RequestedRangeNotSatisfiable
from werkzeug.http import is_resource_modified, parse_range_header, quote_etag

from engine.storage import ByteRange, Opened, Storage, StorageUnavailable
from web.database import RETRY_AFTER_SECONDS, runtime
from web.i18n import render_msg


def files() -> Storage:
    """The process's storage (made, and checked, when the app starts)."""
    return runtime().storage


def send_stored(
    name: str, mimetype: str, *, as_attachment: bool = False, download_name: str | None = None
) -> Response | None:
    """A response with the stored file ``name`` (conditional, never cached publicly, one
    ``Range`` answered with 206), or None when the file is gone."""
    asked = _asked_range()
    opened = files().open(name, asked)
    if opened is None:
        return None
    if opened.path is not None:  # on local disk: Werkzeug answers ranges and conditions itself
        return send_file(
            opened.path, mimetype=mimetype, as_attachment=as_attachment,
            download_name=download_name, conditional=True, max_age=0,
        )  # fmt: skip
    ranged = _range_applies(opened)
    if not ranged and (opened.part is not None or opened.beyond_end):
        _close(opened)  # the browser's part is of an older version: the whole file, afresh
        asked, opened = None, files().open(name)
        if opened is None:
            return None
    return _send_stream(opened, ranged, asked, mimetype, as_attachment, download_name)


def _asked_range() -> ByteRange | None:
    """The one range of bytes the request asks for, to fetch from the storage: None for no
    ``Range``, one that cannot be read, or several (Werkzeug answers those 416 as a whole,
    without any bytes to fetch)."""
    if request.method not in ("GET", "HEAD"):
        return None
    asked = parse_range_header(request.headers.get("Range"))
    if asked is None or asked.units != "bytes" or len(asked.ranges) != 1:
        return None
    start, stop = asked.ranges[0]
    return ByteRange(start, None if stop is None else stop - 1)


def _range_applies(opened: Opened) -> bool:
    """Whether the request's ``Range`` is to be answered (as Werkzeug decides for a local
    file): a GET or HEAD of a file that is not empty, and no ``If-Range``, or one naming the
    file as it is now (its ETag, or a date not before its last change)."""
    if request.method not in ("GET", "HEAD") or "Range" not in request.headers:
        return False
    if not opened.size:
        return False
    if "If-Range" not in request.headers:
        return True
    etag = quote_etag(opened.etag) if opened.etag else None
    return not is_resource_modified(
        request.environ, etag, last_modified=opened.modified, ignore_if_range=False
    )


def _close(opened: Opened) -> None:
    if opened.file is not None:
        opened.file.close()


def _send_stream(
    opened: Opened,
    ranged: bool,
    asked: ByteRange | None,
    mimetype: str,
    as_attachment: bool,
    download_name: str | None,
) -> Response:
    """A streamed file (or part) answered as Werkzeug answers a local one: 206 with the part,
    416 for a range it cannot serve, else the whole file, conditional (304 / 412)."""
    response = send_file(
        opened.file if opened.file is not None else io.BytesIO(), mimetype=mimetype,
        as_attachment=as_attachment, download_name=download_name, conditional=False,
        max_age=0, etag=opened.etag, last_modified=opened.modified,
    )  # fmt: skip
    response.accept_ranges = "bytes"
    if ranged:
        if opened.beyond_end or asked is None:  # past the end, unreadable, or several ranges
            response.close()
            raise RequestedRangeNotSatisfiable(length=opened.size)
        if opened.part is not None:  # (a bucket that ignored the range sent the whole file)
            first, last = opened.part
            response.status_code = 206
            response.content_range = ContentRange("bytes", first, last + 1, opened.size)
            response.content_length = opened.length
            return response
    response.content_length = opened.size
    response.make_conditional(request.environ)  # 304 (or 412), as for a local file
    return response


def install(app: Flask) -> None:
    """A file store that does not answer: 503 with Retry-After and the reason, never a 500."""

    def unavailable(error: StorageUnavailable):
        page = render_template("errors/storage.html", message=render_msg(error.message))
        return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    app.register_error_handler(StorageUnavailable, unavailable)
