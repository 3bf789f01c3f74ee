"""Two phones at a wijkavond on one checklist: different steps are both saved; the same step
twice gives the second a 409 page that keeps what was typed and says which step changed."""

from __future__ import annotations

import re

from sqlalchemy import select

from engine.db import utcnow
from engine.models import Event, Step
from engine.operations import add_step, complete_step, fire_transition
from tests.factories import browse_as, initiative_with_group, stored_state
from tests.support import CSRF_RE


def _text(response) -> str:
    return response.get_data(as_text=True)


def _arrange(db_session, titles=("Flyers", "Zaal")):
    item, (anna, bram) = initiative_with_group(db_session, utcnow())
    steps = [
        add_step(db_session, anna, item.id, stage_key="proposal", title=t, now=utcnow())
        for t in titles
    ]
    db_session.commit()
    return item, anna, bram, [s.id for s in steps]


class Phone:
    """A logged-in browser with the initiative page as it was when it was opened."""

    def __init__(self, client, person, item):
        self.client, self.item = browse_as(client, person), item
        self.page = _text(self.client.get(f"/initiatives/{item.id}"))
        #: each step's own page (where it is changed), as it was when the page was opened
        self.step_pages = {
            int(n): _text(self.client.get(f"/initiatives/{item.id}/steps/{n}"))
            for n in re.findall(rf'href="/initiatives/{item.id}/steps/(\d+)"', self.page)
        }

    def step_form(self, step_id: int) -> dict:
        """The hidden fields of the step's "change" form: on the page as it was sent back
        refused (open again), else on the step's own page as it was opened."""
        action = f'action="/initiatives/{self.item.id}/steps/{step_id}"'
        pattern = rf"<form method=\"post\" {action}.*?</form>"
        found = re.search(pattern, self.page, re.S) or re.search(
            pattern, self.step_pages[step_id], re.S
        )
        form = found.group(0)
        return {
            "csrf_token": CSRF_RE.search(form).group(1),
            "version": re.search(r'name="version" value="(\d+)"', form).group(1),
        }

    def save_step(self, step_id: int, title: str, **fields):
        data = {**self.step_form(step_id), "title": title, "owner": "", "due_date": ""}
        data.update(fields)
        return self.client.post(f"/initiatives/{self.item.id}/steps/{step_id}", data=data)


def _titles(db_session, item) -> list[str]:
    db_session.rollback()
    return list(
        db_session.scalars(
            select(Step.title).where(Step.initiative_id == item.id).order_by(Step.id)
        )
    )


def test_two_phones_change_different_steps_and_both_are_saved(web_app, db_session):
    item, anna, bram, (flyers, zaal) = _arrange(db_session)
    a = Phone(web_app.test_client(), anna, item)
    b = Phone(web_app.test_client(), bram, item)
    assert b.save_step(zaal, "Zaal huren bij De Wissel").status_code == 302
    response = a.save_step(flyers, "Flyers rondbrengen")
    assert response.status_code == 302
    assert _titles(db_session, item) == ["Flyers rondbrengen", "Zaal huren bij De Wissel"]
    page = _text(a.client.get(response.headers["Location"]))
    assert "The step is saved." in page


def test_the_same_step_twice_gives_409_with_the_input_kept_and_what_changed(web_app, db_session):
    item, anna, bram, (flyers, _) = _arrange(db_session)
    a = Phone(web_app.test_client(), anna, item)
    b = Phone(web_app.test_client(), bram, item)
    assert b.save_step(flyers, "Flyers rondbrengen in de Zonnelaan").status_code == 302
    before = stored_state(db_session, item.id)
    response = a.save_step(flyers, "Flyers drukken bij de buurtwinkel", due_date="2027-03-01")
    assert response.status_code == 409
    page = _text(response)
    # said plainly, next to the form of that step, which is open again with what Anna typed
    form = re.search(rf'<li class="vb-step[^"]*" id="step-{flyers}">.*?</li>', page, re.S).group(0)
    assert '<details class="vb-details" open>' in form
    assert (
        "Someone else changed the step “Flyers rondbrengen in de Zonnelaan” in the meantime. "
        "Nothing was saved" in form
    )
    assert 'value="Flyers drukken bij de buurtwinkel"' in form
    for part, value in (("day", "01"), ("month", "03"), ("year", "2027")):  # the date as typed
        assert f'name="due_date-{part}" value="{value}"' in form
    # the page as it now is: Bram's title, and the step's new version to save again with
    assert 'class="vb-step__title" lang="nl">Flyers rondbrengen in de Zonnelaan<' in form
    db_session.rollback()
    assert stored_state(db_session, item.id) == before
    version = db_session.scalar(select(Step.version).where(Step.id == flyers))
    assert f'name="version" value="{version}"' in form
    # Anna saves again from that page: now it is hers
    a.page = page
    assert a.save_step(flyers, "Flyers drukken bij de buurtwinkel").status_code == 302
    assert _titles(db_session, item)[0] == "Flyers drukken bij de buurtwinkel"


def test_a_step_of_the_stage_the_group_just_left_is_refused_plainly(web_app, db_session):
    item, anna, bram, (flyers, zaal) = _arrange(db_session)
    a = Phone(web_app.test_client(), anna, item)  # Anna starts changing a step
    for step_id in (flyers, zaal):  # Bram completes the steps and moves on
        complete_step(db_session, bram, item.id, step_id, utcnow())
    fire_transition(db_session, bram, item.id, "start", utcnow())
    db_session.commit()
    events = db_session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1))
    response = a.save_step(flyers, "Flyers rondbrengen")
    assert response.status_code == 409
    assert "The group has moved on from this stage" in _text(response)
    assert _titles(db_session, item) == ["Flyers", "Zaal"]
    assert db_session.scalar(select(Event.id).order_by(Event.id.desc()).limit(1)) == events
