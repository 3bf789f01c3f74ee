from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session
from flask_login import current_user

from engine.bounds import MAX_ID
from engine.i18n import LOCALES
from engine.listing import PAGE_SIZES, ListFilters, list_page, places, stage_choices
from web import access
from web.database import db
from web.safety import safe_next

bp = Blueprint("main", __name__)


def _id(name: str) -> int | None:
    """A positive id from the query string; anything else counts as not given."""
    value = request.args.get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ID else None


def _filters() -> ListFilters:
    return ListFilters(
        district_id=_id("stadsdeel"),
        neighbourhood_id=_id("wijk"),
        stage=request.args.get("fase", "") or None,
        search=request.args.get("q", ""),
        after=_id("na"),
        before=_id("voor"),
        per_page=request.args.get("per_page", type=int) or 0,
    )


@bp.get("/")
@access.public
def home():
    page = list_page(db(), current_user.person, _filters())
    return render_template(
        "main/home.html",
        page=page,
        places=places(db()),
        stages=stage_choices(db()),
        page_sizes=PAGE_SIZES,
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
    """Alive: this process answers. Asks nothing of the database (a load balancer that
    restarted every worker while the database is away would help no one); /readyz does."""
    return {"status": "ok"}, 200, {"Cache-Control": "no-store"}


from web.main import about as _about  # noqa: E402, F401  (registers the statement pages)
from web.main import ops as _ops  # noqa: E402, F401  (/readyz and /metrics)
