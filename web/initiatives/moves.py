"""Next moves and the group decisions some of them need."""

from __future__ import annotations

from flask import abort, request
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from engine.db import utcnow
from engine.models import Decision
from engine.operations import cast_vote, close_decision, fire_transition, open_decision
from engine.operations.decisions import CHOICES
from engine.operations.open_steps import CARRY
from engine.operations.transitions import Fired
from web import access
from web.database import db
from web.initiatives.forms import MoveForm, OpenDecisionForm, PlainForm, VoteForm
from web.initiatives.page import act, expected_version
from web.initiatives.routes import bp


def _decision(initiative_id: int, decision_id: int) -> Decision:
    decision = db().get(Decision, decision_id)
    if decision is None or decision.initiative_id != initiative_id:
        abort(404)
    return decision


def _moved(fired: Fired) -> str:
    """What the group hears after a move, with what became of the open steps."""
    if fired.carried:
        return ngettext(
            "The initiative has moved on. The open step went along.",
            "The initiative has moved on. %(num)d open steps went along.",
            len(fired.carried),
        )
    if fired.closed:
        return ngettext(
            "The initiative has moved on. The open step is closed.",
            "The initiative has moved on. %(num)d open steps are closed.",
            len(fired.closed),
        )
    return _("The initiative has moved on.")


@bp.post("/initiatives/<int:initiative_id>/moves/<trigger>")
@access.member
def fire(initiative_id: int, trigger: str):
    key = f"move-{trigger}"
    form = MoveForm()
    return act(
        key, form, fire_transition, current_user.person, initiative_id, trigger, utcnow(),
        note=(form.note.data or "").strip() or None, expected_version=expected_version(form),
        open_steps=form.open_steps.data or CARRY,
        expected_open_steps=form.seen_steps(request.form), done=_moved, anchor="now",
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/moves/<trigger>/decision")
@access.member
def decide(initiative_id: int, trigger: str):
    key = f"decide-{trigger}"
    form = OpenDecisionForm()
    return act(
        key, form, open_decision, current_user.person, initiative_id, trigger, utcnow(),
        question=form.question.data, expected_version=expected_version(form),
        done=_("The group decision is open. Everyone in the group can now vote."),
        anchor=f"move-{trigger}",
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/decisions/<int:decision_id>/vote")
@access.member
def vote(initiative_id: int, decision_id: int):
    decision = _decision(initiative_id, decision_id)
    key = f"vote-{decision_id}"
    form = VoteForm().set_choices(CHOICES[decision.rule])
    return act(
        key, form, cast_vote, current_user.person, decision_id, form.choice.data, utcnow(),
        comment=form.comment.data, done=_("Your vote is counted."),
        anchor=f"move-{decision.trigger}",
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/decisions/<int:decision_id>/close")
@access.member
def close(initiative_id: int, decision_id: int):
    decision = _decision(initiative_id, decision_id)
    key = f"close-{decision_id}"
    form = PlainForm()
    return act(
        key, form, close_decision, current_user.person, decision_id, utcnow(),
        expected_version=expected_version(form), done=_("The decision is closed."),
        anchor=f"move-{decision.trigger}",
    )  # fmt: skip
