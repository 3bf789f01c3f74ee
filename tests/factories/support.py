"""Support requests and documents: what a group asks of the municipality, what it attaches."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.models import Initiative, Person

#: the smallest file the documents module accepts as a PDF
PDF_BYTES = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def document(
    session: Session, item: Initiative, uploader: Person, now: datetime, *,
    filename: str = "ontwerp-kade.pdf", stage_key: str | None = None, storage=None,
):  # fmt: skip
    """A PDF attached to an initiative: stored for real when given a ``Storage``, else a row."""
    import uuid

    from engine.models import Document

    if storage is not None:
        from engine.operations.documents import attach_document

        return attach_document(
            session, uploader, item.id, filename=filename, data=PDF_BYTES, storage=storage,
            now=now, stage_key=stage_key,
        )  # fmt: skip
    row = Document(
        initiative_id=item.id,
        stage_key=stage_key,
        filename=filename,
        content_type="application/pdf",
        size=len(PDF_BYTES),
        storage_name=f"test-{item.id}-{uuid.uuid4().hex}.pdf",
        uploaded_by_id=uploader.id,
        created_dt=now,
    )
    session.add(row)
    session.flush()
    return row


def filed_request(
    session: Session,
    item: Initiative,
    member: Person,
    now: datetime,
    *,
    kind: str = "works",
    description: str = "Graag de stroken asfalt langs de kade weghalen.",
    respond_days: int = 10,
    stage_key: str | None = None,
):
    """A support request filed the way a member files one (with its respond-by and event)."""
    from engine.operations import file_support_request

    return file_support_request(
        session, member, item.id, kind=kind, description=description, now=now,
        stage_key=stage_key, respond_days=respond_days,
    )  # fmt: skip
