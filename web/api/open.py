"""Open data: the public initiatives per wijk and stage, as JSON and CSV (no personal data)."""

from __future__ import annotations

from dataclasses import asdict

from flask import Response
from marshmallow import Schema, fields, validate

from engine.opendata import counts_csv, stage_counts
from web.api import schemas
from web.api.common import blueprint
from web.database import db

opendata = blueprint("open-data", "Open data: anonymised counts, free to reuse")
BLUEPRINTS = (opendata,)
LICENCE = "CC0-1.0"
DESCRIPTION = (
    "Public initiatives per wijk, template and stage; stages the residents added themselves "
    "count together as 'own'. Counts only: no names, no titles, no personal data."
)


class CsvQuery(Schema):
    dialect = fields.String(
        validate=validate.OneOf(("nl", "plain")), load_default="nl",
        metadata={"description": "nl: semicolons and a byte-order mark (Dutch spreadsheets); "
                                 "plain: commas"},
    )  # fmt: skip


@opendata.route("/open-data/initiatives-per-stage", methods=["GET"])
@opendata.doc(security=[{}])
@opendata.response(200, schemas.OpenData)
def per_stage_json():
    """The counts as JSON."""
    rows = [asdict(r) for r in stage_counts(db())]
    return {"licence": LICENCE, "description": DESCRIPTION, "rows": rows}


@opendata.route("/open-data/initiatives-per-stage.csv", methods=["GET"])
@opendata.doc(
    security=[{}],
    responses={
        "200": {
            "description": "The counts as CSV",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
    },
)
@opendata.arguments(CsvQuery, location="query", as_kwargs=True)
def per_stage_csv(dialect: str):
    """The counts as CSV, in the Dutch dialect (default) or plain."""
    body = counts_csv(stage_counts(db()), dutch=dialect == "nl")
    return Response(
        body.encode("utf-8"),
        mimetype="text/csv",
        headers={
            "Content-Disposition": "attachment; filename=initiatieven-per-fase.csv",
            "Content-Type": "text/csv; charset=utf-8",
        },
    )
