"""Support requests (residents file, coaches answer), the caller's notification preferences,
and the coaches' caseload and city overview."""

from __future__ import annotations

from collections.abc import Callable

from flask_babel import gettext as _

from engine.coach.caseload import Filters, caseload
from engine.coach.overview import city_overview
from engine.coach.queries import requests_of
from engine.db import utcnow
from engine.errors import NotFound
from engine.models import SupportRequest
from engine.operations import (
    accept_support_request,
    acknowledge_support_request,
    decline_support_request,
    deliver_support_request,
    file_support_request,
)
from engine.operations.support import get_support_request
from engine.permissions import is_staff
from engine.reminders.preferences import modes_of, set_preferences
from web.api import auth, inputs, present, schemas
from web.api.auth import ApiRefusal
from web.api.common import PUBLIC_OR_TOKEN, TOKEN, blueprint, expected, now, run
from web.api.problems import problem, titles
from web.api.process import documented, group_member
from web.coach.routes import label
from web.database import db

support = blueprint("support", "Support requests: residents ask, the municipality answers")
me = blueprint("me", "The caller's own settings")
coach = blueprint("coach", "For process coaches: the caseload and the city overview")
BLUEPRINTS = (support, me, coach)


def _staff():
    """The caller, a process coach or an admin (the pages' ``staff`` rule)."""
    actor = auth.signed_in()
    if not is_staff(actor):
        raise ApiRefusal(
            problem(403, titles()["forbidden"], _("Only process coaches can do this."),
                    kind="forbidden")
        )  # fmt: skip
    return actor


@support.route("/initiatives/<int:initiative_id>/support-requests", methods=["GET"])
@support.doc(security=PUBLIC_OR_TOKEN)
@support.response(200, schemas.SupportOut(many=True))
@support.alt_response(404, response="NOT_FOUND")
def list_requests(initiative_id: int):
    """An initiative's support requests: open ones first."""
    auth.visible_initiative(initiative_id)
    return [present.support(r) for r in requests_of(db(), initiative_id)]


@support.route("/initiatives/<int:initiative_id>/support-requests", methods=["POST"])
@support.arguments(inputs.FileSupport)
@support.response(201, schemas.SupportOut)
@documented(support)
def file_request(body, initiative_id: int):
    """File a support request (the municipality answers within its respond-by date)."""
    actor, _i = group_member(initiative_id)
    made = run(
        file_support_request, actor, initiative_id, kind=body["kind"],
        description=body["description"], stage_key=body.get("stage"), now=now(),
        fields={"stage_key": "stage"},
    )  # fmt: skip
    return present.support(made)


ANSWERS: dict[str, tuple[Callable[..., SupportRequest], str]] = {
    "acknowledge": (acknowledge_support_request, "note"),
    "accept": (accept_support_request, "note"),
    "decline": (decline_support_request, "reason"),
    "deliver": (deliver_support_request, "note"),
}


@support.route(
    "/initiatives/<int:initiative_id>/support-requests/<int:request_id>/answer", methods=["POST"]
)
@support.arguments(inputs.AnswerSupport)
@support.response(200, schemas.SupportOut)
@documented(support)
def answer(body, initiative_id: int, request_id: int):
    """A coach acknowledges, accepts, declines (``note`` is the reason) or delivers."""
    actor = _staff()
    auth.writer()
    auth.visible_initiative(initiative_id)
    try:
        row = get_support_request(db(), request_id, initiative_id)
    except NotFound as error:  # not there, or another initiative's
        raise auth.not_found() from error
    operation, name = ANSWERS[body["action"]]
    version = expected(body.get("expected_version"))
    done = run(
        operation, actor, row.id, now=now(), expected_version=version,
        fields={name: "note"}, **{name: body.get("note") or ""},
    )  # fmt: skip
    return present.support(done)


@me.route("/me/preferences", methods=["GET"])
@me.doc(security=TOKEN)
@me.response(200, schemas.Preferences)
def preferences():
    """How the caller wants each kind of notification and reminder, and their language."""
    actor = auth.signed_in()
    return {"locale": actor.locale, "modes": modes_of(db(), actor)}


@me.route("/me/preferences", methods=["PUT"])
@me.arguments(inputs.PreferencesIn)
@me.response(200, schemas.Preferences)
@documented(me)
def change_preferences(body):
    """Change some kinds (``immediate``, ``daily``, ``weekly``, ``off``) and/or the language."""
    actor = auth.writer()
    modes = run(
        set_preferences, actor, modes=body["modes"], locale=body.get("locale"), now=now(),
        fields={"modes": "modes"},
    )  # fmt: skip
    return {"locale": actor.locale, "modes": modes}


@coach.route("/coach/caseload", methods=["GET"])
@coach.doc(security=TOKEN)
@coach.arguments(inputs.CaseloadQuery, location="query", as_kwargs=True)
@coach.response(200, schemas.CaseloadOut)
@coach.alt_response(403, response="FORBIDDEN")
def caseload_page(**query):
    """Every initiative with its stage, pace and health signals, filtered and sorted as the
    coach's caseload page, a page at a time."""
    _staff()
    filters = Filters(
        district_id=query.get("stadsdeel"), neighbourhood_id=query.get("wijk"),
        workflow=query.get("template"), stage=query.get("stage"), status=query.get("status"),
        coach_id=query.get("coach"), search=query.get("q", ""),
        sort=query.get("sort", "last_activity"), direction=query.get("dir", "asc"),
        page=query.get("page", 1), per_page=query.get("per_page", 25),
    )  # fmt: skip
    found = caseload(db(), filters, now=utcnow())
    return {
        "items": [present.caseload_row(r) for r in found.rows],
        "total": found.total, "page": found.filters.page, "pages": found.pages,
        "per_page": found.filters.per_page,
    }  # fmt: skip


@coach.route("/coach/overview", methods=["GET"])
@coach.doc(security=TOKEN)
@coach.response(200, schemas.OverviewOut)
@coach.alt_response(403, response="FORBIDDEN")
def overview():
    """The city in figures: initiatives per stage and stadsdeel, days spent in each stage,
    support requests answered on time."""
    _staff()
    found = city_overview(db(), now=utcnow())
    titles_of = {key: label(title) for key, title in found.stages}
    on_time = found.on_time
    return {
        "total": found.total,
        "counts": [
            {"stage": stage, "title": titles_of.get(stage, stage), "stadsdeel": district,
             "initiatives": n}
            for (stage, district), n in sorted(found.counts.items())
        ],  # fmt: skip
        "days_in_stage": [
            {"stage": s.key, "title": label(s.title), "stays": s.stays, "median": s.median,
             "q1": s.q1, "q3": s.q3}
            for s in found.spreads
        ],  # fmt: skip
        "support_on_time": {
            "answered_on_time": on_time.answered_on_time, "answered_late": on_time.answered_late,
            "waiting_in_time": on_time.waiting_in_time, "waiting_late": on_time.waiting_late,
        },
    }  # fmt: skip
