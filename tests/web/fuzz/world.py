"""The world the fuzzer runs in: a group in zelfbeheer with every kind of row a route can name,
and a browser per role, logged in once."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from flask import Flask
from flask.testing import FlaskClient

from engine.coach.actions import add_coach_note
from engine.db import utcnow
from engine.models import Occurrence, Person
from engine.operations import add_step, invite, request_to_join
from tests import factories
from tests.factories.web import browse_as

ROLES = ("anonymous", "resident", "member", "initiator", "coach", "admin")
#: a form on a page: every ``name="…"`` with the ``value`` the page gave it
FORM_RE = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)
ACTION_RE = re.compile(r'action="([^"]*)"')
FIELD_RE = re.compile(r'<(?:input|select|textarea|button)\b[^>]*\bname="([^"]+)"[^>]*>', re.S)
VALUE_RE = re.compile(r'\bvalue="([^"]*)"')
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass
class World:
    client: FlaskClient
    csrf: str
    #: path argument name → ids and keys that exist
    known: dict[str, list[str]]
    #: form action (a path) → field name → the value the page gave it
    forms: dict[str, dict[str, str]] = field(default_factory=dict)
    #: every field name seen on a page
    names: set[str] = field(default_factory=set)


def build(app: Flask, role: str, now: datetime | None = None) -> World:
    """A fresh group for this role's run (a run may leave, remove, decline…), and its browser."""
    now = now or utcnow()
    session = app.extensions["verbinding"].sessions()
    try:
        g = factories.maintenance_group(session, now)
        admin = factories.person(
            session, now, "Beheerder", role="admin", email=f"admin-{uuid.uuid4().hex[:8]}@x.nl"
        )
        step = add_step(
            session, g.initiator, g.item.id, stage_key=g.item.state, title="Bankjes tellen",
            now=now,
        )  # fmt: skip
        request = factories.filed_request(session, g.item, g.member, now)
        document = factories.document(session, g.item, g.initiator, now)
        invitation = invite(
            session, g.initiator, g.item.id, email=f"gast-{uuid.uuid4().hex[:8]}@x.nl",
            role="member", now=now,
        )  # fmt: skip
        hidden, _ = factories.initiative_with_group(session, now, members=1, visibility="members")
        asked = request_to_join(session, g.outsider, g.item.id, now)
        add_coach_note(session, g.coach, g.item.id, body="Goed bezig", now=now)
        turn = session.query(Occurrence).filter_by(task_id=g.task.id).first()
        session.commit()
        people: dict[str, Person | None] = {
            "anonymous": None, "resident": g.outsider, "member": g.member,
            "initiator": g.initiator, "coach": g.coach, "admin": admin,
        }  # fmt: skip
        known = {
            "initiative_id": [str(g.item.id), str(hidden.id)],
            "step_id": [str(step.id)],
            "request_id": [str(request.id)],
            "document_id": [str(document.id)],
            "task_id": [str(g.task.id)],
            "occurrence_id": [str(turn.id)] if turn else [],
            "person_id": [str(p.id) for p in people.values() if p is not None],
            "join_request_id": [str(asked.id)],
            "decision_id": [],
            "message_id": [],
            "token": [invitation.token],
            "trigger": [t.trigger for t in _transitions(session, g.item)],
            "stage_key": [g.item.state, "execution", "maintenance", "visioning"],
            "code": ["nl", "en"],
        }
    finally:
        session.close()
    client = browse_as(app.test_client(), people[role], locale="en")
    world = World(client, "", known)
    _harvest(world, g.item.id)
    return world


def _transitions(session, item):
    from engine.workflows.versions import definition_of

    try:
        return definition_of(session, item).transitions
    except Exception:  # noqa: BLE001 - only a source of plausible names
        return []


def _harvest(world: World, item: int) -> None:
    """Read the forms of the pages this role can open: their fields and hidden values."""
    pages = [
        "/", "/register", "/password/reset", "/reminders/preferences", "/coach/",
        "/coach/assignments", "/admin/people", "/support/", "/initiatives/new",
        f"/initiatives/{item}", f"/initiatives/{item}/members", f"/initiatives/{item}/support",
        f"/initiatives/{item}/maintenance", f"/initiatives/{item}/maintenance/tasks",
        f"/initiatives/{item}/maintenance/association/edit",
        f"/initiatives/{item}/maintenance/agreement/edit",
        f"/initiatives/{item}/maintenance/tasks/new", f"/coach/initiatives/{item}",
        f"/initiatives/{item}/support/new", f"/invitations/{world.known['token'][0]}",
    ] + [f"/initiatives/{item}/support/{r}" for r in world.known["request_id"]] + [
        f"/initiatives/{item}/maintenance/tasks/{t}/rota" for t in world.known["task_id"]
    ] + [
        f"/initiatives/{item}/maintenance/turns/{o}/swap" for o in world.known["occurrence_id"]
    ]  # fmt: skip
    for url in pages:
        response = world.client.get(url)
        if response.status_code != 200:
            continue
        html = response.get_data(as_text=True)
        if not world.csrf and (found := CSRF_RE.search(html)):
            world.csrf = found.group(1)
        for attributes, body in FORM_RE.findall(html):
            action = ACTION_RE.search(attributes)
            target = (action.group(1) if action else url).replace("&amp;", "&").split("?")[0]
            fields = world.forms.setdefault(target, {})
            for tag in FIELD_RE.finditer(body):
                name = tag.group(1)
                value = VALUE_RE.search(tag.group(0))
                fields.setdefault(name, value.group(1) if value else "")
                world.names.add(name)
    if not world.csrf:  # an anonymous visitor: the login page has one
        found = CSRF_RE.search(world.client.get("/login").get_data(as_text=True))
        world.csrf = found.group(1) if found else ""
