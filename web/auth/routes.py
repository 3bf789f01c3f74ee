from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from engine.accounts import (
    check_password,
    create_person,
    find_person,
    request_password_reset,
    reset_password,
)
from engine.db import utcnow
from engine.errors import VerbindingError
from web import access
from web.auth.forms import LoginForm, NewPasswordForm, RegisterForm, ResetRequestForm
from web.database import db
from web.form_action import flash_error, form_action
from web.i18n import locale
from web.mailing import deliver_soon, mailer
from web.safety import safe_next
from web.users import CurrentUser

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@access.public
def register():
    form = RegisterForm()
    if request.method == "GET":
        return render_template("auth/register.html", form=form)
    return form_action(
        form,
        lambda session: create_person(
            session,
            email=form.email.data,
            name=form.name.data,
            password=form.password.data,
            locale=locale(),
            now=utcnow(),
        ),  # fmt: skip
        done=lambda person: _("Welcome, %(name)s. Your account is ready.", name=person.name),
        to=safe_next(request.args.get("next")),
        again=lambda status, _error: (render_template("auth/register.html", form=form), status),
        then=lambda person: login_user(CurrentUser(person)),
    )


@bp.route("/login", methods=["GET", "POST"])
@access.public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        person = find_person(db(), form.email.data)
        if person is not None and person.is_active and check_password(person, form.password.data):
            login_user(CurrentUser(person), remember=form.remember.data)
            flash(_("You are logged in."), "success")
            return redirect(_landing(person.role, request.args.get("next")))
        form.form_errors.append(_("The e-mail address or the password is not right."))
    status = 400 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


def _landing(role: str, target: str | None) -> str:
    """Where a login leads: the page asked for, else where the person's work is (a coach's
    caseload, an admin's accounts, a resident's own initiatives on the home page)."""
    home = url_for("main.home")
    if target and safe_next(target) != home:  # a local page asked for (a foreign one is not)
        return safe_next(target)
    if role == "coach":
        return url_for("coach.caseload")
    if role == "admin":
        return url_for("admin.people")
    return home


@bp.post("/logout")
@access.login
def logout():
    logout_user()
    flash(_("You are logged out."), "info")
    # e.g. back to the login page for an invitation meant for another address
    return redirect(safe_next(request.form.get("next")))


@bp.route("/password/reset", methods=["GET", "POST"])
@access.public
def reset_request():
    form = ResetRequestForm()
    if request.method == "GET":
        return render_template("auth/reset_request.html", form=form)
    return form_action(
        form,
        lambda session: request_password_reset(session, form.email.data, utcnow(), mailer()),
        done=_(
            "If there is an account for %(email)s, we sent it a link to set a new password. "
            "The link works for 2 hours.",
            email=form.email.data,
        ),
        to=url_for("auth.login"),
        again=lambda status, _error: (
            render_template("auth/reset_request.html", form=form),
            status,
        ),
        then=lambda _result: deliver_soon(),
    )


@bp.route("/password/new/<token>", methods=["GET", "POST"])
@access.public
def reset_password_page(token: str):
    form = NewPasswordForm()

    def again(status: int, error: VerbindingError | None) -> ResponseReturnValue:
        if error is not None:  # the link itself is no good (any more): ask for a new one
            flash_error(error)
            return redirect(url_for("auth.reset_request"))
        return render_template("auth/new_password.html", form=form), status

    def done(_result: object) -> str:
        if current_user.is_authenticated:
            logout_user()
        return _("Your new password is set. Log in with it.")

    if request.method == "GET":
        return again(200, None)
    return form_action(
        form,
        lambda session: reset_password(session, token, form.password.data, utcnow()),
        done=done,
        to=url_for("auth.login"),
        again=again,
        summary=False,
    )
