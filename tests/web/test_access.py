"""Every route × every role answers as its access rule in ``web.access.RULES`` promises.

The routes are read from the app itself, so a new route is tested the moment it is added. Its
URL is built from the rule's arguments *by name* from a realistic initiative (members in every
role, a step, a decision, a document, an invitation…); an argument this test does not know
fails the test, so a route cannot slip through untested: add a resolver to ``RESOLVERS``.

Expected answers, derived from the rule:

* ``public``    — never 401/403 (a 404 for an unknown token is fine);
* ``login``     — anonymous: 302 to /login; everyone else passes;
* ``viewer``    — on an initiative shown to members only: anonymous and outsiders get 404,
  the group and staff pass;
* ``member``    — anonymous: 302 to /login; outsider, coach, admin: 403; the group passes;
* ``member_or_starter`` — as ``member`` here (the world's initiative was started by a resident;
  the coach who starts one on behalf of residents is tested in tests/web/members);
* ``initiator`` — anonymous: 302 to /login; only initiators pass, others 403;
* ``staff``     — anonymous: 302 to /login; coach and admin pass; residents 403;
* ``admin``     — anonymous: 302 to /login; only the admin passes, others 403.

"Passes" means: not 401/403/404, not a redirect to the login page, and never a server error
(a 400 for an empty form is fine). GET routes get a GET; POST-only routes a POST with the
session's CSRF token and an empty form. A POST that should pass runs on an initiative of its
own, so what it changes (leaving, deleting, logging out) cannot disturb another test.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.consultations.moderation import report_post
from engine.consultations.operations import open_consultation, post_idea
from engine.db import utcnow
from engine.discussions.operations import post_message, report_message
from engine.meetings.operations import MeetingInput, plan_meeting
from engine.meetings.paper import add_paper_signup
from engine.models import Occurrence, Person
from engine.operations import (
    add_step,
    assign_coach,
    cast_vote,
    fire_transition,
    invite,
    open_decision,
    request_to_join,
    set_visibility,
)
from engine.reminders.calendar import make_feed
from engine.reminders.tokens import signing_secret, unsubscribe_token
from engine.timeutil import local_date
from tests import factories
from tests.support import CSRF_RE, picture

ROLES = ("anonymous", *factories.ROLE_PEOPLE)
GROUP = ("member", "initiator", "partner")
STAFF = ("coach", "admin")


@dataclass(frozen=True)
class Route:
    endpoint: str
    rule: str
    method: str
    access: str
    arguments: tuple[str, ...]

    @property
    def blueprint(self) -> str:
        return self.endpoint.rpartition(".")[0]


def _routes() -> list[Route]:
    """Every URL rule of a freshly built app, with its endpoint's access rule."""
    from web import create_app
    from web.access import RULES

    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "VERBINDING_INSTANCE_PATH": instance,
                "VERBINDING_DATABASE_URL": f"sqlite:///{instance}/routes.db",
                "VERBINDING_SECRET_KEY": "collect",
                "TESTING": True,
            }
        )
        routes = []
        for rule in app.url_map.iter_rules():
            methods = set(rule.methods or ()) - {"HEAD", "OPTIONS"}
            method = "GET" if "GET" in methods else ("POST" if "POST" in methods else min(methods))
            access = RULES.get(rule.endpoint, "MISSING")
            if access == "api":  # token access: tests/web/api (schemathesis for every role)
                continue
            routes.append(Route(rule.endpoint, rule.rule, method, access, tuple(rule.arguments)))
        missing = {e for e, r in RULES.items() if r != "api"} - {r.endpoint for r in routes}
        assert not missing, f"rules without a URL: {missing}"
    return sorted(routes, key=lambda r: (r.endpoint, r.rule))


ROUTES = _routes()


# --- the world: people in every role and initiatives with everything a URL can point at -----


@dataclass
class World:
    """Ids of one initiative and the things inside it."""

    initiative_id: int
    stage_key: str
    trigger: str
    step_id: int
    decision_id: int
    document_id: int
    document_filename: str
    invitation_token: str
    invitation_id: int
    join_request_id: int
    support_request_id: int
    meeting_id: int
    #: a line of the meeting's paper sign-up list
    paper_line_id: int
    member_id: int
    spare_person_id: int
    task_id: int | None
    occurrence_id: int | None
    message_id: int
    #: a member's message in the group's discussion, and a report of it
    discussion_message_id: int
    #: the neighbourhood's consultation, a neighbour's idea in it (with a photo), a report of it
    consultation_id: int
    consultation_post_id: int
    consultation_report_id: int
    report_id: int
    #: tokens by endpoint, for the routes whose token is not an invitation's
    tokens: dict[str, str]
    neighbourhood_id: int
    district_id: int
    workflow: str


def build_world(
    app: Flask,
    people: dict[str, int],
    visibility: str,
    actor: str | None = None,
    maintenance: bool = True,
) -> World:
    """An initiative in the `visioning` stage of `vergroening`, with its group and content.

    The group agreed to start the design and moved on, so the history holds a decision and a
    transition. The open decision is on `submit_design`, a move every resident role may make.
    What belongs to someone (a document) belongs to ``actor`` when they are in the group, so
    object-level rules ("who attached it may remove it") let the acting role through. The
    association with a maintenance task and its rota is left out unless ``maintenance``.
    """
    now = utcnow()
    session = app.extensions["verbinding"].sessions()
    try:
        who = {k: session.get(Person, v) for k, v in people.items()}
        item = factories.initiative_for_roles(session, now, who)
        initiator = who["initiator"]
        # a neighbour asked to join while the initiative was still public
        asker = factories.person(session, now, "Vragende Buur")
        asked = request_to_join(session, asker, item.id, now, message="Mag ik meedoen?")
        agreed = open_decision(session, initiator, item.id, "start_design", now)
        cast_vote(session, initiator, agreed.id, "for", now)
        fire_transition(session, initiator, item.id, "start_design", now)
        # the group asks the neighbourhood; a neighbour answers with a photo, a partner reports it
        consultation = open_consultation(
            session, initiator, initiative_id=item.id, question="Wat vind je van het ontwerp?",
            ends_on=local_date(now) + timedelta(days=14), now=now,
        )  # fmt: skip
        idea = post_idea(
            session, who["outsider"], initiative_id=item.id, consultation_id=consultation.id,
            kind="idea", body="Meer bankjes langs het water.", now=now,
            photo=("bankje.png", picture()),
            store=app.extensions["verbinding"].storage,
        )  # fmt: skip
        idea_report = report_post(session, who["partner"], initiative_id=item.id,
                                  post_id=idea.id, reason="Test", now=now)  # fmt: skip
        if visibility != "public":
            set_visibility(session, initiator, item.id, visibility, now)
        step = add_step(
            session, initiator, item.id, stage_key=item.state, now=now,
            title="Kies planten die weinig water nodig hebben", owner_id=who["member"].id,
        )  # fmt: skip
        decision = open_decision(
            session, initiator, item.id, "submit_design", now, question="Is het ontwerp klaar?"
        )
        owner = who[actor] if actor in GROUP else initiator
        storage = app.extensions["verbinding"].storage
        doc = factories.document(session, item, owner, now, storage=storage, stage_key=item.state)
        invitation = invite(
            session, initiator, item.id, email=f"nieuw-{item.id}@example.nl", role="member",
            now=now,
        )  # fmt: skip
        request = factories.filed_request(session, item, initiator, now)
        meeting = plan_meeting(session, initiator, item.id, MeetingInput(
            title="Wijkavond", day=local_date(now) + timedelta(days=9), starts="19:30",
            ends="21:30", place="Buurthuis", address="Pop Dijkemaweg 9, Groningen",
        ), now)  # fmt: skip
        paper_line = add_paper_signup(session, initiator, item.id, meeting.id, "Familie Bos", 2,
                                      now)  # fmt: skip
        spare = factories.person(session, now, "Reserve Bewoner")
        # the role "coach" looks after this initiative; a member wrote, the partner reported it
        assign_coach(session, who["admin"], coach_id=who["coach"].id, now=now,
                     initiative_id=item.id)  # fmt: skip
        said = post_message(session, who["member"], initiative_id=item.id, now=now,
                            body="Zullen we zaterdag de plantenbakken vullen?")  # fmt: skip
        reported = report_message(session, who["partner"], initiative_id=item.id,
                                  message_id=said.id, reason="Test", now=now)  # fmt: skip
        task_id = occurrence_id = None
        if maintenance:
            factories.complete_association(session, item, now)
            task_id = factories.recurring_task(session, item, initiator, now).id
            occurrence_id = session.scalar(
                select(Occurrence.id)
                .where(Occurrence.task_id == task_id)
                .order_by(Occurrence.due_date)
            )
        secret = signing_secret(app.config["VERBINDING"])
        tokens = {
            "reminders.unsubscribe_link": unsubscribe_token(secret, who["member"].id, ["step_due"]),
            "reminders.person_feed": make_feed(session, spare, now).token,
            "reminders.initiative_feed": make_feed(session, who["member"], now, item.id).token,
        }
        world = World(
            initiative_id=item.id,
            stage_key=item.state,
            trigger=decision.trigger,
            step_id=step.id,
            decision_id=decision.id,
            document_id=doc.id,
            document_filename=doc.filename,
            invitation_token=invitation.token,
            invitation_id=invitation.id,
            join_request_id=asked.id,
            support_request_id=request.id,
            meeting_id=meeting.id,
            paper_line_id=paper_line.id,
            member_id=who["member"].id,
            spare_person_id=spare.id,
            task_id=task_id,
            occurrence_id=occurrence_id,
            message_id=factories.failed_mail(session, now).id,
            discussion_message_id=said.id,
            consultation_id=consultation.id,
            consultation_post_id=idea.id,
            consultation_report_id=idea_report.id,
            report_id=reported.id,
            tokens=tokens,
            neighbourhood_id=item.neighbourhood_id,
            district_id=item.neighbourhood.district_id,
            workflow="vergroening",
        )
        session.commit()
        return world
    finally:
        session.close()


#: argument name → its value for a route in a world; per blueprint where the name differs
RESOLVERS: dict[str, Callable[[World, Route, dict[str, Any]], Any]] = {
    "initiative_id": lambda w, r, x: w.initiative_id,
    "stage_key": lambda w, r, x: w.stage_key,
    "stage": lambda w, r, x: w.stage_key,
    "trigger": lambda w, r, x: w.trigger,
    "step_id": lambda w, r, x: w.step_id,
    "decision_id": lambda w, r, x: w.decision_id,
    "document_id": lambda w, r, x: w.document_id,
    "invitation_id": lambda w, r, x: w.invitation_id,
    "join_request_id": lambda w, r, x: w.join_request_id,
    "request_id": lambda w, r, x: w.support_request_id,
    "task_id": lambda w, r, x: w.task_id,
    "occurrence_id": lambda w, r, x: w.occurrence_id,
    "message_id": lambda w, r, x: (
        w.discussion_message_id if r.blueprint == "discussions" else w.message_id
    ),
    "report_id": lambda w, r, x: (
        w.consultation_report_id if r.blueprint == "consultation" else w.report_id
    ),
    "consultation_id": lambda w, r, x: w.consultation_id,
    "post_id": lambda w, r, x: w.consultation_post_id,
    "support_request_id": lambda w, r, x: w.support_request_id,
    "meeting_id": lambda w, r, x: w.meeting_id,
    "line_id": lambda w, r, x: w.paper_line_id,
    # someone else's or nobody's: marking it read is refused plainly (a redirect, no 404)
    "notification_id": lambda w, r, x: 1,
    # an admin's action on a person (a role, an account) gets a person of its own
    "person_id": lambda w, r, x: w.spare_person_id if r.blueprint == "admin" else w.member_id,
    "neighbourhood_id": lambda w, r, x: w.neighbourhood_id,
    "district_id": lambda w, r, x: w.district_id,
    "workflow": lambda w, r, x: w.workflow,
    "name": lambda w, r, x: w.workflow if r.blueprint == "admin" else None,
    "code": lambda w, r, x: "en" if r.endpoint == "main.language" else None,
    "filename": lambda w, r, x: (
        "css/verbinding.css" if r.endpoint == "static" else w.document_filename
    ),
    "token": lambda w, r, x: (
        x["reset_token"] if r.blueprint == "auth" else w.tokens.get(r.endpoint, w.invitation_token)
    ),
}


def build_url(app: Flask, route: Route, world: World, extra: dict[str, Any]) -> str:
    values = {}
    for name in route.arguments:
        resolver = RESOLVERS.get(name)
        value = resolver(world, route, extra) if resolver else None
        if value is None:
            pytest.fail(
                f"{route.endpoint} ({route.rule}): the route × role test does not know the URL "
                f"argument {name!r}. Add a resolver for it to RESOLVERS in "
                "tests/web/test_access.py (and a factory for what it points at), so the "
                "route is checked for every role."
            )
        values[name] = value
    with app.test_request_context():
        from flask import url_for

        return url_for(route.endpoint, **values)


# --- fixtures ----------------------------------------------------------------------------------


@dataclass
class Visitor:
    """A logged-in (or anonymous) browser session: its cookie and its CSRF token."""

    cookie: str | None
    csrf: str

    def client(self, app: Flask) -> FlaskClient:
        client = app.test_client()
        if self.cookie is not None:
            client.set_cookie("session", self.cookie)
        return client


def _csrf_from(client: FlaskClient) -> str:
    found = CSRF_RE.search(client.get("/login").get_data(as_text=True))
    assert found, "no CSRF token on /login"
    return found.group(1)


@pytest.fixture(scope="module")
def people(web_app) -> dict[str, int]:
    session = web_app.extensions["verbinding"].sessions()
    try:
        found = factories.people_in_every_role(session, utcnow())
        session.commit()
        return {k: p.id for k, p in found.items()}
    finally:
        session.close()


def _visit_as(web_app, email: str | None) -> Visitor:
    """A browser session, logged in through the real login form unless anonymous."""
    client = web_app.test_client()
    csrf = _csrf_from(client)
    if email is not None:
        response = client.post(
            "/login", data={"csrf_token": csrf, "email": email, "password": factories.PASSWORD}
        )
        assert response.status_code == 302, f"{email} could not log in"
        csrf = _csrf_from(client)  # a new token comes with the login
    cookie = client.get_cookie("session")
    return Visitor(cookie.value if cookie else None, csrf)


@pytest.fixture(scope="module")
def emails(web_app, people) -> dict[str, str | None]:
    session = web_app.extensions["verbinding"].sessions()
    found = {k: session.get(Person, v).email for k, v in people.items()}
    session.close()
    return {role: found.get(role) for role in ROLES}


@pytest.fixture(scope="module")
def visitors(web_app, emails) -> dict[str, Visitor]:
    """One session per role, logged in once through the real login form."""
    return {role: _visit_as(web_app, emails[role]) for role in ROLES}


#: endpoints that end the visitor's login sessions on the server: they get a login of their own
SIGNS_OUT = {"auth.logout", "auth.logout_everywhere", "auth.change_password"}


@pytest.fixture(scope="module")
def worlds(web_app, people) -> dict[str, World]:
    """Shared initiatives for requests that change nothing: one public, one members-only."""
    return {v: build_world(web_app, people, v) for v in ("public", "members")}


@pytest.fixture(scope="module")
def extra(web_app, people) -> dict[str, Any]:
    session = web_app.extensions["verbinding"].sessions()
    try:
        token = factories.password_reset_token(
            session, session.get(Person, people["outsider"]), utcnow()
        )
        session.commit()
    finally:
        session.close()
    return {"reset_token": token}


# --- expectations ------------------------------------------------------------------------------


#: where the domain narrows a route's rule for a role (the engine answers 403), and why
_BOARD = "zelfbeheer is managed by the association's board and the initiators (permissions)"
#: the world's association: the initiator chairs it, the member and the partner are members;
#: the first turn of its task is the initiator's, the member's rota place is the member's own
_MAINTENANCE_MANAGERS_ONLY = {
    endpoint: {"member": _BOARD, "partner": _BOARD}
    for endpoint in (
        "maintenance.edit_association",
        "maintenance.edit_agreement",
        "maintenance.new_task",
        "maintenance.edit_task",
        "maintenance.end",
        "maintenance.rota",
        "maintenance.record",
        "maintenance.swap",
    )
}

NARROWER: dict[str, dict[str, str]] = {
    "initiatives.fire": {
        "partner": "a transition's `roles` default to initiator and member (docs/templates.md)",
    },
    **_MAINTENANCE_MANAGERS_ONLY,
    "maintenance.leave_rota": {"partner": "only the board takes someone else off a rota"},
}


def expectation(route: Route, role: str) -> str:
    """``pass``, ``login`` (redirect to log in), ``403`` or ``404`` for a role on a route."""
    if role in NARROWER.get(route.endpoint, {}):
        return "403"
    rule = route.access
    on_initiative = "initiative_id" in route.arguments
    if rule == "public" or (rule == "viewer" and not on_initiative):
        return "public"
    if role == "anonymous":
        return "404" if rule == "viewer" else "login"
    allowed = {
        "login": ROLES,
        "viewer": (*GROUP, *STAFF),
        "signed_in_viewer": (*GROUP, *STAFF),
        "member": GROUP,
        "member_or_starter": GROUP,
        "initiator": ("initiator",),
        "staff": STAFF,
        "admin": ("admin",),
        # the world's initiative is looked after by the role "coach"; admins count as coaches
        "coach_thread": ("initiator", *STAFF),
        "group_or_staff": (*GROUP, *STAFF),
    }[rule]
    if role in allowed:
        return "pass"
    return "404" if rule in ("viewer", "signed_in_viewer") else "403"


def _cases():
    for route in ROUTES:
        for role in ROLES:
            yield pytest.param(route, role, id=f"{route.endpoint}:{route.method}:{role}")


def _is_login_redirect(response) -> bool:
    if response.status_code not in (301, 302, 303, 307, 308):
        return False
    return urlsplit(response.headers.get("Location", "")).path == "/login"


@pytest.mark.parametrize(("route", "role"), list(_cases()))
def test_route_answers_each_role_as_its_rule_says(
    web_app, people, emails, visitors, worlds, extra, route, role
):
    assert route.access != "MISSING", f"{route.endpoint} has no access rule"
    assert route.method in ("GET", "POST"), f"{route.endpoint}: unexpected method {route.method}"
    expected = expectation(route, role)
    visibility = "members" if route.access in ("viewer", "signed_in_viewer") else "public"
    changes = route.method == "POST" and expected == "pass"
    if changes:
        needs = route.blueprint == "maintenance" or {"task_id", "occurrence_id"} & set(
            route.arguments
        )
        world = build_world(web_app, people, visibility, role, maintenance=bool(needs))
    else:
        world = worlds[visibility]
    url = build_url(web_app, route, world, extra)
    visitor = visitors[role]
    if route.endpoint in SIGNS_OUT and role != "anonymous":
        visitor = _visit_as(web_app, emails[role])
    client = visitor.client(web_app)
    try:
        if route.method == "GET":
            response = client.get(url)
        else:
            response = client.post(url, data={"csrf_token": visitor.csrf})
    except Exception as exc:  # noqa: BLE001 - TESTING propagates a server error: say where
        pytest.fail(f"{route.method} {url} as {role} raised {type(exc).__name__}: {exc}")
    response.close()  # static files are streamed: close them
    status = response.status_code
    where = (
        f"{route.method} {url} ({route.endpoint}, rule {route.access!r}) as {role}: "
        f"got {status} {response.headers.get('Location', '')}"
    )
    # /readyz says 503 by design while no scheduler sweeps (tests/web/ops/test_readyz.py)
    assert status < 500 or (route.endpoint == "main.readyz" and status == 503), where
    if expected == "public":
        assert status not in (401, 403), where
    elif expected == "login":
        assert _is_login_redirect(response), f"{where}; expected a redirect to /login"
    elif expected == "403":
        assert status == 403, f"{where}; expected 403"
    elif expected == "404":
        assert status == 404, f"{where}; expected 404 (hidden initiative)"
    else:
        assert status not in (401, 403, 404), f"{where}; expected to pass"
        assert not _is_login_redirect(response), f"{where}; expected to pass, not to log in"
    if route.endpoint in SIGNS_OUT and role != "anonymous":  # every session may have ended
        visitors[role] = _visit_as(web_app, emails[role])


def test_every_endpoint_has_a_rule_and_the_test_sees_it():
    from web.access import RULES

    assert {r.endpoint for r in ROUTES} == {e for e, r in RULES.items() if r != "api"}
    assert {r.access for r in ROUTES} <= {
        "public", "login", "viewer", "signed_in_viewer", "member", "member_or_starter",
        "initiator", "staff", "admin", "coach_thread", "group_or_staff",
    }  # fmt: skip


def test_a_view_takes_exactly_one_access_rule():
    from web import access

    def view():
        return "page"

    with pytest.raises(RuntimeError, match="two access rules: member and staff"):
        access.staff(access.member(view))
