"""Accounts and roles: an admin makes someone a resident, a process coach or an admin."""

from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.coach.queries import people_page
from engine.db import utcnow
from engine.models.people import STAFF_ROLES as ROLES
from engine.operations import change_role
from engine.wording import ACCOUNT_ROLES
from web import access
from web.database import db
from web.form_action import form_action
from web.i18n import render_msg
from web.inputs import query_count
from web.safety import safe_next

bp = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50


def role_label(role: str) -> str:
    found = ACCOUNT_ROLES.get(role)
    return render_msg(found) if found is not None else role


bp.add_app_template_filter(role_label, "role_label")


@bp.get("/people")
@access.admin
def people():
    search = request.args.get("q", "")
    role = request.args.get("role") if request.args.get("role") in ROLES else None
    page = max(query_count("page", 1), 1)
    rows, total = people_page(db(), search=search, role=role, page=page, per_page=PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    args = {k: v for k, v in {"q": search, "role": role}.items() if v}
    return render_template(
        "admin/people.html",
        rows=rows,
        total=total,
        page=min(page, pages),
        pages=pages,
        search=search,
        role=role,
        roles=ROLES,
        args=args,
        me=current_user.person.id,
    )


@bp.post("/people/<int:person_id>/role", endpoint="change_role")
@access.admin
def change_role_view(person_id: int):
    role = request.form.get("role", "")
    target = request.form.get("next")
    back = safe_next(target) if target else url_for("admin.people")
    return form_action(
        None,
        lambda session: change_role(session, current_user.person, person_id, role, utcnow()),
        done=lambda person: _(
            "%(name)s is now: %(role)s.", name=person.name, role=role_label(person.role)
        ),
        to=back,
    )
