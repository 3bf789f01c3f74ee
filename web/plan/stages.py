"""The path and the pace: target dates, pause and resume, skipped and own stages."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.db import utcnow
from engine.operations import (
    insert_stage,
    pause_initiative,
    remove_stage,
    restore_stage,
    resume_initiative,
    set_target_date,
    skip_stage,
)
from web import access
from web.confirm import unconfirmed
from web.initiatives.forms import PlainForm
from web.initiatives.page import act, expected_version
from web.plan.forms import InsertStageForm, PauseForm, ResumeForm, SkipStageForm, TargetDateForm
from web.plan.routes import bp


@bp.post("/initiatives/<int:initiative_id>/stages/<stage_key>/target")
@access.member
def target(initiative_id: int, stage_key: str):
    key = f"target-{stage_key}"
    form = TargetDateForm()
    saved = form.target_date.data is not None
    done = _("The target date is saved.") if saved else _("The target date is cleared.")
    return act(
        key, form, set_target_date, current_user.person, initiative_id, stage_key=stage_key,
        target_date=form.target_date.data, now=utcnow(),
        expected_version=expected_version(form), done=done, anchor=f"stage-{stage_key}",
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/stages/<stage_key>/skip")
@access.member
def skip(initiative_id: int, stage_key: str):
    key = f"skip-{stage_key}"
    form = SkipStageForm()
    return act(
        key, form, skip_stage, current_user.person, initiative_id, stage_key, utcnow(),
        note=(form.note.data or "").strip() or None, expected_version=expected_version(form),
        done=_("The stage is taken out of the path."), anchor=f"stage-{stage_key}",
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/stages/<stage_key>/restore")
@access.member
def restore(initiative_id: int, stage_key: str):
    key = f"restore-{stage_key}"
    form = PlainForm()
    return act(
        key, form, restore_stage, current_user.person, initiative_id, stage_key, utcnow(),
        expected_version=expected_version(form), done=_("The stage is back on the path."),
        anchor=f"stage-{stage_key}",
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/stages/<stage_key>/insert")
@access.member
def insert(initiative_id: int, stage_key: str):
    key = f"insert-{stage_key}"
    form = InsertStageForm()
    return act(
        key, form, insert_stage, current_user.person, initiative_id, after=stage_key,
        title=form.title.data, description=form.description.data or "", now=utcnow(),
        expected_version=expected_version(form), done=_("Your own stage is on the path."),
        anchor="plan",
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/stages/<stage_key>/remove")
@access.member
def remove_own(initiative_id: int, stage_key: str):
    key = f"remove-{stage_key}"
    back = url_for("initiatives.show", initiative_id=initiative_id, _anchor="plan")
    if (refused := unconfirmed(back)) is not None:
        return refused
    form = PlainForm()
    return act(
        key, form, remove_stage, current_user.person, initiative_id, stage_key, utcnow(),
        expected_version=expected_version(form), done=_("The own stage is removed."),
        anchor="plan",
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/pause")
@access.member
def pause(initiative_id: int):
    form = PauseForm()
    return act(
        "pause", form, pause_initiative, current_user.person, initiative_id,
        reason=form.reason.data, now=utcnow(), expected_version=expected_version(form),
        done=_("The initiative is paused. No reminders go out until the group resumes."),
        anchor="pace",
    )  # fmt: skip


@bp.post("/initiatives/<int:initiative_id>/resume")
@access.member
def resume(initiative_id: int):
    form = ResumeForm()
    return act(
        "resume", form, resume_initiative, current_user.person, initiative_id, now=utcnow(),
        shift_dates=bool(form.shift_dates.data), note=(form.note.data or "").strip() or None,
        expected_version=expected_version(form), done=_("Welcome back: the initiative resumes."),
        anchor="pace",
    )  # fmt: skip
