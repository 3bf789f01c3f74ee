"""The initiative page's panels (web/panels.py): each registered panel shows to whom it is for,
each loader runs once per page, and a panel without a template stops the app from starting."""

from __future__ import annotations

import dataclasses
from collections import Counter

import pytest
from flask import Blueprint, Flask
from jinja2 import TemplateNotFound

from engine.db import utcnow
from engine.models import Person
from engine.operations.common import member_role
from tests import factories
from tests.factories import browse_as, initiative_with_group
from tests.factories.surveys import survey as make_survey
from tests.support import counted
from web.panels import EXTENSION, Panel, panels_of, register_panel

#: how each registered panel shows itself on the page (a new panel adds its line here)
HEADINGS = {
    "plan": 'id="plan"',
    "pace": 'id="pace"',
    "members": 'id="group"',
    "documents": 'id="documents"',
    "support": 'id="support-heading"',
    "maintenance": 'id="maintenance-heading"',
    "coach-notes": 'id="coach-notes-heading"',
    "reminders": 'id="reminders-heading"',
    "discussion": 'id="discussion-heading"',
    "survey": 'id="survey-heading"',
    "meetings": 'id="meetings-panel"',
    "consultation": 'id="consultation-heading"',
}
VISITORS = ("anonymous", "outsider", "member", "initiator", "coach")


@pytest.fixture(scope="module")
def scene(web_app):
    """A public initiative with an association (so zelfbeheer has something to show)."""
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    try:
        item, (anna, bram) = initiative_with_group(session, now)
        factories.complete_association(session, item, now)
        people = {
            "initiator": anna,
            "member": bram,
            "outsider": factories.person(session, now, "Buiten Staander"),
            "coach": factories.staff(session, now, name="Sanne Visser"),
        }
        session.commit()
        return item.id, {who: p.id for who, p in people.items()}
    finally:
        session.close()


def test_every_registered_panel_knows_how_it_shows(web_app):
    assert {p.name for p in panels_of(web_app)} == set(HEADINGS)


@pytest.mark.parametrize("who", VISITORS)
def test_each_panel_shows_to_whom_it_is_for_and_loads_once(
    who, web_app, db_session, scene, monkeypatch
):
    initiative_id, people = scene
    person = db_session.get(Person, people[who]) if who in people else None
    role = member_role(db_session, initiative_id, person.id) if person else None
    calls: Counter[str] = Counter()
    empty: set[str] = set()

    def counted(panel: Panel) -> Panel:
        if panel.loader is None:
            return panel
        loader = panel.loader

        def load(*args):
            calls[panel.name] += 1
            found = loader(*args)
            if found is None:  # nothing to show yet: the panel leaves itself out
                empty.add(panel.name)
            return found

        return dataclasses.replace(panel, loader=load)

    # the registry's own panels, each loader wrapped in a counter
    monkeypatch.setitem(web_app.extensions, EXTENSION, [counted(p) for p in panels_of(web_app)])
    client = browse_as(web_app.test_client(), person)
    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)

    for panel in panels_of(web_app):
        meant = panel.shown_to(role, person)
        assert (HEADINGS[panel.name] in page) == (meant and panel.name not in empty), (
            who,
            panel.name,
        )
        if panel.loader is not None:
            assert calls[panel.name] == (1 if meant else 0), (who, panel.name)
    expected = {"plan", "pace", "members", "documents", "support", "maintenance", "discussion",
                "meetings"}  # fmt: skip
    if who in ("member", "initiator"):
        # the group is offered to make a survey and to ask the neighbourhood; others see them
        # once they are open
        expected |= {"coach-notes", "reminders", "survey", "consultation"}
    if who == "coach":
        expected |= {"coach-notes"}
    assert {name for name, marker in HEADINGS.items() if marker in page} == expected


def test_a_panel_whose_template_is_missing_stops_the_start():
    bp = Blueprint("broken", __name__)
    register_panel(bp, Panel("broken", "broken/_no_such_panel.html", "side", 99))
    app = Flask("web")  # the real templates folder, without this panel's template
    with pytest.raises(TemplateNotFound):
        app.register_blueprint(bp)


def test_the_support_and_survey_panels_read_only_what_the_guard_facts_say_exists(
    web_app, db_session
):
    """The page's guard facts count the support requests and tell whether there is a survey:
    without them the two panels ask the database nothing; once there are, they read and show
    them."""
    now = utcnow()
    item, (anna, _) = initiative_with_group(db_session, now)
    db_session.commit()
    client = browse_as(web_app.test_client(), anna)
    client.get("/language/en")

    def reads() -> tuple[Counter[str], str]:
        with counted(web_app) as sent:
            body = client.get(f"/initiatives/{item.id}").get_data(as_text=True)
        tables = ("support_requests", "surveys")
        return Counter(
            t for sql in sent for t in tables if sql.lstrip().startswith(f"SELECT {t}.id")
        ), body

    sent, body = reads()
    assert sent == Counter() and 'id="support-heading"' in body and 'id="survey-heading"' in body
    factories.filed_request(db_session, item, anna, now, description="Graag een bankje.")
    make_survey(db_session, item, anna, now)
    db_session.commit()
    sent, body = reads()
    assert sent == Counter({"support_requests": 1, "surveys": 1})
    assert "Graag een bankje." in body and "Hoe woon je in Paddepoel?" in body
