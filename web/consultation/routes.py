"""The consultation page: the group opens and closes it and answers the ideas; residents outside
the group post, support and reply; the initiators and area coaches hide and deal with reports.
Views load, check who may read (web/access.py), call one engine operation, render."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import (
    Blueprint,
    abort,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from engine.bounds import MAX_ID
from engine.consultations import operations as ops
from engine.consultations.own import editable
from engine.consultations.photos import MAX_PHOTO_BYTES
from engine.consultations.queries import consultations_of, load_page, load_post, pick
from engine.db import utcnow
from engine.discussions.operations import EDIT_WINDOW
from engine.discussions.queries import Standing, standing
from engine.errors import VerbindingError
from engine.models import Person
from engine.models.consultations import Consultation, ConsultationPost
from engine.permissions import (
    can_post_in_consultation,
    can_reply_in_consultation,
    can_run_consultation,
)
from engine.storage import StorageUnavailable
from web import access
from web.consultation.forms import (
    EditForm,
    HideForm,
    MarkForm,
    OpenForm,
    PlainForm,
    PostForm,
    ReplyForm,
    ReportForm,
)
from web.database import db
from web.feedback import to_banner
from web.files import files, send_stored
from web.form_action import flash_error, form_action, summarise
from web.initiatives.page import identify

bp = Blueprint("consultation", __name__)


def _person() -> Person | None:
    return current_user.person if current_user.is_authenticated else None


def _standing() -> Standing:
    return standing(db(), g.initiative, _person(), g.member_role, known=True)


def _number(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isdigit() and len(raw) < 19 and int(raw) <= MAX_ID else None


def _order() -> str:
    """``?volgorde=steun``: the most supported first; else the newest first."""
    return "support" if request.args.get("volgorde") == "steun" else "new"


def page_url(initiative_id: int, **values: Any) -> str:
    return url_for("consultation.show", initiative_id=initiative_id, **values)


def _post_row(initiative_id: int, post_id: int) -> ConsultationPost:
    found = db().get(ConsultationPost, post_id) if post_id <= MAX_ID else None
    if found is None or found.initiative_id != initiative_id:
        abort(404)
    return found


class Forms:
    """The page's forms: the one sent back (with its errors), fresh ones for the rest."""

    def __init__(self, submitted: Mapping[str, FlaskForm]) -> None:
        self.submitted = dict(submitted)
        self.failed = next(iter(self.submitted), None)

    def _get(self, key: str, make: Callable[[], FlaskForm]) -> Any:
        return identify(self.submitted.get(key) or make(), key)

    def open(self) -> OpenForm:
        return self._get("open", lambda: OpenForm(formdata=None))

    def post(self) -> PostForm:
        return self._get("post", lambda: PostForm(formdata=None))

    def reply(self, post: ConsultationPost) -> ReplyForm:
        return self._get(f"reply-{post.id}", lambda: ReplyForm(formdata=None))

    def mark(self, post: ConsultationPost) -> MarkForm:
        data = {"version": post.version, "outcome": post.outcome,
                "reason": post.outcome_reason or ""}  # fmt: skip
        return self._get(f"mark-{post.id}", lambda: MarkForm(formdata=None, data=data))

    def edit(self, post: ConsultationPost) -> EditForm:
        data = {"version": post.version, "body": post.body}
        return self._get(f"edit-{post.id}", lambda: EditForm(formdata=None, data=data))

    def hide(self, post: ConsultationPost) -> HideForm:
        data = {"version": post.version}
        return self._get(f"hide-{post.id}", lambda: HideForm(formdata=None, data=data))

    def report(self, post: ConsultationPost) -> ReportForm:
        return self._get(f"report-{post.id}", lambda: ReportForm(formdata=None))


def _common(who: Standing) -> dict[str, Any]:
    """What the page and a post's own page both give their templates."""
    initiative, now = g.initiative, utcnow()
    base = page_url(initiative.id)
    return {
        "initiative": initiative,
        "who": who,
        "runs": can_run_consultation(who.role),
        "may_post": can_post_in_consultation(who.person, who.role),
        "may_reply": can_reply_in_consultation(who.person, who.role, who.area_coach),
        "url": lambda **values: page_url(initiative.id, **values),
        # a post's own page and its actions, without url_for for every post of the list
        "posts_url": f"{base}/posts/",
        "edit_until": lambda p: p.created_dt + EDIT_WINDOW
        if editable(p, who.person, now) else None,
    }  # fmt: skip


def render_page(
    *, forms: Mapping[str, FlaskForm] | None = None, status: int = 200
) -> ResponseReturnValue:
    initiative, who, session = g.initiative, _standing(), db()
    every = consultations_of(session, initiative.id)
    shown = pick(every, initiative, request.args.get("fase") or None)
    page = None
    if shown is not None:
        page = load_page(
            session, shown, before=_number("voor"), before_supports=_number("steun"),
            order=_order(), viewer_id=who.person.id if who.person else None,
            with_reports=who.moderates,
        )  # fmt: skip
    context: dict[str, Any] = {
        **_common(who),
        "consultations": every,
        "consultation": shown,
        "page": page,
        "forms": Forms(forms or {}),
        "may_open": can_run_consultation(who.role)
        and not any(c.stage_key == initiative.state and c.is_open for c in every),
    }
    return render_template("consultation/page.html", **context), status


def render_post(
    post: ConsultationPost, *, forms: Mapping[str, FlaskForm] | None = None, status: int = 200
) -> ResponseReturnValue:
    """One idea or reaction with all its replies and the forms to answer, mark, hide, report."""
    initiative, who, session = g.initiative, _standing(), db()
    if post.parent_id is not None:  # a reply is shown under what it answers
        post = _post_row(initiative.id, post.parent_id)
    view = load_post(
        session, post, viewer_id=who.person.id if who.person else None,
        with_reports=who.moderates,
    )  # fmt: skip
    context: dict[str, Any] = {
        **_common(who),
        "consultation": session.get(Consultation, post.consultation_id),
        "view": view,
        "forms": Forms(forms or {}),
    }
    return render_template("consultation/post.html", **context), status


def _again_post(post: ConsultationPost, key: str, form: FlaskForm):
    """The post's page again with the form as sent (see :func:`_again`)."""

    def again(status: int, error: VerbindingError | None) -> ResponseReturnValue:
        if error is not None:
            flash_error(error)
            return redirect(to_banner(post_url(post)), 303)
        return render_post(post, forms={key: form}, status=status)

    return again


def post_url(post: ConsultationPost, **values: Any) -> str:
    return url_for(
        "consultation.show_post", initiative_id=post.initiative_id,
        post_id=post.parent_id or post.id, **values,
    )  # fmt: skip


def _again(key: str, form: FlaskForm):
    """The page again with the form as sent, its errors at its fields; a refusal that concerns
    no field (who may do what, a closed consultation) is said in a banner instead: the form
    may not even be on the page for this visitor."""

    def again(status: int, error: VerbindingError | None) -> ResponseReturnValue:
        if isinstance(error, StorageUnavailable):  # the file store: keep what they wrote
            summarise(form, error)
        elif error is not None:
            flash_error(error)
            return redirect(to_banner(page_url(g.initiative.id)), 303)
        return render_page(forms={key: form}, status=status)

    return again


def _version(form: FlaskForm) -> int | None:
    raw = form.version.data or ""
    return int(raw) if raw.isdigit() and len(raw) < 10 else None


def _to_post(post: ConsultationPost) -> str:
    """The post on its own page (where its replies and forms are), scrolled to it."""
    return post_url(post, _anchor=f"post-{post.id}")


def _back(post: ConsultationPost) -> str:
    """Where a support was given: the post's own page, or the list (its anchor in it)."""
    if request.form.get("from") == "post":
        return _to_post(post)
    return page_url(post.initiative_id, _anchor=f"post-{post.parent_id or post.id}")


# --- reading ----------------------------------------------------------------------------------


@bp.get("/initiatives/<int:initiative_id>/consultation")
@access.viewer
def show(initiative_id: int):
    return render_page()


@bp.get("/initiatives/<int:initiative_id>/consultation/posts/<int:post_id>")
@access.viewer
def show_post(initiative_id: int, post_id: int):
    return render_post(_post_row(initiative_id, post_id))


@bp.get("/initiatives/<int:initiative_id>/consultation/posts/<int:post_id>/photo")
@access.viewer
def photo(initiative_id: int, post_id: int):
    post = _post_row(initiative_id, post_id)
    if post.photo_name is None:
        abort(404)
    if post.is_gone and not _standing().sees_reasons:
        abort(404)  # nothing of a hidden post shows publicly
    response = send_stored(post.photo_name, post.photo_type or "application/octet-stream")
    if response is None:
        abort(404)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- the group runs it ------------------------------------------------------------------------


@bp.post("/initiatives/<int:initiative_id>/consultation/open")
@access.member
def open_(initiative_id: int):
    form = OpenForm()
    return form_action(
        form,
        lambda session: ops.open_consultation(
            session,
            current_user.person,
            initiative_id=initiative_id,
            question=form.question.data,
            ends_on=form.ends_on.data,
            now=utcnow(),
        ),  # fmt: skip
        done=_("The consultation is open: neighbours can now respond."),
        to=page_url(initiative_id),
        again=_again("open", form),
        summary=False,
    )


@bp.post("/initiatives/<int:initiative_id>/consultation/<int:consultation_id>/close")
@access.member
def close(initiative_id: int, consultation_id: int):
    found = db().get(Consultation, consultation_id) if consultation_id <= MAX_ID else None
    if found is None or found.initiative_id != initiative_id:
        abort(404)
    form = PlainForm()
    return form_action(
        form,
        lambda session: ops.close_consultation(
            session,
            current_user.person,
            initiative_id=initiative_id,
            consultation_id=consultation_id,
            now=utcnow(),
            expected_version=_version(form),
        ),  # fmt: skip
        done=_("The consultation is closed."),
        to=page_url(initiative_id),
    )


@bp.post("/initiatives/<int:initiative_id>/consultation/posts/<int:post_id>/mark")
@access.member
def mark(initiative_id: int, post_id: int):
    post = _post_row(initiative_id, post_id)
    form = MarkForm()
    return form_action(
        form,
        lambda session: ops.mark_idea(
            session,
            current_user.person,
            initiative_id=initiative_id,
            post_id=post.id,
            outcome=form.outcome.data,
            reason=form.reason.data,
            now=utcnow(),
            expected_version=_version(form),
        ),  # fmt: skip
        done=_("Everyone can now see what the group did with this idea."),
        to=_to_post(post),
        again=_again_post(post, f"mark-{post.id}", form),
        summary=False,
    )


# --- residents take part ----------------------------------------------------------------------


@bp.post("/initiatives/<int:initiative_id>/consultation/<int:consultation_id>/posts")
@access.login
def post(initiative_id: int, consultation_id: int):
    form = PostForm()

    def call(session: Session) -> ConsultationPost:
        sent = form.photo.data
        photo = None
        if sent is not None and getattr(sent, "filename", None):
            photo = (sent.filename or "", sent.read(MAX_PHOTO_BYTES + 1))
        return ops.post_idea(
            session, current_user.person, initiative_id=initiative_id,
            consultation_id=consultation_id, kind=form.kind.data or "", body=form.body.data,
            now=utcnow(), photo=photo, store=files(),
        )  # fmt: skip

    return form_action(
        form,
        call,
        done=_("Thank you: your post is on the page. The group will read it."),
        to=_back,
        again=_again("post", form),
        summary=False,
    )


@bp.post("/initiatives/<int:initiative_id>/consultation/posts/<int:post_id>/reply")
@access.login
def reply(initiative_id: int, post_id: int):
    parent = _post_row(initiative_id, post_id)
    form = ReplyForm()
    return form_action(
        form,
        lambda session: ops.reply(
            session,
            current_user.person,
            initiative_id=initiative_id,
            parent_id=parent.id,
            body=form.body.data,
            now=utcnow(),
        ),  # fmt: skip
        done=_("Your reply is posted."),
        to=_to_post,
        again=_again_post(parent, f"reply-{parent.id}", form),
        summary=False,
    )


@bp.post("/initiatives/<int:initiative_id>/consultation/posts/<int:post_id>/support")
@access.login
def support(initiative_id: int, post_id: int):
    post = _post_row(initiative_id, post_id)
    return form_action(
        PlainForm(),
        lambda session: ops.support(
            session,
            current_user.person,
            initiative_id=initiative_id,
            post_id=post.id,
            now=utcnow(),
        ),  # fmt: skip
        done=_("You support this idea."),
        to=_back(post),
    )


@bp.post("/initiatives/<int:initiative_id>/consultation/posts/<int:post_id>/withdraw")
@access.login
def withdraw(initiative_id: int, post_id: int):
    post = _post_row(initiative_id, post_id)
    return form_action(
        PlainForm(),
        lambda session: ops.withdraw_support(
            session,
            current_user.person,
            initiative_id=initiative_id,
            post_id=post.id,
            now=utcnow(),
        ),  # fmt: skip
        done=_("You no longer support this idea."),
        to=_back(post),
    )


# the routes that look after posts, the history words and the page panel register themselves
from web.consultation import history, moderation_routes, panel  # noqa: E402, F401
