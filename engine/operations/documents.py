"""Documents and pictures attached to an initiative or one of its stages.

A file is accepted by what it *is*, not by what it is called: its name must have one of the
allowed extensions and its content must start the way files of that kind do.
"""

from __future__ import annotations

import contextlib
import io
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from engine.i18n import msg
from engine.images import strip_metadata
from engine.models import Document, Person, StagePlan
from engine.operations.common import (
    check_row_version,
    lock_initiative,
    record_detail,
    require_change,
)
from engine.storage import Storage, on_commit, on_rollback

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
MAX_FILENAME = 255


def _zip_names(data: bytes) -> list[str] | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, ValueError, OSError):
        return None


_ODT_HEAD = b"mimetypeapplication/vnd.oasis.opendocument.text"


def _is_odt(data: bytes) -> bool:
    # ODF puts an uncompressed "mimetype" entry first, so its content sits at a fixed place
    return data[:4] == b"PK\x03\x04" and data[30 : 30 + len(_ODT_HEAD)] == _ODT_HEAD


def _is_docx(data: bytes) -> bool:
    if data[:4] != b"PK\x03\x04":
        return False
    names = _zip_names(data) or []
    return "[Content_Types].xml" in names and "word/document.xml" in names


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _is_text(data: bytes) -> bool:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return False
    return not _CONTROL.search(text)


@dataclass(frozen=True)
class Kind:
    label: str
    content_type: str
    matches: Callable[[bytes], bool]

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


_PDF = Kind("PDF", "application/pdf", lambda d: b"%PDF-" in d[:1024])
_JPEG = Kind("JPEG", "image/jpeg", lambda d: d[:3] == b"\xff\xd8\xff")
#: allowed extensions and what their content must look like
KINDS: dict[str, Kind] = {
    "pdf": _PDF,
    "png": Kind("PNG", "image/png", lambda d: d[:8] == b"\x89PNG\r\n\x1a\n"),
    "jpg": _JPEG,
    "jpeg": _JPEG,
    "webp": Kind("WebP", "image/webp", lambda d: d[:4] == b"RIFF" and d[8:12] == b"WEBP"),
    "odt": Kind("ODT", "application/vnd.oasis.opendocument.text", _is_odt),
    "docx": Kind(
        "DOCX",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        _is_docx,
    ),
    "txt": Kind("TXT", "text/plain; charset=utf-8", _is_text),
}
ALLOWED = "PDF, PNG, JPEG, WebP, ODT, DOCX, TXT"


def clean_filename(filename: str) -> str:
    """The last part of a name as a browser sent it, without control characters."""
    name = re.split(r"[/\\]", filename or "")[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C")
    name = " ".join(name.split()).strip(". ")
    if len(name) > MAX_FILENAME:
        stem, dot, ext = name.rpartition(".")
        name = stem[: MAX_FILENAME - len(ext) - 1] + dot + ext if dot else name[:MAX_FILENAME]
    return name


def check_file(filename: str, data: bytes) -> tuple[str, str, Kind]:
    """The cleaned name, its extension and its kind; refuse what is not allowed."""
    name = clean_filename(filename)
    if not name:
        raise InvalidInput(msg("Choose a file to attach."), field="data")
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    kind = KINDS.get(extension)
    if kind is None:
        raise InvalidInput(
            msg("This kind of file cannot be attached. Allowed are: %(kinds)s.", kinds=ALLOWED),
            field="filename",
        )
    if not data:
        raise InvalidInput(msg("The file is empty."), field="data")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidInput(
            msg("Files can be at most 10 MB. Make the file smaller and try again."), field="data"
        )
    if not kind.matches(data):
        raise InvalidInput(
            msg(
                "The file “%(name)s” is not a real %(kind)s file: its content does not match "
                "its name.",
                name=name,
                kind=kind.label,
            ),
            field="data",
        )
    return name, extension, kind


def get_document(
    session: Session, initiative_id: int, document_id: int, expected_version: int | None = None
) -> Document:
    document = session.get(Document, document_id, populate_existing=True)
    if document is None or document.initiative_id != initiative_id:
        if expected_version is not None:  # the page showed it: someone removed it meanwhile
            raise Conflict(
                msg("Someone else removed this document in the meantime. Nothing was changed.")
            )
        raise NotFound(msg("This document does not exist."))
    return document


def attach_document(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    filename: str,
    data: bytes,
    storage: Storage,
    now: datetime,
    stage_key: str | None = None,
) -> Document:
    """Store a file and attach it to the initiative, or to one stage of its plan (adding needs
    no version: it collides with nothing)."""
    initiative = lock_initiative(session, initiative_id)
    require_change(session, initiative, actor)
    name, extension, kind = check_file(filename, data)
    if stage_key:
        known = session.scalar(
            select(StagePlan.id).where(
                StagePlan.initiative_id == initiative.id, StagePlan.stage_key == stage_key
            )
        )
        if known is None:
            raise InvalidInput(msg("Choose a stage of this initiative's plan."), field="stage_key")
    if kind.is_image:  # no location or device in what others can download
        data = strip_metadata(data, extension)
    stored = storage.save(data, extension)
    on_rollback(session, lambda: storage.delete(stored))
    try:
        document = Document(
            initiative_id=initiative.id,
            stage_key=stage_key or None,
            filename=name,
            content_type=kind.content_type,
            size=len(data),
            storage_name=stored,
            uploaded_by_id=actor.id,
            created_dt=now,
        )
        session.add(document)
        session.flush()
        record_detail(
            session, initiative, actor, now, "document.attached",
            document=document.id, filename=name, stage=stage_key or None,
        )  # fmt: skip
        session.flush()
    except BaseException:
        with contextlib.suppress(Exception):  # the rollback's own action tries once more
            storage.delete(stored)  # no file without its row
        raise
    return document


def remove_document(
    session: Session,
    actor: Person,
    initiative_id: int,
    document_id: int,
    now: datetime,
    *,
    storage: Storage,
    expected_version: int | None = None,
) -> None:
    """Remove a document: the person who attached it, or an initiator, may
    (``expected_version``: the document's, as the page showed)."""
    initiative = lock_initiative(session, initiative_id)
    role = require_change(session, initiative, actor)
    document = get_document(session, initiative.id, document_id, expected_version)
    check_row_version(
        document,
        expected_version,
        msg(
            "Someone else changed the document “%(name)s” in the meantime. Nothing was changed; "
            "look at it as it is now and try again.",
            name=document.filename,
        ),
    )
    if document.uploaded_by_id != actor.id and role != "initiator":
        raise PermissionDenied(
            msg("Only the person who attached a document, or an initiator, can remove it.")
        )
    stored, filename = document.storage_name, document.filename
    record_detail(
        session, initiative, actor, now, "document.removed",
        document=document.id, filename=filename, stage=document.stage_key,
    )  # fmt: skip
    session.delete(document)
    session.flush()
    # the bytes go only when the row is gone for good
    on_commit(session, lambda: storage.delete(stored))
