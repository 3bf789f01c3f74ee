"""Who may open which page: every view declares its rule here, in one place.

Each view is wrapped in exactly one rule. Rules on routes with ``<initiative_id>`` load the
initiative first (404 if it does not exist or is hidden from the visitor), put it in
``g.initiative`` with the visitor's role in ``g.member_role``, then check access:

* ``public``    — anyone;
* ``login``     — any logged-in person;
* ``viewer``    — anyone who may see the initiative (public, or member, or staff);
* ``signed_in_viewer`` — a logged-in person who may see the initiative: a neighbour who
  answers a meeting or supports the plan;
* ``member``    — the resident group (initiator, member, partner): they change their process;
* ``member_or_starter`` — the resident group, or the process coach who started the initiative
  on behalf of residents while none of them has joined yet (its basics, its invitations);
* ``initiator`` — initiators only (roles in the group);
* ``staff``     — coaches and admins;
* ``group_or_staff`` — the group (any role in it) and the municipality's staff: what is
  private to the group and its coaches (a survey's answers line by line);
* ``coach_thread`` — the initiators and the area's process coaches (their private thread);
* ``admin``     — admins only.

A missing login answers with a redirect to the login page; a logged-in person without the
right answers 403. ``RULES`` maps endpoint → rule, so a test can walk every route.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import abort, g, request
from flask_login import current_user

from engine.discussions.queries import standing
from engine.models import Initiative
from engine.operations.common import initiative_and_role
from engine.operations.membership import stands_in_for
from engine.permissions import (
    can_change,
    can_manage_members,
    can_read_private,
    can_view,
    is_staff,
)
from web.database import db
from web.extensions import login_manager

#: endpoint name → rule, filled as the blueprints are imported
RULES: dict[str, str] = {}


def _person():
    return current_user.person if current_user.is_authenticated else None


def load_initiative(initiative_id: int) -> tuple[Initiative, str | None]:
    """The initiative and the visitor's role in it; 404 when it is not there for them."""
    person = _person()
    initiative, role = initiative_and_role(
        db(),
        initiative_id,
        person.id if person else None,
        for_change=request.method == "POST",  # a form: its operation runs in this transaction
    )
    if initiative is None:
        abort(404)
    if not can_view(initiative, person, role):
        abort(404)
    g.initiative, g.member_role = initiative, role
    return initiative, role


def _rule(name: str, check: Callable[[str | None], bool] | None, needs_login: bool):
    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        given = getattr(view, "access_rule", None)
        if given is not None:  # one rule per view: two would make the outer one silently win
            raise RuntimeError(f"{view.__name__} has two access rules: {given} and {name}")

        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if needs_login and not current_user.is_authenticated:
                return login_manager.unauthorized()
            if "initiative_id" in kwargs:
                _, role = load_initiative(kwargs["initiative_id"])
                if check is not None and not check(role):
                    if not current_user.is_authenticated:
                        return login_manager.unauthorized()
                    abort(403)
            elif check is not None and not check(None):
                abort(403)
            return view(*args, **kwargs)

        # a mark on the view function, read back by register_rules; functions take any attribute
        wrapper.access_rule = name  # type: ignore[attr-defined]
        return wrapper

    return decorator


def _staff(_role: str | None) -> bool:
    return is_staff(_person())


def _member_or_starter(role: str | None) -> bool:
    return can_change(role) or stands_in_for(db(), g.initiative, _person())


def _coach_thread(role: str | None) -> bool:
    return standing(db(), g.initiative, _person(), role, known=True).reads("coaches")


def _group_or_staff(role: str | None) -> bool:
    return can_read_private(_person(), role)


def _admin(_role: str | None) -> bool:
    person = _person()
    return person is not None and person.role == "admin"


public = _rule("public", None, needs_login=False)
login = _rule("login", None, needs_login=True)
viewer = _rule("viewer", None, needs_login=False)
signed_in_viewer = _rule("signed_in_viewer", None, needs_login=True)
member = _rule("member", can_change, needs_login=True)
member_or_starter = _rule("member_or_starter", _member_or_starter, needs_login=True)
initiator = _rule("initiator", can_manage_members, needs_login=True)
staff = _rule("staff", _staff, needs_login=True)
coach_thread = _rule("coach_thread", _coach_thread, needs_login=True)
group_or_staff = _rule("group_or_staff", _group_or_staff, needs_login=True)
admin = _rule("admin", _admin, needs_login=True)


def register_rules(app) -> None:
    """Record every endpoint's rule; refuse to start if a view has none."""
    missing = []
    for endpoint, view in app.view_functions.items():
        rule = getattr(view, "access_rule", None)
        if rule is None:
            if endpoint == "static":
                rule = "public"
            else:
                missing.append(endpoint)
                continue
        RULES[endpoint] = rule
    if missing:
        raise RuntimeError(f"views without an access rule in web/access.py: {sorted(missing)}")
