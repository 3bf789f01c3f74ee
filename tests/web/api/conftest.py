"""API fixtures: a world with people in every role, each with a write token."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from engine.api_tokens import create_token
from engine.db import utcnow
from tests import factories


@dataclass
class ApiWorld:
    initiative_id: int
    hidden_id: int
    tokens: dict[str, str]
    read_tokens: dict[str, str]
    people: dict[str, int]


def auth(token: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"} if token else {}


@pytest.fixture(scope="session")
def api_world(web_app) -> ApiWorld:
    """Residents in every role, a coach and an admin, a public and a hidden initiative."""
    session = web_app.extensions["verbinding"].sessions()
    try:
        now = utcnow()
        people = factories.people_in_every_role(session, now)
        item = factories.initiative_for_roles(session, now, people, title="API: Voermanhaven")
        hidden = factories.initiative_for_roles(
            session, now, people, visibility="members", title="API: besloten groep"
        )
        tokens, read = {}, {}
        for role, someone in people.items():
            tokens[role] = create_token(session, someone, name="test", scope="write", now=now)[1]
            read[role] = create_token(session, someone, name="lezen", scope="read", now=now)[1]
        session.commit()
        return ApiWorld(item.id, hidden.id, tokens, read, {r: p.id for r, p in people.items()})
    finally:
        session.close()
