"""Templates with their stage graph; initiatives: the list, one initiative, a new one."""

from __future__ import annotations

from flask import g

from engine.listing import ListFilters, list_page
from engine.operations import create_initiative
from engine.pages import load_page
from engine.workflows.versions import definition_of, latest_versions
from web.api import auth, inputs, present, schemas
from web.api.common import PUBLIC_OR_TOKEN, TOKEN, blueprint, now, run
from web.database import db

templates = blueprint("templates", "Process templates (procesjablonen) and their stage graph")
initiatives = blueprint("initiatives", "Initiatives: the list, one initiative, a new one")
BLUEPRINTS = (templates, initiatives)
HISTORY = 50


@templates.route("/templates", methods=["GET"])
@templates.doc(security=PUBLIC_OR_TOKEN, operationId="listTemplates")
@templates.response(200, schemas.Template(many=True))
def list_templates():
    """The newest version of every template, with its stages and moves."""
    return [present.template(definition_of(v), v.version) for v in latest_versions(db())]


@templates.route("/templates/<name>", methods=["GET"])
@templates.doc(security=PUBLIC_OR_TOKEN, operationId="getTemplate")
@templates.response(200, schemas.Template)
@templates.alt_response(404, response="NOT_FOUND")
def get_template(name: str):
    """One template's newest version."""
    row = next((v for v in latest_versions(db()) if v.name == name), None)
    if row is None:
        raise auth.not_found()
    return present.template(definition_of(row), row.version)


@initiatives.route("/initiatives", methods=["GET"])
@initiatives.doc(security=PUBLIC_OR_TOKEN, operationId="listInitiatives")
@initiatives.arguments(inputs.ListQuery, location="query", as_kwargs=True)
@initiatives.response(200, schemas.InitiativeList)
def list_initiatives(**query):
    """The initiatives the caller may see, by title, a page at a time (keyset: ``after`` /
    ``before`` an initiative's id), filtered as the public list."""
    filters = ListFilters(
        district_id=query.get("stadsdeel"),
        neighbourhood_id=query.get("wijk"),
        stage=query.get("stage"),
        workflow=query.get("template"),
        search=query.get("q", ""),
        after=query.get("after"),
        before=query.get("before"),
        per_page=query.get("per_page") or 24,
    )
    page = list_page(db(), auth.person(), filters)
    return {
        "items": [present.row(r) for r in page.rows],
        "next_after": page.next_after,
        "previous_before": page.previous_before,
    }


@initiatives.route("/initiatives", methods=["POST"])
@initiatives.doc(security=TOKEN, operationId="createInitiative")
@initiatives.arguments(inputs.NewInitiative)
@initiatives.response(201, schemas.Created)
def create(body):
    """Start an initiative (the caller becomes its initiator; a coach starts one on behalf of
    residents)."""
    actor = auth.writer()
    made = run(
        create_initiative, actor, workflow=body["template"], neighbourhood_id=body["wijk_id"],
        title=body["title"], description=body["description"], visibility=body["visibility"],
        join_policy=body["join_policy"], language=body["language"], now=now(),
        fields={"neighbourhood_id": "wijk_id"}, missing="template",
    )  # fmt: skip
    return {"id": made.id, "version": made.version}


@initiatives.route("/initiatives/<int:initiative_id>", methods=["GET"])
@initiatives.doc(security=PUBLIC_OR_TOKEN, operationId="getInitiative")
@initiatives.response(200, schemas.InitiativeOut)
@initiatives.alt_response(404, response="NOT_FOUND")
def get_initiative(initiative_id: int):
    """One initiative: its stages and steps, the possible moves and why they are blocked, the
    group, the decisions of this stage and the latest history. The ETag starts with the
    initiative's version: send it back as ``If-Match`` with a change."""
    initiative, _role = auth.visible_initiative(initiative_id)
    page = load_page(db(), initiative, auth.person(), history_limit=HISTORY)
    g.api_version = initiative.version
    return present.initiative(page)
