"""A turn changes hands: the board (or an initiator) gives it directly; a volunteer asks the
other person, who says yes or no on the overview page; the asker can withdraw the question."""

from __future__ import annotations

from flask import abort, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from engine.db import utcnow
from engine.errors import NotFound, PermissionDenied, VerbindingError
from engine.maintenance.association import get_association, members_of
from engine.maintenance.queries import swap_candidates
from engine.maintenance.roles import OWN_TURN_SWAP
from engine.maintenance.rota import reassign_turn, swap_turns
from engine.maintenance.swaps import (
    ANSWER_ONLY,
    WITHDRAW_ONLY,
    accept_swap,
    decline_swap,
    get_swap,
    propose_swap,
    withdraw_swap,
)
from engine.models import Occurrence, SwapProposal
from web import access
from web.database import db
from web.form_action import form_action
from web.i18n import render_msg
from web.maintenance.forms import SwapAnswerForm, SwapForm, SwapWithdrawForm
from web.maintenance.routes import (
    PREFIX,
    bp,
    can_manage,
    forbidden,
    load_turn,
    my_id,
    my_standing,
    page,
    today,
)


def refusal_status(error: VerbindingError) -> int:
    """A refusal of the form on its own page: 403 when it is not the visitor's to do."""
    return 403 if isinstance(error, PermissionDenied) else 400


def _overview(initiative_id: int) -> str:
    return url_for("maintenance.overview_page", initiative_id=initiative_id, _anchor="swaps")


def _task_url(turn: Occurrence) -> str:
    return url_for(
        "maintenance.task",
        initiative_id=turn.initiative_id,
        task_id=turn.task_id,
        _anchor=f"turn-{turn.id}",
    )


@bp.route(PREFIX + "/turns/<int:occurrence_id>/swap", methods=["GET", "POST"])
@access.member
def swap(initiative_id: int, occurrence_id: int):
    """The board changes the turn directly; its volunteer asks someone instead."""
    turn = load_turn(initiative_id, occurrence_id)
    direct = can_manage()
    if not direct and not my_standing().asks_swap(own=turn.assignee_id == my_id()):
        return forbidden(render_msg(OWN_TURN_SWAP))
    others = swap_candidates(db(), turn, today(), others_only=not direct)
    association = get_association(db(), initiative_id)
    members = members_of(db(), association.id) if association else []
    people = [m.person for m in members if m.person_id != turn.assignee_id]
    form = SwapForm()

    def again(status: int, _error: VerbindingError | None = None) -> ResponseReturnValue:
        return page(
            "swap.html", status, turn=turn, others=others, people=people, form=form, direct=direct
        )

    if request.method == "GET":
        return again(200)
    other_id, person_id = form.target()
    person = current_user.person
    if direct and person_id is not None:
        name = next((p.name for p in people if p.id == person_id), "")
        return form_action(
            form,
            lambda session: reassign_turn(
                session, person, initiative_id, turn.id, person_id, now=utcnow()
            ),
            done=_("The turn is given to %(name)s.", name=name),
            to=_task_url(turn),
            again=again,
            fields={"person_id": "other"},
            status=refusal_status,
        )
    if direct:
        return form_action(
            form,
            lambda session: swap_turns(
                session, person, initiative_id, turn.id, other_id or 0, now=utcnow()
            ),
            done=_("The turns are swapped."),
            to=_task_url(turn),
            again=again,
            fields={"other_id": "other"},
            status=refusal_status,
        )

    def ask(session: Session) -> SwapProposal:
        return propose_swap(
            session, person, initiative_id, turn.id, other_id=other_id, person_id=person_id,
            note=form.note.data, now=utcnow(),
        )  # fmt: skip

    return form_action(
        form,
        ask,
        done=lambda proposal: _(
            "Your question is on its way to %(name)s. The turn changes hands only when they agree.",
            name=proposal.recipient.name,
        ),
        to=_overview(initiative_id),
        again=again,
        fields={"other_id": "other"},
        status=refusal_status,
    )


def _load_swap(initiative_id: int, swap_id: int | None) -> SwapProposal:
    try:
        return get_swap(db(), initiative_id, swap_id or 0)
    except NotFound:
        abort(404)


@bp.post(PREFIX + "/swaps/answer")
@access.member
def answer_swap(initiative_id: int):
    """The one asked says yes (the turns change hands now) or no."""
    form = SwapAnswerForm()
    if form.validate_on_submit():
        proposal = _load_swap(initiative_id, form.swap.data)
        if proposal.recipient_id != my_id():
            return forbidden(render_msg(ANSWER_ONLY.with_params(name=proposal.recipient.name)))
    accepting = form.answer.data == "accept"
    return form_action(
        form,
        lambda session: (accept_swap if accepting else decline_swap)(
            session, current_user.person, initiative_id, form.swap.data, now=utcnow()
        ),
        done=(
            _("You agreed: the turns have changed hands.")
            if accepting
            else _("You said no; nothing changes.")
        ),
        to=_overview(initiative_id),
    )


@bp.post(PREFIX + "/swaps/withdraw")
@access.member
def withdraw(initiative_id: int):
    """The asker takes the question back."""
    form = SwapWithdrawForm()
    if form.validate_on_submit():
        proposal = _load_swap(initiative_id, form.swap.data)
        if proposal.proposer_id != my_id():
            return forbidden(render_msg(WITHDRAW_ONLY))
    return form_action(
        form,
        lambda session: withdraw_swap(
            session, current_user.person, initiative_id, form.swap.data, now=utcnow()
        ),
        done=_("Your question is withdrawn."),
        to=_overview(initiative_id),
    )
