"""Looking after the consultation: hiding a post, reporting one, closing a report.

The routes are on the consultation's blueprint (``consultation.hide`` and so on); they live
here to keep :mod:`web.consultation.routes` readable."""

from __future__ import annotations

from flask import abort
from flask_babel import gettext as _
from flask_login import current_user

from engine.bounds import MAX_ID
from engine.consultations import moderation
from engine.db import utcnow
from engine.models.consultations import ConsultationReport
from web import access
from web.consultation.forms import HideForm, PlainForm, ReportForm
from web.consultation.routes import _again_post, _post_row, _to_post, _version, bp, page_url
from web.database import db
from web.form_action import form_action

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
