"""The one way forms are run (web/form_action.py): refusals beside their field, lost races as 409
with what was typed kept — also when the database's unique constraint is what stopped it."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from engine.db import utcnow
from engine.models import Person
from tests import factories
from tests.factories import browse_as, initiative_with_group, submit
from tests.support import post_form


def _text(response) -> str:
    return response.get_data(as_text=True)


def _invalid(page: str, field_id: str) -> bool:
    return bool(
        re.search(rf'id="{field_id}"[^>]*aria-invalid="true"', page)
        or re.search(rf'aria-invalid="true"[^>]*id="{field_id}"', page)
    )


def test_an_engine_refusal_about_a_field_shows_next_to_that_field(client, db_session):
    item, (anna, _) = initiative_with_group(db_session, utcnow())
    db_session.commit()
    browse_as(client, anna)
    response = submit(
        client, item.id, f"/initiatives/{item.id}/invitations",
        {"email": "school@example.nl", "role": "partner"},  # a partner, but for whom?
    )  # fmt: skip
    assert response.status_code == 400
    page = _text(response)
    # the engine said which field: the reason sits under the organisation field, tied to it
    error = re.search(r'id="invite-organisation-error"[^>]*>(.*?)</', page, re.S)
    assert error and "Say which organisation the partner stands for." in error.group(1)
    assert _invalid(page, "invite-organisation")
    assert 'id="invite-problem"' not in page  # not a refusal of the form as a whole
    assert 'value="school@example.nl"' in page  # what was typed stays


def test_a_unique_constraint_lost_to_another_session_is_a_409_with_the_input_kept(client, web_app):
    """Two sign-ups with one address at the same moment: both pass the engine's check, the
    database keeps the first. The second visitor gets the form back, filled in, and a reason."""
    email = f"tweeling-{uuid.uuid4().hex[:8]}@example.nl"
    factory = web_app.extensions["verbinding"].sessions
    raced: list[Session] = []

    def the_other_sign_up_commits_first(session: Session, _context, _instances) -> None:
        if raced or not any(isinstance(o, Person) for o in session.new):
            return
        with factory() as other:  # a second connection, as another web worker would have
            raced.append(other)  # (its own flush comes through here too: let it pass)
            factories.person(other, utcnow(), "Eerste Aanmelder", email=email)
            other.commit()

    event.listen(factory, "before_flush", the_other_sign_up_commits_first)
    try:
        response = post_form(
            client, "/register",
            {"name": "Tweede Aanmelder", "email": email, "password": "wachtwoord-123",
             "confirm": "wachtwoord-123"},
            token_from="/register",
        )  # fmt: skip
    finally:
        event.remove(factory, "before_flush", the_other_sign_up_commits_first)
    assert raced, "the other sign-up did not run"
    assert response.status_code == 409
    page = _text(response)
    assert "Tweede Aanmelder" in page and email in page  # the form comes back filled in
    assert "vb-error-summary" in page
    with factory() as check:
        names = check.scalars(select(Person.name).where(func.lower(Person.email) == email))
        assert list(names) == ["Eerste Aanmelder"]  # the first kept, nothing half-written
