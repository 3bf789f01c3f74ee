from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session
from flask_login import current_user
from sqlalchemy import text

from engine.i18n import LOCALES
from engine.listing import overview, places
from web import access
from web.database import db
from web.inputs import query_id
from web.safety import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
@access.public
def home():
    district = query_id("stadsdeel")
    wijk = query_id("wijk")
    data = overview(db(), current_user.person, district_id=district, neighbourhood_id=wijk)
    return render_template(
        "main/home.html", data=data, places=places(db()), district=district, wijk=wijk
    )


@bp.get("/language/<code>")
@access.public
def language(code: str):
    if code in LOCALES:
        session["locale"] = code
    return redirect(safe_next(request.args.get("next")))


@bp.get("/healthz")
@access.public
def healthz():
    db().execute(text("select 1"))
    return {"status": "ok"}
