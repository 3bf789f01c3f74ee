"""The scheduler's sign of life: one row per scheduler process, written after every sweep."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base, UTCDateTime


class Heartbeat(Base):
    """When a scheduler process last finished a sweep (``/readyz`` asks how long ago)."""

    __tablename__ = "heartbeats"

    #: ``scheduler@host:pid``
    process: Mapped[str] = mapped_column(String(200), primary_key=True)
    beat_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    #: how often this process sweeps: a beat older than three of these is a missed one
    sweep_seconds: Mapped[int]
    #: how long its last sweep took
    sweep_ms: Mapped[int]
