"""The meeting form and page for an evening past midnight and a weekend, and the paper sign-up
list: added by name and count, shown apart, counted in the capacity, removable."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from engine.db import utcnow
from engine.models.meetings import Meeting, PaperSignup
from engine.timeutil import local_date
from tests import factories
from tests.factories.web import browse_as
from tests.support import post_form


def _form(day, **extra) -> dict:
    form = {"title": "Wijkavond", "day-day": str(day.day), "day-month": str(day.month),
            "day-year": str(day.year), "starts": "20:00", "ends": "00:30",
            "place": "Buurthuis", "address": "Pop Dijkemaweg 9, Groningen"}  # fmt: skip
    form.update(extra)
    return form


def _group(db_session):
    now = utcnow()
    item, (anna, _bram) = factories.initiative_with_group(db_session, now, members=1)
    db_session.commit()
    return item, anna


def test_an_evening_past_midnight_and_a_weekend_read_as_such(client, db_session):
    item, anna = _group(db_session)
    browse_as(client, anna)
    base = f"/initiatives/{item.id}/meetings"
    day = local_date(utcnow()) + timedelta(days=9)
    made = post_form(client, base + "/new", _form(day), token_from=base + "/new")
    assert made.status_code == 302
    meeting_id = int(re.search(r"/meetings/(\d+)", made.headers["Location"]).group(1))
    page = client.get(f"{base}/{meeting_id}").get_data(as_text=True)
    nextday = day + timedelta(days=1)
    # the end shows its own day: it is not the start day
    assert re.search(rf"20:00 to {nextday.day} \w+ {nextday.year}, 00:30", page), page
    edit = client.get(f"{base}/{meeting_id}/edit").get_data(as_text=True)
    assert f'value="{nextday.day}"' in edit and 'value="00:30"' in edit
    # a weekend longer than three days is refused beside the end day, and changes nothing
    too_long = day + timedelta(days=4)
    refused = post_form(client, base + "/new", _form(day, ends="16:00", **{
        "end_day-day": str(too_long.day), "end_day-month": str(too_long.month),
        "end_day-year": str(too_long.year)}), token_from=base + "/new")  # fmt: skip
    assert refused.status_code == 400 and "at most 3 days" in refused.get_data(True)
    mine = select(func.count()).select_from(Meeting).where(Meeting.initiative_id == item.id)
    assert db_session.scalar(mine) == 1
    index = client.get(base).get_data(as_text=True)
    assert re.search(rf"20:00 to {nextday.day} \w+ {nextday.year}, 00:30", index)


def test_the_group_adds_and_removes_people_from_the_paper_list(client, web_app, db_session):
    item, anna = _group(db_session)
    browse_as(client, anna)
    base = f"/initiatives/{item.id}/meetings"
    day = local_date(utcnow()) + timedelta(days=9)
    made = post_form(client, base + "/new", _form(day, ends="21:30", capacity="3"),
                     token_from=base + "/new")  # fmt: skip
    show = made.headers["Location"].split("#")[0]
    paper = show + "/paper"
    bad = post_form(client, paper, {"name": "Familie Bos", "people": "30"}, token_from=show)
    assert bad.status_code == 400 and db_session.scalar(
        select(func.count()).select_from(PaperSignup)) == 0  # fmt: skip
    added = post_form(client, paper, {"name": "Familie Bos", "people": "2"}, token_from=show)
    assert added.status_code == 302
    page = client.get(show).get_data(as_text=True)
    assert "Familie Bos" in page and "of whom 2 signed up on paper" in page
    full = post_form(client, paper, {"name": "Piet", "people": "2"}, token_from=show)
    assert full.status_code == 400 and "room for 1 more person" in full.get_data(True)
    # the public page shows the count, never the names on the list
    public = web_app.test_client().get(show).get_data(as_text=True)
    assert "Familie Bos" not in public and "2 personen" in public
    line = db_session.scalar(select(PaperSignup))
    gone = post_form(client, f"{paper}/{line.id}/remove", {}, token_from=show)
    assert gone.status_code == 302
    assert db_session.scalar(select(func.count()).select_from(PaperSignup)) == 0
    someone = factories.person(db_session, utcnow())
    db_session.commit()
    stranger = web_app.test_client()
    browse_as(stranger, someone)
    denied = post_form(stranger, paper, {"name": "X"}, token_from=show)
    assert denied.status_code in (403, 404)
    assert db_session.scalar(select(func.count()).select_from(PaperSignup)) == 0
