"""Driving an initiative: moves, pause and resume, steps, group decisions and votes.

Each view does what the page's view does: the initiative as the caller may see it (404), the
same rule from ``engine.permissions`` (403), then ONE engine operation, which checks again.
"""

from __future__ import annotations

from flask_babel import gettext as _

from engine.models import Decision, Initiative, Person, Step
from engine.operations import (
    add_step,
    cast_vote,
    close_decision,
    complete_step,
    fire_transition,
    open_decision,
    pause_initiative,
    remove_step,
    resume_initiative,
    update_step,
)
from engine.permissions import can_change
from web.api import auth, inputs, present, schemas
from web.api.auth import ApiRefusal
from web.api.common import TOKEN, blueprint, expected, now, run
from web.api.problems import problem, titles
from web.database import db

moves = blueprint("moves", "Moving an initiative on, pausing and resuming it")
steps = blueprint("steps", "The residents' own steps in a stage")
decisions = blueprint("decisions", "Group decisions that some moves need, and votes")
BLUEPRINTS = (moves, steps, decisions)
ERRORS = ((403, "FORBIDDEN"), (404, "NOT_FOUND"), (409, "CONFLICT"), (422, "UNPROCESSABLE_ENTITY"))


def documented(blp):
    """The errors every change may answer, in the document."""

    def decorator(view):
        for status, name in ERRORS:
            view = blp.alt_response(status, response=name)(view)
        return blp.doc(security=TOKEN)(view)

    return decorator


def group_member(initiative_id: int) -> tuple[Person, Initiative]:
    """The caller, who may change this initiative (the pages' ``member`` rule)."""
    actor = auth.writer()
    initiative, role = auth.visible_initiative(initiative_id)
    if not can_change(role):
        raise ApiRefusal(
            problem(403, titles()["forbidden"],
                    _("Only the members of this initiative can change it."), kind="forbidden")
        )  # fmt: skip
    return actor, initiative


def _step(step: Step) -> dict:
    owner = db().get(Person, step.owner_id) if step.owner_id else None
    return present.step(step, owner.name if owner else None)


# --- moves, pause and resume --------------------------------------------------------------------


@moves.route("/initiatives/<int:initiative_id>/moves/<trigger>", methods=["POST"])
@moves.arguments(inputs.FireMove)
@moves.response(200, schemas.Fired)
@documented(moves)
def fire(body, initiative_id: int, trigger: str):
    """Make a move. Blocked: 409 with the guards' ``reasons``; stale version: 409."""
    actor, _i = group_member(initiative_id)
    fired = run(
        fire_transition, actor, initiative_id, trigger, now(), note=body.get("note"),
        expected_version=expected(body.get("expected_version")),
        open_steps=body["open_steps"], expected_open_steps=body.get("expected_open_steps"),
    )  # fmt: skip
    return {
        "initiative_id": fired.initiative_id, "trigger": fired.trigger,
        "from_stage": fired.from_stage, "to_stage": fired.to_stage, "version": fired.version,
        "carried_steps": list(fired.carried), "closed_steps": list(fired.closed),
    }  # fmt: skip


@moves.route("/initiatives/<int:initiative_id>/pause", methods=["POST"])
@moves.arguments(inputs.Pause)
@moves.response(200, schemas.Created)
@documented(moves)
def pause(body, initiative_id: int):
    """Pause the group's process: no reminders, no stall, no decision closes."""
    actor, _i = group_member(initiative_id)
    done = run(
        pause_initiative, actor, initiative_id, reason=body["reason"], now=now(),
        expected_version=expected(body.get("expected_version")),
    )  # fmt: skip
    return {"id": done.id, "version": done.version}


@moves.route("/initiatives/<int:initiative_id>/resume", methods=["POST"])
@moves.arguments(inputs.Resume)
@moves.response(200, schemas.Created)
@documented(moves)
def resume(body, initiative_id: int):
    """Resume; with ``shift_dates`` the group's dates move by the paused time."""
    actor, _i = group_member(initiative_id)
    done = run(
        resume_initiative, actor, initiative_id, now=now(), shift_dates=body["shift_dates"],
        note=body.get("note"), expected_version=expected(body.get("expected_version")),
    )  # fmt: skip
    return {"id": done.id, "version": done.version}


# --- steps --------------------------------------------------------------------------------------


@steps.route("/initiatives/<int:initiative_id>/steps", methods=["POST"])
@steps.arguments(inputs.NewStep)
@steps.response(201, schemas.StepOut)
@documented(steps)
def create_step(body, initiative_id: int):
    """Add a step to a stage."""
    actor, _i = group_member(initiative_id)
    step = run(
        add_step, actor, initiative_id, stage_key=body["stage"], title=body["title"],
        owner_id=body["owner_id"], due_date=body["due_date"], now=now(),
        fields={"stage_key": "stage"},
    )  # fmt: skip
    return _step(step)


@steps.route("/initiatives/<int:initiative_id>/steps/<int:step_id>", methods=["PUT"])
@steps.arguments(inputs.StepChange)
@steps.response(200, schemas.StepOut)
@documented(steps)
def change_step(body, initiative_id: int, step_id: int):
    """Change a step's title, owner and due date (``expected_version``: the step's)."""
    actor, _i = group_member(initiative_id)
    step = run(
        update_step, actor, initiative_id, step_id, title=body["title"],
        owner_id=body["owner_id"], due_date=body["due_date"], now=now(),
        expected_version=expected(body.get("expected_version")),
    )  # fmt: skip
    return _step(step)


@steps.route("/initiatives/<int:initiative_id>/steps/<int:step_id>/done", methods=["POST"])
@steps.arguments(inputs.Versioned)
@steps.response(200, schemas.StepOut)
@documented(steps)
def finish_step(body, initiative_id: int, step_id: int):
    """Mark a step done."""
    actor, _i = group_member(initiative_id)
    step = run(
        complete_step, actor, initiative_id, step_id, now(),
        expected_version=expected(body.get("expected_version")),
    )  # fmt: skip
    return _step(step)


@steps.route("/initiatives/<int:initiative_id>/steps/<int:step_id>", methods=["DELETE"])
@steps.response(204)
@documented(steps)
def delete_step(initiative_id: int, step_id: int):
    """Remove a step (``If-Match``: the step's version)."""
    actor, _i = group_member(initiative_id)
    run(remove_step, actor, initiative_id, step_id, now(), expected_version=expected(None))
    return None


# --- decisions and votes ------------------------------------------------------------------------


def _decision(initiative_id: int, decision_id: int) -> Decision:
    decision = db().get(Decision, decision_id)
    if decision is None or decision.initiative_id != initiative_id:
        raise auth.not_found()
    return decision


@decisions.route("/initiatives/<int:initiative_id>/moves/<trigger>/decision", methods=["POST"])
@decisions.arguments(inputs.OpenDecision)
@decisions.response(201, schemas.DecisionState)
@documented(decisions)
def open_one(body, initiative_id: int, trigger: str):
    """Open the group decision a move needs; its electorate is the group now."""
    actor, _i = group_member(initiative_id)
    made = run(
        open_decision, actor, initiative_id, trigger, now(), question=body["question"],
        expected_version=expected(body.get("expected_version")),
    )  # fmt: skip
    return {"id": made.id, "status": made.status}


@decisions.route(
    "/initiatives/<int:initiative_id>/decisions/<int:decision_id>/votes", methods=["POST"]
)
@decisions.arguments(inputs.VoteIn)
@decisions.response(200, schemas.DecisionState)
@documented(decisions)
def vote(body, initiative_id: int, decision_id: int):
    """Cast (or change) one's vote."""
    actor, _i = group_member(initiative_id)
    _decision(initiative_id, decision_id)
    done = run(
        cast_vote, actor, decision_id, body["choice"], now(), comment=body.get("comment"),
    )  # fmt: skip
    return {"id": done.id, "status": done.status}


@decisions.route(
    "/initiatives/<int:initiative_id>/decisions/<int:decision_id>/close", methods=["POST"]
)
@decisions.arguments(inputs.Versioned)
@decisions.response(200, schemas.DecisionState)
@documented(decisions)
def close(body, initiative_id: int, decision_id: int):
    """Close an open decision now (as its rule allows)."""
    actor, _i = group_member(initiative_id)
    _decision(initiative_id, decision_id)
    done = run(
        close_decision, actor, decision_id, now(),
        expected_version=expected(body.get("expected_version")),
    )  # fmt: skip
    return {"id": done.id, "status": done.status}
