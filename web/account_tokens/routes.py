"""The person's API tokens: list, make (the secret is shown once, on this answer), revoke."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from engine.api_tokens import create_token, live_tokens, revoke_token
from engine.db import utcnow
from engine.errors import VerbindingError
from web import access
from web.account_tokens.forms import RevokeForm, TokenForm
from web.confirm import unconfirmed
from web.database import db, perform
from web.form_action import form_action, place_error, summarise

bp = Blueprint("account_tokens", __name__)


def _page(form: TokenForm, status: int = 200, secret: str | None = None) -> ResponseReturnValue:
    tokens = live_tokens(db(), current_user.person)
    return render_template(
        "account_tokens/tokens.html", form=form, tokens=tokens, secret=secret
    ), status


@bp.get("/account/tokens")
@access.login
def tokens():
    return _page(TokenForm())


@bp.post("/account/tokens")
@access.login
def create():
    form = TokenForm()
    if not form.validate_on_submit():
        return _page(form, 400)
    try:
        _token, secret = perform(
            create_token, current_user.person, name=form.name.data, scope=form.scope.data,
            now=utcnow(),
        )  # fmt: skip
    except VerbindingError as error:
        if not place_error(form, error):
            summarise(form, error)
        return _page(form, 400)
    # the secret is shown on this answer only: never in a cookie, a redirect or the database
    return _page(TokenForm(formdata=None), 201, secret=secret)


@bp.post("/account/tokens/revoke")
@access.login
def revoke():
    back = url_for("account_tokens.tokens")
    if (refused := unconfirmed(back)) is not None:
        return refused
    form = RevokeForm()
    return form_action(
        form,
        lambda session: revoke_token(session, current_user.person, form.token_id.data, utcnow()),
        done=_("The token is revoked. Whatever used it has no access any more."),
        to=back,
        invalid=_("Choose a token."),
    )
