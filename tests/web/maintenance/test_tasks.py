"""Tasks, the rota and turns through the Flask client: the friendly rule form, bad input."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from engine.db import utcnow
from engine.maintenance.rota import active_volunteers
from engine.models import MaintenanceTask, Occurrence
from engine.operations import join_initiative
from engine.timeutil import local_date
from tests import factories
from tests.support import login, post_form


@pytest.fixture
def quay(db_session):
    """A greening initiative with a complete association: Anna (chair), Bram and Cor."""
    now = utcnow()
    tag = uuid.uuid4().hex[:8]
    people = [
        factories.person(
            db_session,
            now,
            name,
            email=f"{name.split()[0].lower()}-{tag}@example.nl",
            password=factories.PASSWORD,
        )  # fmt: skip
        for name in ("Anna de Vries", "Bram Bos", "Cor Dijk")
    ]
    anna, bram, cor = people
    item = factories.initiative(db_session, now, workflow="vergroening", initiator=anna)
    for person in (bram, cor):
        join_initiative(db_session, person, item.id, now)
    factories.complete_association(db_session, item, now)
    db_session.commit()
    return item, anna, bram, cor


def _url(item, path=""):
    return f"/initiatives/{item.id}/maintenance{path}"


#: the friendly form of a weekly task, as a browser sends it
_TASK = {
    "title": "Plantenbakken water geven",
    "freq": "weekly",
    "interval": "1",
    "monthly_by": "day",
    "nth": "1",
    "nth_weekday": "MO",
}


def _new_task(client, item, **fields):
    url = _url(item, "/tasks/new")
    data = {**_TASK, "starts_on": local_date(utcnow()).isoformat(), **fields}
    return post_form(client, url, data, token_from=url)


def _tasks(db_session, item):
    db_session.expire_all()
    return db_session.scalars(
        select(MaintenanceTask).where(MaintenanceTask.initiative_id == item.id)
    ).all()


def test_the_friendly_form_makes_a_task_shown_in_words(client, db_session, quay):
    item, anna, bram, cor = quay
    login(client, anna.email)
    client.get("/language/en")
    response = _new_task(
        client, item, weekdays=["SA"], months=["5", "6", "7", "8", "9"],
        volunteers=[str(bram.id), str(cor.id)],
    )  # fmt: skip
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    (task,) = _tasks(db_session, item)
    assert task.rrule == "FREQ=WEEKLY;BYMONTH=5,6,7,8,9;BYDAY=SA"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Every week on Saturday, from May to September" in page
    assert [v.person_id for v in active_volunteers(db_session, task.id)] == [bram.id, cor.id]
    edit = client.get(_url(item, f"/tasks/{task.id}/edit")).get_data(as_text=True)
    assert 'value="SA" checked' in edit.replace('id="weekdays-5" ', "") or "checked" in edit


def test_the_advanced_field_takes_an_rrule(client, db_session, quay):
    item, anna, bram, _ = quay
    login(client, anna.email)
    response = _new_task(
        client, item, title="Afvoerput schoonmaken", advanced="RRULE:FREQ=MONTHLY;BYDAY=1MO",
        volunteers=[str(bram.id)],
    )  # fmt: skip
    assert response.status_code == 302
    (task,) = _tasks(db_session, item)
    assert task.rrule == "FREQ=MONTHLY;BYDAY=1MO"


@pytest.mark.parametrize(
    ("fields", "field_id", "says"),
    [
        ({"advanced": "FREQ=SOMETIMES"}, "advanced", "Say how often"),
        ({"advanced": "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"}, "advanced", "never happens"),
        ({"freq": "yearly", "months": ["2"], "month_day": "30"}, "freq", "never happens"),
        ({"freq": "monthly", "nth": "9"}, "nth", "Not a valid choice"),
        ({"volunteers": []}, "volunteers", "A rota needs at least one volunteer."),
        ({"interval": "0"}, "interval", "from 1 to 99"),
    ],
)
def test_bad_input_is_explained_next_to_its_field_and_saves_nothing(
    client, db_session, quay, fields, field_id, says
):
    item, anna, bram, _ = quay
    login(client, anna.email)
    client.get("/language/en")
    data = {"volunteers": [str(bram.id)], **fields}
    response = _new_task(client, item, **data)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'id="{field_id}-error"' in page and says in page
    assert _tasks(db_session, item) == []


def test_an_empty_rota_is_refused_and_the_rota_stays(client, db_session, quay):
    item, anna, bram, cor = quay
    login(client, anna.email)
    client.get("/language/en")
    _new_task(client, item, volunteers=[str(bram.id), str(cor.id)])
    (task,) = _tasks(db_session, item)
    url = _url(item, f"/tasks/{task.id}/rota")
    response = post_form(client, url, {}, token_from=url)
    assert response.status_code == 400
    assert "A rota needs at least one volunteer." in response.get_data(as_text=True)
    assert [v.person_id for v in active_volunteers(db_session, task.id)] == [bram.id, cor.id]
    # a new order: Cor first, Anna joins at the end, Bram steps out
    data = {
        f"on-{cor.id}": "1",
        f"turn-{cor.id}": "1",
        f"on-{anna.id}": "1",
        f"turn-{anna.id}": "2",
    }
    assert post_form(client, url, data, token_from=url).status_code == 302
    db_session.expire_all()
    assert [v.person_id for v in active_volunteers(db_session, task.id)] == [cor.id, anna.id]


def test_record_a_turn_done_with_a_note_and_see_it_in_the_log(client, db_session, quay):
    item, anna, bram, cor = quay
    login(client, anna.email)  # the chair adds the task; Bram records his own turn
    _new_task(client, item, freq="daily", volunteers=[str(bram.id), str(cor.id)])
    login(client, bram.email)
    client.get("/language/en")
    (task,) = _tasks(db_session, item)
    turn = db_session.scalars(
        select(Occurrence).where(Occurrence.task_id == task.id).order_by(Occurrence.due_date)
    ).first()
    url = _url(item, f"/turns/{turn.id}")
    page_url = _url(item, f"/tasks/{task.id}")
    response = post_form(
        client, url, {"outcome": "done", "note": "Alles water gegeven."}, token_from=page_url
    )
    assert response.status_code == 302 and response.headers["Location"].endswith("#melding")
    assert f'href="#turn-{turn.id}"' in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    log = client.get(_url(item, "/log")).get_data(as_text=True)
    assert "Alles water gegeven." in log and "Bram Bos" in log
    # a turn already recorded cannot be recorded twice: the reason is shown, nothing changes
    response = post_form(client, url, {"outcome": "skipped"}, token_from=page_url)
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "This turn is already recorded." in page
    db_session.expire_all()
    assert db_session.get(Occurrence, turn.id).status == "done"


def test_swap_and_step_out(client, db_session, quay):
    item, anna, bram, cor = quay
    login(client, anna.email)
    _new_task(client, item, freq="daily", volunteers=[str(bram.id), str(cor.id)])
    (task,) = _tasks(db_session, item)
    first, second = db_session.scalars(
        select(Occurrence).where(Occurrence.task_id == task.id).order_by(Occurrence.due_date)
    ).all()[:2]
    swap = _url(item, f"/turns/{first.id}/swap")
    assert client.get(swap).status_code == 200
    assert post_form(client, swap, {}, token_from=swap).status_code == 400
    response = post_form(client, swap, {"other": f"turn-{second.id}"}, token_from=swap)
    assert response.status_code == 302
    db_session.expire_all()
    swapped = (db_session.get(Occurrence, t.id).assignee_id for t in (first, second))
    assert tuple(swapped) == (cor.id, bram.id)
    leave = _url(item, f"/tasks/{task.id}/rota/{bram.id}/step-out")
    assert post_form(client, leave, token_from=swap).status_code == 302
    db_session.expire_all()
    assert [v.person_id for v in active_volunteers(db_session, task.id)] == [cor.id]
    planned = select(func.count()).where(
        Occurrence.task_id == task.id,
        Occurrence.status == "planned",
        Occurrence.assignee_id == bram.id,
        Occurrence.due_date >= local_date(utcnow()),
    )
    assert db_session.scalar(planned) == 0


def test_end_a_task(client, db_session, quay):
    item, anna, bram, _ = quay
    login(client, anna.email)
    _new_task(client, item, volunteers=[str(bram.id)])
    (task,) = _tasks(db_session, item)
    page = _url(item, f"/tasks/{task.id}")
    end = _url(item, f"/tasks/{task.id}/end")
    asked = "Deze taak beëindigen? Er komen geen nieuwe beurten meer"
    assert asked in client.get(page).get_data(as_text=True)
    # one press without the second step ends nothing (WCAG 3.3.4)
    assert post_form(client, end, token_from=page).status_code == 303
    db_session.expire_all()
    assert db_session.get(MaintenanceTask, task.id).is_active
    assert post_form(client, end, {"confirmed": "yes"}, token_from=page).status_code == 302
    db_session.expire_all()
    assert not db_session.get(MaintenanceTask, task.id).is_active
    assert (task.ended_on or local_date(utcnow())) <= local_date(utcnow()) + timedelta(days=1)


def test_a_task_changed_meanwhile_comes_back_with_the_input_kept(client, db_session, quay):
    item, anna, bram, cor = quay
    # Bram is the secretary here: tasks are the board's to manage
    members = {anna.id: "chair", bram.id: "secretary", cor.id: "member"}
    factories.complete_association(db_session, item, utcnow(), members=members)
    db_session.commit()
    login(client, anna.email)
    _new_task(client, item, volunteers=[str(bram.id)])
    (task,) = _tasks(db_session, item)
    edit = _url(item, f"/tasks/{task.id}/edit")
    mine = client.get(edit).get_data(as_text=True)  # Anna opens the form…
    seen = re.search(r'name="version" value="(\d+)"', mine).group(1)
    assert seen == str(task.version)
    other = client.application.test_client()  # …while Bram renames the task
    login(other, bram.email)
    day = local_date(utcnow()).isoformat()
    renamed = dict(_TASK, title="Bakken water geven", starts_on=day, version=seen)
    assert post_form(other, edit, renamed, token_from=edit).status_code == 302
    mine = dict(_TASK, title="Plantenbakken elke zaterdag water geven", starts_on=day, version=seen)
    response = post_form(client, edit, mine, token_from=edit)
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    # in Dutch, the default reading
    assert "Iemand anders heeft de taak “Bakken water geven” of het rooster ervan intussen" in page
    assert 'value="Plantenbakken elke zaterdag water geven"' in page  # what Anna typed
    (task,) = _tasks(db_session, item)
    assert task.title == "Bakken water geven"
    assert f'name="version" value="{task.version}"' in page  # to save again, knowingly


def test_the_initiative_page_lists_the_three_soonest_turns(client, db_session, quay):
    """The zelfbeheer panel on the initiative page reads only the next three turns of all
    tasks (not every task's rota), soonest first, with who has each."""
    item, anna, bram, cor = quay
    login(client, anna.email)
    client.get("/language/en")
    today = local_date(utcnow())
    tasks = (("Plantenbakken water geven", today), ("Kade vegen", today + timedelta(2)))
    for title, start in tasks:
        response = _new_task(
            client, item, title=title, starts_on=start.isoformat(),
            weekdays=[], volunteers=[str(bram.id), str(cor.id)],
        )  # fmt: skip
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    db_session.expire_all()
    planned = db_session.scalars(
        select(Occurrence)
        .where(Occurrence.initiative_id == item.id, Occurrence.status == "planned")
        .where(Occurrence.due_date >= today)
        .order_by(Occurrence.due_date, Occurrence.id)
    ).all()
    assert len(planned) > 3
    page = client.get(f"/initiatives/{item.id}").get_data(as_text=True)
    panel = page.split('id="maintenance"', 1)[1].split("</section>", 1)[0]
    listed = re.findall(r"#turn-(\d+)", panel)
    assert listed == [str(turn.id) for turn in planned[:3]]
    assert "Next turns" in panel and ("Bram Bos" in panel or "Cor Dijk" in panel)
