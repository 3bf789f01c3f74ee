"""The account page and what it changes: one engine operation per form (engine.privacy)."""

from __future__ import annotations

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    session,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from engine.db import utcnow
from engine.errors import VerbindingError
from engine.privacy.erase import delete_account
from engine.privacy.export import export_zip
from engine.privacy.profile import (
    change_language,
    change_name,
    confirm_email_change,
    request_email_change,
)
from engine.reminders.calendar import live_feed
from web import access
from web.account.forms import EmailForm, LanguageForm, NameForm, PasswordCheckForm
from web.auth.forms import ChangePasswordForm
from web.confirm import unconfirmed
from web.database import db, transaction_on_get
from web.files import files
from web.form_action import flash_error, form_action
from web.i18n import reader_changed
from web.mailing import deliver_soon, mailer

bp = Blueprint("account", __name__)

#: the API tokens page, when the JSON API is installed (another blueprint owns it)
TOKENS_PATH = "/account/tokens"


def _tokens_url() -> str | None:
    return (
        TOKENS_PATH
        if any(r.rule == TOKENS_PATH for r in current_app.url_map.iter_rules())
        else None
    )


def account_page(
    status: int = 200,
    *,
    name_form: NameForm | None = None,
    email_form: EmailForm | None = None,
    language_form: LanguageForm | None = None,
    password_form: ChangePasswordForm | None = None,
) -> ResponseReturnValue:
    """The account page, with the forms as sent where one came back refused."""
    person = current_user.person
    page = render_template(
        "account/index.html",
        person=person,
        name_form=name_form or NameForm(prefix="name", data={"name": person.name}),
        email_form=email_form or EmailForm(prefix="email"),
        language_form=language_form
        or LanguageForm(prefix="language", data={"language": person.locale}),
        password_form=password_form or ChangePasswordForm(prefix="password"),
        has_feed=live_feed(db(), person.id) is not None,
        tokens_url=_tokens_url(),
    )
    return page, status


@bp.get("/account")
@access.login
def index():
    return account_page()


@bp.post("/account/name")
@access.login
def name():
    form = NameForm(prefix="name")
    return form_action(
        form,
        lambda s: change_name(s, current_user.person, form.name.data),
        done=_("Your name is saved."),
        to=url_for("account.index"),
        again=lambda status, _error: account_page(status, name_form=form),
    )


@bp.post("/account/email")
@access.login
def email():
    form = EmailForm(prefix="email")
    return form_action(
        form,
        lambda s: request_email_change(
            s, current_user.person, form.email.data, form.password.data, utcnow(), mailer()
        ),
        done=lambda new: _(
            "We sent a link to %(email)s. Open it to start using that address; until then "
            "your old address stays in use.",
            email=new,
        ),
        to=url_for("account.index"),
        again=lambda status, _error: account_page(status, email_form=form),
        then=lambda _new: deliver_soon(),
    )


@bp.get("/account/email/<token>")
@transaction_on_get  # the link in the mail confirms the address
@access.public
def confirm_email(token: str):
    try:
        confirm_email_change(db(), token, utcnow())
        db().commit()
    except VerbindingError as error:
        db().rollback()
        flash_error(error)
        return redirect(url_for("account.index" if current_user.is_authenticated else "auth.login"))
    flash(_("Your new e-mail address is confirmed. Log in with it from now on."), "success")
    return redirect(url_for("account.index" if current_user.is_authenticated else "auth.login"))


@bp.post("/account/language")
@access.login
def language():
    form = LanguageForm(prefix="language")

    def then(_result: object) -> None:
        session["locale"] = form.language.data  # this browser follows at once
        reader_changed()  # and so does the "saved" message of this very request

    return form_action(
        form,
        lambda s: change_language(s, current_user.person, form.language.data),
        done=lambda _r: _("Your language is saved."),
        to=url_for("account.index"),
        again=lambda status, _error: account_page(status, language_form=form),
        fields={"locale": "language"},
        then=then,
    )


@bp.get("/account/export")
@access.login
def export():
    return render_template("account/export.html", form=PasswordCheckForm())


@bp.post("/account/export")
@access.login
def export_download():
    form = PasswordCheckForm()  # only its CSRF token counts here
    form.password.validators = []
    if not form.validate_on_submit():
        flash(_("Nothing was downloaded: try again from this page."), "error")
        return redirect(url_for("account.export"))
    now = utcnow()
    data = export_zip(db(), current_user.person, files(), now)
    db().rollback()  # reading only
    name = f"verbinding-{now:%Y-%m-%d}.zip"
    return Response(
        data,
        mimetype="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


def _delete_page(form: PasswordCheckForm, status: int = 200) -> ResponseReturnValue:
    return render_template("account/delete.html", form=form), status


@bp.get("/account/delete")
@access.login
def delete():
    return _delete_page(PasswordCheckForm())


@bp.post("/account/delete")
@access.login
def delete_confirmed():
    back = unconfirmed(url_for("account.delete"))
    if back is not None:
        return back
    form = PasswordCheckForm()
    person = current_user.person

    def done(_orphaned: object) -> str:
        logout_user()
        return _("Your account is deleted. Thank you for taking part.")

    return form_action(
        form,
        lambda s: delete_account(s, person, form.password.data, utcnow()),
        done=done,
        to=url_for("main.home"),
        again=lambda status, _error: _delete_page(form, status),
        then=lambda _orphaned: deliver_soon(),
    )
