"""Rate limits on posted forms, per account (or typed address) and per client address.

Every POST counts: sign-in attempts against ``RATE_LIMIT_LOGIN``, forms that send mail against
``RATE_LIMIT_MAIL``, any other form against ``RATE_LIMIT_POST``; each also per client address,
``RATE_LIMIT_ADDRESS_FACTOR`` times higher. Over a limit the visitor gets the 429 page with
``Retry-After``. The counters live in the database (engine.ratelimit), so they hold across
workers. A signed-in person whose address is not confirmed yet may read, not post.
"""

from __future__ import annotations

from flask import Flask, current_app, render_template, request
from flask_login import current_user
from werkzeug.exceptions import TooManyRequests

from engine.accounts import normalise_email
from engine.db import utcnow
from engine.ratelimit import Limit, forget, hit_all
from web.api.problems import http_problem, is_api
from web.database import db

#: forms anyone may send that mail the address typed in them
ANONYMOUS_MAIL = {"auth.register", "auth.reset_request"}
#: forms of signed-in people that send mail to others
MAIL = {
    "auth.confirm_resend",
    "members.invite_someone",
    "members.ask",
    "members.join",
    "support.new",
}
#: posts in a consultation: ideas, reactions and replies, counted on their own (stricter) limit
CONSULTATION = {"consultation.post", "consultation.reply"}
#: what a person whose address is not confirmed yet may still send
UNCONFIRMED_MAY = {
    "auth.logout",
    "auth.logout_everywhere",
    "auth.confirm_resend",
    "auth.reset_password_page",
    "auth.login",
    "auth.register",
    "auth.reset_request",
}


def _account_key() -> str | None:
    if current_user.is_authenticated:
        return f"person:{current_user.person.id}"
    typed = normalise_email(request.form.get("email", ""))
    return f"email:{typed}" if typed else None


def _action(endpoint: str) -> str:
    if endpoint in ("auth.login", "auth.change_password"):  # both try a password
        return "login"
    if endpoint in MAIL or endpoint in ANONYMOUS_MAIL:
        return "mail"
    if endpoint in CONSULTATION:
        return "consultation"
    return "post"


def _limit(action: str) -> Limit:
    config = current_app.config["VERBINDING"]
    return {
        "login": config.rate_limit_login,
        "mail": config.rate_limit_mail,
        "post": config.rate_limit_post,
        "consultation": config.rate_limit_consultation,
    }[action]


def count_post() -> None:
    """Count this POST; answer 429 when its account or client address went over."""
    if request.method != "POST" or request.endpoint in (None, "static") or is_api():
        return  # the API counts its calls itself (web.api.auth)
    action = _action(request.endpoint)
    count, seconds = _limit(action)
    factor = current_app.config["VERBINDING"].rate_limit_address_factor
    now = utcnow()
    session = db()
    if not session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        # who is signed in (a read) and the count (one statement) need no transaction of their
        # own: no BEGIN and COMMIT sent for them (two round trips of every form)
        session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    limits = {f"{action}:address:{request.remote_addr}": (count * factor, seconds)}
    account = _account_key()
    if account is not None:
        limits[f"{action}:{account}"] = (count, seconds)
    wait = hit_all(session, limits, now)  # both keys in one statement
    session.commit()  # the count stands, whatever the form's own fate
    if wait is not None:
        raise TooManyRequests(retry_after=wait)


def forget_login_failures(email: str) -> None:
    """A right password clears the account's wrong attempts (the address keeps its count)."""
    forget(db(), f"login:email:{normalise_email(email)}")


def refuse_unconfirmed():
    """An account whose address is not confirmed reads, but does not join, invite or post."""
    if (
        request.method == "POST"
        and not is_api()
        and current_user.is_authenticated
        and current_user.person.email_confirmed_dt is None
        and request.endpoint not in UNCONFIRMED_MAY
    ):
        return render_template("auth/unconfirmed.html"), 403
    return None


def too_many(error: TooManyRequests):
    if is_api():
        return http_problem(error)
    page = render_template("errors/429.html", wait=error.retry_after)
    return page, 429, {"Retry-After": str(error.retry_after)}


def install(app: Flask) -> None:
    app.before_request(count_post)  # first: refused posts count too
    app.before_request(refuse_unconfirmed)
    app.register_error_handler(TooManyRequests, too_many)
