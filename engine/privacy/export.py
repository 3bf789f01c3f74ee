"""Everything kept about a person, to take with them: one JSON file and their uploaded files.

Which rows are "about the person" is read from the schema, not listed by hand: every row of
every table with a column that points at them (``person_id``, ``author_id``, ``owner_id``…), so
a table added later is in the download without anyone remembering it. Secrets the site keeps
only as hashes (passwords, links, sessions) are left out: they are of no use to anyone.
"""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Table, or_, select
from sqlalchemy.orm import Session

from engine.db import Base
from engine.models import Document, Person, RateLimit
from engine.storage import Storage

#: columns never handed out: hashes of secrets
_SECRET_SUFFIX = "_hash"


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, bytes):
        return value.hex()
    return value


def _row(mapping: Any) -> dict[str, Any]:
    return {k: _plain(v) for k, v in mapping.items() if not k.endswith(_SECRET_SUFFIX)}


def _person_columns(table: Table) -> list[Any]:
    return [
        column
        for column in table.c
        if any(fk.column.table.name == "people" for fk in column.foreign_keys)
    ]


def collect(session: Session, person: Person) -> dict[str, Any]:
    """What the site keeps about ``person``: their account and, per table, the rows that name
    them (as author, owner, voter, member, recipient…)."""
    account = session.execute(select(Person.__table__).where(Person.id == person.id)).one()
    data: dict[str, Any] = {"account": _row(account._mapping)}
    tables: dict[str, list[dict[str, Any]]] = {}
    for name, table in sorted(Base.metadata.tables.items()):
        columns = _person_columns(table) if isinstance(table, Table) else []
        if not columns or name == "people":
            continue
        statement = select(table).where(or_(*[c == person.id for c in columns]))
        if "id" in table.c:
            statement = statement.order_by(table.c.id)
        rows = [_row(r._mapping) for r in session.execute(statement)]
        if rows:
            tables[name] = rows
    counters = session.execute(
        select(RateLimit).where(
            or_(
                RateLimit.key.like(f"%:person:{person.id}"),
                RateLimit.key.like(f"%:email:{person.email}"),
            )
        )
    ).scalars()
    limits = [{"key": c.key, "window_start": c.window_start, "hits": c.hits} for c in counters]
    if limits:
        tables["rate_limits"] = limits
    data["tables"] = tables
    return data


def export_zip(session: Session, person: Person, storage: Storage, now: datetime) -> bytes:
    """A zip with ``verbinding.json`` (see :func:`collect`) and the files the person uploaded."""
    data = {"made": now.isoformat(), **collect(session, person)}
    documents = session.scalars(
        select(Document).where(Document.uploaded_by_id == person.id).order_by(Document.id)
    ).all()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        files = []
        for document in documents:
            content = storage.read(document.storage_name)
            if content is None:  # gone from the storage: the row still says what it was
                continue
            arcname = f"files/{document.id}-{document.filename.replace('/', '_')}"
            archive.writestr(arcname, content)
            files.append(arcname)
        data["files"] = files
        archive.writestr(
            "verbinding.json", json.dumps(data, ensure_ascii=False, indent=2, default=str)
        )
    return buffer.getvalue()
