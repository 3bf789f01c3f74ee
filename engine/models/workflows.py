"""Stored versions of process templates: an initiative keeps the version it started on."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class WorkflowVersion(Base):
    __tablename__ = "workflow_versions"
    __table_args__ = (
        UniqueConstraint("name", "version"),
        UniqueConstraint("name", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the template's name, e.g. ``wijkvisie``
    name: Mapped[str] = mapped_column(String(100), index=True)
    #: 1, 2, 3… per name, in the order the changes were seen
    version: Mapped[int]
    #: sha256 of the canonical JSON of the definition
    content_hash: Mapped[str] = mapped_column(String(64))
    #: the whole definition as JSON (engine.workflows.loader.to_dict)
    definition: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
