"""Looking after the consultation: its author changes or deletes a post, the initiators and
coaches hide one, anyone signed in reports one, a report is closed.

The routes are on the consultation's blueprint (``consultation.hide`` and so on); they live
here to keep :mod:`web.consultation.routes` readable."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from engine.bounds import MAX_ID
from engine.consultations import moderation, own
from engine.db import utcnow
from engine.models.consultations import ConsultationReport
from web import access
from web.consultation.forms import EditForm, HideForm, PlainForm, ReportForm
from web.consultation.routes import (
    _again_post,
    _post_row,
    _to_post,
    _version,
    bp,
    page_url,
)
from web.database import db
from web.files import files
from web.form_action import form_action

# --- one's own post ---------------------------------------------------------------------------


@bp.post("/initiatives/<int:initiative_id>/consultation/posts/<int:post_id>/edit")
@access.login
def edit(initiative_id: int, post_id: int):
    post = _post_row(initiative_id, post_id)
    form = EditForm()
    return form_action(
        form,
        lambda session: own.edit_post(
            session,
            current_user.person,
            initiative_id=initiative_id,
            post_id=post.id,
            body=form.body.data,
            now=utcnow(),
            expected_version=_version(form),
        ),  # fmt: skip
        done=_("Your post is changed."),
        to=_to_post(post),
        again=_again_post(post, f"edit-{post.id}", form),
        summary=False,
    )


@bp.post("/initiatives/<int:initiative_id>/consultation/posts/<int:post_id>/delete")
@access.login
def delete(initiative_id: int, post_id: int):
    post = _post_row(initiative_id, post_id)
    form = PlainForm()
    return form_action(
        form,
        lambda session: own.delete_post(
            session,
            current_user.person,
            initiative_id=initiative_id,
            post_id=post.id,
            now=utcnow(),
            store=files(),
            expected_version=_version(form),
        ),  # fmt: skip
        done=_("Your post is deleted."),
        to=_to_post(post),
    )


# --- looking after it -------------------------------------------------------------------------


@bp.post("/initiatives/<int:initiative_id>/consultation/posts/<int:post_id>/hide")
@access.login
def hide(initiative_id: int, post_id: int):
    post = _post_row(initiative_id, post_id)
    form = HideForm()
    return form_action(
        form,
        lambda session: moderation.hide_post(
            session,
            current_user.person,
            initiative_id=initiative_id,
            post_id=post.id,
            reason=form.reason.data,
            now=utcnow(),
            expected_version=_version(form),
        ),  # fmt: skip
        done=_("The post is hidden."),
        to=_to_post(post),
        again=_again_post(post, f"hide-{post.id}", form),
        summary=False,
    )


@bp.post("/initiatives/<int:initiative_id>/consultation/posts/<int:post_id>/report")
@access.login
def report(initiative_id: int, post_id: int):
    post = _post_row(initiative_id, post_id)
    form = ReportForm()
    return form_action(
        form,
        lambda session: moderation.report_post(
            session,
            current_user.person,
            initiative_id=initiative_id,
            post_id=post.id,
            reason=form.reason.data,
            now=utcnow(),
        ),  # fmt: skip
        done=_("Thank you. The initiators and the process coaches will look at it."),
        to=_to_post(post),
        again=_again_post(post, f"report-{post.id}", form),
        summary=False,
    )


@bp.post("/initiatives/<int:initiative_id>/consultation/reports/<int:report_id>/dismiss")
@access.login
def dismiss(initiative_id: int, report_id: int):
    found = db().get(ConsultationReport, report_id) if report_id <= MAX_ID else None
    if found is None or found.initiative_id != initiative_id:
        abort(404)
    return form_action(
        PlainForm(),
        lambda session: moderation.dismiss_report(
            session,
            current_user.person,
            initiative_id=initiative_id,
            report_id=report_id,
            now=utcnow(),
        ),  # fmt: skip
        done=_("The report is closed; the post stays."),
        to=page_url(initiative_id, _anchor="reports"),
    )
