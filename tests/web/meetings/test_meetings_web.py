"""Meetings and support in the browser's terms: the group plans, a neighbour answers and
supports, the group sends a message after seeing it once more, bad input changes nothing."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from engine.db import utcnow
from engine.mail.outbox import contents
from engine.models import Neighbourhood, OutboxMessage
from engine.models.meetings import Meeting, MeetingAnswer, Supporter
from engine.timeutil import local_date
from tests import factories
from tests.factories.web import browse_as
from tests.support import post_form


def _people(db_session):
    now = utcnow()
    item, (anna, _bram) = factories.initiative_with_group(db_session, now, members=1)
    noor = factories.person(db_session, now, "Noor Visser", locale="en")
    db_session.commit()
    return item, anna, noor


def test_plan_answer_message_and_support(client, web_app, db_session):
    item, anna, noor = _people(db_session)
    browse_as(client, anna)
    day = local_date(utcnow()) + timedelta(days=9)
    base = f"/initiatives/{item.id}/meetings"
    form = {"title": "Wijkavond", "day-day": str(day.day), "day-month": str(day.month),
            "day-year": str(day.year), "starts": "19:30", "ends": "19:00", "place": "Buurthuis",
            "address": "Pop Dijkemaweg 9, Groningen", "capacity": "1",
            # ending on the same day, before it starts (without an end day: the next day)
            "end_day-day": str(day.day), "end_day-month": str(day.month),
            "end_day-year": str(day.year)}  # fmt: skip
    refused = post_form(client, base + "/new", form, token_from=base + "/new")
    assert refused.status_code == 400 and "must end after it starts" in refused.get_data(True)
    mine = select(func.count()).select_from(Meeting).where(Meeting.initiative_id == item.id)
    assert db_session.scalar(mine) == 0
    form["ends"] = "21:30"
    made = post_form(client, base + "/new", form, token_from=base + "/new")
    assert made.status_code == 302
    meeting_id = int(re.search(r"/meetings/(\d+)", made.headers["Location"]).group(1))
    page = client.get(f"{base}/{meeting_id}").get_data(as_text=True)
    assert "19:30" in page and "21:30" in page and "Buurthuis" in page
    client.get("/logout")

    other = web_app.test_client()
    assert client.get(f"{base}/{meeting_id}").status_code == 200  # public: anyone reads it
    browse_as(other, noor)
    url = f"{base}/{meeting_id}/answer"
    done = post_form(other, url, {"answer": "going"}, token_from=f"{base}/{meeting_id}")
    assert done.status_code == 302
    assert db_session.scalar(select(MeetingAnswer.answer)) == "going"
    # the support page: a neighbour supports the plan as a resident of their wijk
    supporters = f"/initiatives/{item.id}/supporters"
    wijk = db_session.scalar(select(Neighbourhood).where(Neighbourhood.name == "Paddepoel"))
    post_form(other, supporters, {"neighbourhood_id": str(wijk.id)}, token_from=supporters)
    again = post_form(other, supporters, {"neighbourhood_id": str(wijk.id)}, token_from=supporters)
    assert again.status_code == 302
    assert db_session.scalar(select(func.count()).select_from(Supporter)) == 1
    shown = browse_as(web_app.test_client()).get(supporters).get_data(as_text=True)
    assert "a resident of Paddepoel" in shown and "Noor Visser" not in shown
    assert re.search(r"Paddepoel</td><td class=\"vb-num\">1<", shown)

    # the group writes to those going: first shown, then sent only when confirmed
    browse_as(client, anna)
    message = f"{base}/{meeting_id}/message"
    empty = post_form(client, message, {"text": ""}, token_from=f"{base}/{meeting_id}")
    assert empty.status_code == 400 and "There is a problem" in empty.get_data(True)
    preview = post_form(
        client, message, {"text": "Neem een stoel mee"}, token_from=f"{base}/{meeting_id}"
    )
    assert preview.status_code == 200 and "Neem een stoel mee" in preview.get_data(True)
    before = db_session.scalar(select(func.count()).select_from(OutboxMessage))
    sent = post_form(client, message, {"text": "Neem een stoel mee", "confirmed": "yes"},
                     token_from=f"{base}/{meeting_id}")  # fmt: skip
    assert sent.status_code == 302
    db_session.expire_all()
    mails = db_session.scalars(select(OutboxMessage).order_by(OutboxMessage.id.desc())).all()
    # a notification's text is stored once for all readers; contents() fills in this reader's
    assert len(mails) == before + 1 and "Neem een stoel mee" in contents(mails[0])[0]
    assert mails[0].to_addr == noor.email and "about the meeting" in contents(mails[0])[0]
