"""Documents and pictures: attach, look at (only who may see the initiative), remove."""

from __future__ import annotations

from flask import Blueprint, abort, g, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from engine.db import utcnow
from engine.errors import NotFound
from engine.models import Document
from engine.operations import attach_document, remove_document
from engine.operations.documents import get_document
from web import MAX_UPLOAD_BYTES, access
from web.confirm import unconfirmed
from web.database import db
from web.documents.forms import UploadForm
from web.files import files, send_stored
from web.form_action import form_action, row_version
from web.initiatives.forms import PlainForm
from web.initiatives.page import act, again_on_page, status_for
from web.panels import Panel, register_panel

bp = Blueprint("documents", __name__)
# its panels on the initiative page render from the page itself: no loader
register_panel(bp, Panel("documents", "documents/_panel.html", "side", 30))


@bp.post("/initiatives/<int:initiative_id>/documents")
@access.member
def upload(initiative_id: int):
    form = UploadForm()

    def attach(session: Session) -> Document:
        sent = form.file.data
        data = sent.read(MAX_UPLOAD_BYTES + 1)  # one byte more than allowed: the engine says no
        return attach_document(
            session, current_user.person, initiative_id, filename=sent.filename or "", data=data,
            storage=files(), stage_key=form.stage_key.data or None, now=utcnow(),
        )  # fmt: skip

    return form_action(
        form,
        attach,
        done=_("The file is attached."),
        to=url_for("initiatives.show", initiative_id=initiative_id, _anchor="documents"),
        again=again_on_page("upload", form),
        status=status_for,
        summary=False,
    )


@bp.get("/initiatives/<int:initiative_id>/documents/<int:document_id>")
@access.viewer
def download(initiative_id: int, document_id: int):
    try:
        document = get_document(db(), initiative_id, document_id)
    except NotFound:
        abort(404)
    is_image = document.content_type.startswith("image/")
    response = send_stored(
        document.storage_name,
        document.content_type,
        as_attachment=not is_image,
        download_name=document.filename,
    )
    if response is None:
        page = render_template("documents/missing.html", initiative=g.initiative, document=document)
        return page, 410
    response.headers["X-Content-Type-Options"] = "nosniff"
    # as stored (e.g. ``text/plain; charset=utf-8``): send_file would add a second charset
    response.headers["Content-Type"] = document.content_type
    # a document of a members-only initiative must not stay in a shared cache
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.post("/initiatives/<int:initiative_id>/documents/<int:document_id>/remove")
@access.member
def remove(initiative_id: int, document_id: int):
    key = f"document-{document_id}"
    back = url_for("initiatives.show", initiative_id=initiative_id, _anchor=key)
    if (refused := unconfirmed(back)) is not None:
        return refused
    form = PlainForm()
    return act(
        key, form, remove_document, current_user.person, initiative_id, document_id, utcnow(),
        storage=files(), expected_version=row_version(),
        done=_("The document is removed."), anchor="documents",
    )  # fmt: skip
