from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from engine.accounts import (
    change_own_password,
    check_login,
    confirm_email,
    request_password_reset,
    reset_password,
    send_confirmation,
)
from engine.accounts import register as register_account
from engine.db import utcnow
from engine.errors import VerbindingError
from engine.models import LoginSession
from engine.signin import end_all_sessions, end_own_session, end_session, live_sessions
from web import access
from web.auth.forms import (
    ChangePasswordForm,
    EndSessionForm,
    LoginForm,
    NewPasswordForm,
    PlainForm,
    RegisterForm,
    ResetRequestForm,
)
from web.database import db, transaction_on_get
from web.form_action import flash_error, form_action
from web.i18n import locale
from web.limits import forget_login_failures
from web.mailing import deliver_soon, mailer
from web.safety import safe_next
from web.users import sign_in

bp = Blueprint("auth", __name__)


@bp.route("/register", methods=["GET", "POST"])
@access.public
def register():
    form = RegisterForm()
    if request.method == "GET":
        return render_template("auth/register.html", form=form)
    # the same answer whether the address is new or taken: the owner of a taken one gets a mail
    return form_action(
        form,
        lambda session: register_account(
            session,
            email=form.email.data,
            name=form.name.data,
            password=form.password.data,
            locale=locale(),
            now=utcnow(),
            mailer=mailer(),
        ),  # fmt: skip
        done=_(
            "We sent a mail to %(email)s. Open the link in it to confirm your address; then "
            "log in.",
            email=form.email.data,
        ),
        to=url_for("auth.login"),
        again=lambda status, _error: (render_template("auth/register.html", form=form), status),
        then=lambda _person: deliver_soon(),
    )


@bp.get("/register/confirm/<token>")
@transaction_on_get  # the link in the mail confirms the address
@access.public
def confirm(token: str):
    try:
        person = confirm_email(db(), token, utcnow())
        db().commit()
    except VerbindingError as error:
        db().rollback()
        flash_error(error)
        return redirect(url_for("auth.login"))
    flash(_("Thank you, %(name)s: your e-mail address is confirmed.", name=person.name), "success")
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.post("/register/confirm/again")
@access.login
def confirm_resend():
    form = PlainForm()
    return form_action(
        form,
        lambda session: send_confirmation(session, current_user.person, utcnow(), mailer()),
        done=_("We sent a new link to %(email)s.", email=current_user.person.email),
        to=safe_next(request.form.get("next")),
        then=lambda _result: deliver_soon(),
    )


@bp.route("/login", methods=["GET", "POST"])
@access.public
def login():
    form = LoginForm()
    if form.validate_on_submit():
        person = check_login(db(), form.email.data, form.password.data)
        if person is not None:
            forget_login_failures(form.email.data)
            sign_in(person, remember=bool(form.remember.data))
            db().commit()
            flash(_("You are logged in."), "success")
            if person.email_confirmed_dt is None:
                flash(_("Confirm your e-mail address with the link we sent you."), "info")
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
    end_session(db(), current_user.reference, utcnow())
    db().commit()
    logout_user()
    flash(_("You are logged out."), "info")
    # e.g. back to the login page for an invitation meant for another address
    return redirect(safe_next(request.form.get("next")))


def _sessions_page(password_form: ChangePasswordForm, status: int = 200) -> ResponseReturnValue:
    found = live_sessions(db(), current_user.person.id, utcnow())
    current = int(current_user.reference.partition(":")[0])
    page = render_template(
        "auth/sessions.html",
        sessions=found,
        current=current,
        password_form=password_form,
    )
    return page, status


@bp.get("/account/sessions")
@access.login
def sessions():
    return _sessions_page(ChangePasswordForm())


@bp.post("/account/password")
@access.login
def change_password():
    # the form is on the sessions page and, with the prefix "password", on the account page
    from_account = "password-current" in request.form
    form = ChangePasswordForm(prefix="password") if from_account else ChangePasswordForm()
    person = current_user.person

    def change(session):
        change_own_password(session, person, form.current.data, form.password.data, utcnow())
        sign_in(person)  # every session ended, this one too: this device starts a new one

    def again(status: int, _error: VerbindingError | None) -> ResponseReturnValue:
        if from_account:
            from web.account.routes import account_page

            return account_page(status, password_form=form)
        return _sessions_page(form, status)

    return form_action(
        form,
        change,
        done=_("Your new password is set. You are logged out on every other device."),
        to=url_for("account.index" if from_account else "auth.sessions"),
        again=again,
    )


@bp.post("/account/sessions/end-one")
@access.login
def end_one_session():
    form = EndSessionForm()
    person = current_user.person
    current = int(current_user.reference.partition(":")[0])

    def done(row: LoginSession) -> str:
        if row.id == current:
            logout_user()
            return _("You are logged out.")
        return _("That login has ended: that device or browser is logged out.")

    return form_action(
        form,
        lambda s: end_own_session(s, person.id, form.session.data, utcnow()),
        done=done,
        to=lambda row: url_for("main.home" if row.id == current else "auth.sessions"),
    )


@bp.post("/account/sessions/end")
@access.login
def logout_everywhere():
    end_all_sessions(db(), current_user.person.id, utcnow())
    db().commit()
    logout_user()
    flash(_("You are logged out on every device."), "info")
    return redirect(url_for("main.home"))


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
            logout_user()  # its login session ended with the others
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
