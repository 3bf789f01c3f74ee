"""The maintenance pages × everyone's standing: the board and the initiators manage; a plain
member, an outsider and a coach who open a manager's page or forge its form get 403 and
nothing changes. A plain member records and swaps only their own turns."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from engine.db import utcnow
from engine.maintenance.swaps import propose_swap
from engine.models import MaintenanceTask, Occurrence, Person
from engine.timeutil import local_date
from tests import factories
from tests.factories import maintenance_state, stored_state
from tests.support import CSRF_RE

STANDINGS = ("member", "board", "initiator", "outsider", "coach")
MANAGERS = ("board", "initiator")


@dataclass
class World:
    item: int
    task: int
    people: dict[str, int]
    emails: dict[str, str]
    #: the initiator's (Anna's) first turn, and Cor's (the plain member's)
    annas_turn: int
    cors_turn: int
    #: Cor asked Bram to swap
    question: int


@pytest.fixture(scope="module")
def world(web_app: Flask) -> World:
    session = web_app.extensions["verbinding"].sessions()
    try:
        now = utcnow()
        g = factories.maintenance_group(session, now)
        cors = g.turn_of(session, g.member)
        question = propose_swap(
            session,
            g.member,
            g.item.id,
            cors.id,
            other_id=g.turn_of(session, g.board).id,
            now=now,
        )
        people = {s: getattr(g, s) for s in STANDINGS}
        world = World(
            item=g.item.id,
            task=g.task.id,
            people={s: p.id for s, p in people.items()},
            emails={s: p.email for s, p in people.items()},
            annas_turn=g.turn_of(session, g.initiator).id,
            cors_turn=cors.id,
            question=question.id,
        )
        session.commit()
        return world
    finally:
        session.close()


@dataclass
class Visitor:
    cookie: str
    csrf: str

    def client(self, app: Flask):
        client = app.test_client()
        client.set_cookie("session", self.cookie)
        return client


@pytest.fixture(scope="module")
def visitors(web_app: Flask, world: World) -> dict[str, Visitor]:
    """One browser session per standing, logged in once through the login form, in English."""
    found = {}
    for standing, email in world.emails.items():
        client = web_app.test_client()
        csrf = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
        response = client.post(
            "/login", data={"csrf_token": csrf, "email": email, "password": factories.PASSWORD}
        )
        assert response.status_code == 302
        client.get("/language/en")
        csrf = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)  # new at login
        found[standing] = Visitor(client.get_cookie("session").value, csrf)
    return found


def _url(world: World, path: str) -> str:
    return f"/initiatives/{world.item}/maintenance{path}"


#: pages only the board and the initiators open
MANAGER_PAGES = (
    "/association/edit",
    "/agreement/edit",
    "/tasks/new",
    "/tasks/{task}/edit",
    "/tasks/{task}/rota",
    "/turns/{annas_turn}/swap",
)


FORMS = (
    "make myself chair",
    "rewrite the agreement",
    "add a task",
    "end the task",
    "set the rota",
    "take Anna off the rota",
    "record Anna's turn",
    "give Anna's turn away",
)


def _forms(w: World, me: int) -> dict[str, tuple[str, dict]]:
    """Forged forms a manager could send: name (:data:`FORMS`) → (path, data)."""
    anna, bram, cor = (w.people[s] for s in ("initiator", "board", "member"))
    return {
        "make myself chair": (
            "/association/edit",
            {
                "name": "Overgenomen",
                "contact_person": str(me),
                f"place_{me}": "chair",
                f"place_{anna}": "member",
                f"place_{bram}": "member",
                f"place_{cor}": "member",
            },
        ),
        "rewrite the agreement": (
            "/agreement/edit",
            {
                "association_duties": "Niets.",
                "municipality_duties": "Alles.",
                "start_date": local_date(utcnow()).isoformat(),
            },
        ),
        "add a task": (
            "/tasks/new",
            {
                "title": "Nieuw",
                "starts_on": local_date(utcnow()).isoformat(),
                "freq": "daily",
                "interval": "1",
                "monthly_by": "day",
                "nth": "1",
                "nth_weekday": "MO",
                "volunteers": [str(cor)],
            },
        ),
        "end the task": (f"/tasks/{w.task}/end", {}),
        "set the rota": (f"/tasks/{w.task}/rota", {f"on-{me}": "1", f"turn-{me}": "1"}),
        "take Anna off the rota": (f"/tasks/{w.task}/rota/{anna}/step-out", {}),
        "record Anna's turn": (f"/turns/{w.annas_turn}", {"outcome": "done", "note": "Klaar"}),
        "give Anna's turn away": (f"/turns/{w.annas_turn}/swap", {"other": f"person-{me}"}),
    }


def _state(web_app: Flask, world: World) -> tuple:
    session = web_app.extensions["verbinding"].sessions()
    try:
        return maintenance_state(session, world.item), stored_state(session, world.item)
    finally:
        session.close()


@pytest.mark.parametrize("who", STANDINGS)
@pytest.mark.parametrize("path", MANAGER_PAGES)
def test_manager_pages_open_for_the_board_and_the_initiators(web_app, world, visitors, path, who):
    response = visitors[who].client(web_app).get(_url(world, path.format(**vars(world))))
    page = response.get_data(as_text=True)
    if who in MANAGERS:
        assert response.status_code == 200
    elif who == "member":
        assert response.status_code == 403
        assert "Only the association&#39;s board and the initiators" in page or "your own" in page
        assert "Who to ask" in page and "Anna de Vries" in page and "Bram Bos" in page
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("who", ("member", "outsider", "coach"))
@pytest.mark.parametrize("form", FORMS)
def test_forged_forms_are_refused_and_change_nothing(web_app, world, visitors, form, who):
    visitor = visitors[who]
    path, data = _forms(world, world.people[who])[form]
    before = _state(web_app, world)
    response = visitor.client(web_app).post(
        _url(world, path), data={"csrf_token": visitor.csrf, **data}
    )
    assert response.status_code == 403, response.get_data(as_text=True)[:500]
    assert _state(web_app, world) == before


@pytest.mark.parametrize("who", ("initiator", "outsider", "coach"))
def test_only_the_one_asked_answers_and_only_the_asker_withdraws(web_app, world, visitors, who):
    visitor = visitors[who]
    before = _state(web_app, world)
    for path, data in (
        ("/swaps/answer", {"swap": world.question, "answer": "accept"}),
        ("/swaps/withdraw", {"swap": world.question}),
    ):
        response = visitor.client(web_app).post(
            _url(world, path), data={"csrf_token": visitor.csrf, **data}
        )
        assert response.status_code == 403
    assert _state(web_app, world) == before


def test_a_plain_member_sees_only_what_is_theirs_to_do(web_app, world, visitors):
    client = visitors["member"].client(web_app)
    task = client.get(_url(world, f"/tasks/{world.task}")).get_data(as_text=True)
    assert "Change the task" not in task and "Change the rota" not in task
    assert "Take Anna de Vries off the rota" not in task and "Step out of the rota" in task
    # the record form and "Ask to swap" on Cor's own turns, none on Anna's
    assert f'action="/initiatives/{world.item}/maintenance/turns/{world.cors_turn}"' in task
    assert f'action="/initiatives/{world.item}/maintenance/turns/{world.annas_turn}"' not in task
    assert "Ask to swap" in task and "Change this turn" not in task
    for path in ("/association", "/agreement", "/tasks"):
        page = client.get(_url(world, path)).get_data(as_text=True)
        for link in ("/association/edit", "/agreement/edit", "/tasks/new"):
            assert link not in page, (path, link)
    board = visitors["board"].client(web_app).get(_url(world, f"/tasks/{world.task}"))
    page = board.get_data(as_text=True)
    assert "Change the rota" in page and "Take Anna de Vries off the rota" in page
    assert "Change this turn" in page


def test_the_secretary_manages_like_the_chair(web_app, db_session, visitors):
    """A board member who is not an initiator: ends a task and changes the board."""
    now = utcnow()
    g = factories.maintenance_group(db_session, now)
    db_session.commit()
    item, task = g.item.id, g.task.id
    from tests.support import login, post_form

    client = web_app.test_client()
    login(client, g.board.email)
    page = f"/initiatives/{item}/maintenance/tasks/{task}"
    response = post_form(client, page + "/end", {"confirmed": "yes"}, token_from=page)
    assert response.status_code == 302
    db_session.expire_all()
    assert not db_session.get(MaintenanceTask, task).is_active
    edit = f"/initiatives/{item}/maintenance/association/edit"
    data = {
        "name": "Bewonersvereniging Voermanhaven",
        "contact_person": str(g.initiator.id),
        f"place_{g.initiator.id}": "chair",
        f"place_{g.board.id}": "member",
        f"place_{g.member.id}": "treasurer",
    }
    assert post_form(client, edit, data, token_from=edit).status_code == 302
    db_session.expire_all()
    from engine.maintenance.roles import standing

    assert standing(db_session, item, db_session.get(Person, g.member.id)).board_role == (
        "treasurer"
    )
    assert db_session.scalar(select(Occurrence.id).where(Occurrence.task_id == task))
