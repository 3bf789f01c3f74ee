"""Stored files (a folder or an S3 bucket: engine.storage) as the pages use them.

Every download goes through the app: the view checks who may see the file, then the bytes are
sent from local disk or streamed from the bucket. No presigned link is handed out: such a link
works for anyone who holds it (a forwarded mail, a proxy's log, a shared computer's history)
until it expires, and the bucket's address need not be reachable from residents' browsers.
"""

from __future__ import annotations

from flask import Flask, Response, render_template, send_file

from engine.storage import Storage, StorageUnavailable
from web.database import RETRY_AFTER_SECONDS, runtime
from web.i18n import render_msg


def files() -> Storage:
    """The process's storage (made, and checked, when the app starts)."""
    return runtime().storage


def send_stored(
    name: str, mimetype: str, *, as_attachment: bool = False, download_name: str | None = None
) -> Response | None:
    """A response with the stored file ``name`` (conditional, never cached publicly), or None
    when the file is gone."""
    opened = files().open(name)
    if opened is None:
        return None
    if opened.path is not None:  # on local disk: Werkzeug answers ranges and conditions itself
        return send_file(
            opened.path, mimetype=mimetype, as_attachment=as_attachment,
            download_name=download_name, conditional=True, max_age=0,
        )  # fmt: skip
    assert opened.file is not None
    response = send_file(
        opened.file, mimetype=mimetype, as_attachment=as_attachment,
        download_name=download_name, conditional=True, max_age=0, etag=opened.etag,
        last_modified=opened.modified,
    )  # fmt: skip
    if response.status_code == 200:
        response.content_length = opened.size
    return response


def install(app: Flask) -> None:
    """A file store that does not answer: 503 with Retry-After and the reason, never a 500."""

    def unavailable(error: StorageUnavailable):
        page = render_template("errors/storage.html", message=render_msg(error.message))
        return page, 503, {"Retry-After": str(RETRY_AFTER_SECONDS)}

    app.register_error_handler(StorageUnavailable, unavailable)
