"""Shared by the outbox's tests: a migrated database per kind for the module, emptied per test."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from engine.db import make_session_factory
from engine.mail.outbox import queue_message
from engine.models import OutboxMessage
from tests.conftest import DB_KINDS, NOW, migrated_database

FROM = "Verbinding <noreply@verbinding.test>"


@pytest.fixture(scope="module", params=DB_KINDS)
def sessions(request, tmp_path_factory):
    engine = migrated_database(request.param, tmp_path_factory.mktemp("outbox"), "outbox")
    yield make_session_factory(engine)
    engine.dispose()


@pytest.fixture
def clean(sessions):
    """An empty outbox for each test (the database is the module's)."""
    with sessions() as s:
        s.query(OutboxMessage).delete()
        s.commit()
    return sessions


def queue(sessions, n: int, now=NOW, prefix="test") -> list[int]:
    with sessions() as s:
        ids = [
            queue_message(
                s, key=f"{prefix}:{i}", to_addr=f"bewoner{i}@example.nl", subject=f"Bericht {i}",
                body_text="Hallo", body_html="<p>Hallo</p>", now=now, mail_from=FROM,
            ).id
            for i in range(n)
        ]  # fmt: skip
        s.commit()
    return ids


def rows(sessions) -> list[OutboxMessage]:
    with sessions() as s:
        return list(s.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
