"""The web app: server-rendered pages where resident groups run their initiatives."""

from __future__ import annotations

import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, current_app, g, render_template
from flask.globals import _cv_app
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError, generate_csrf
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.config import load_config
from engine.logs import configure_logging
from engine.runtime import Runtime
from web import (
    fast_urls,
    feedback,
    fields,
    files,
    html_params,
    i18n,
    inputs,
    keys,
    limits,
    observe,
    templating,
)
from web.database import (
    RETRY_AFTER_SECONDS,
    close_db,
    database_unavailable,
    database_unavailable_check,
)
from web.extensions import babel, csrf, login_manager
from web.i18n import lazy_gettext as _l

log = logging.getLogger(__name__)
HERE = Path(__file__).parent
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
TRANSLATION_DIRS = (HERE / "translations", HERE.parent / "engine" / "translations")


def create_app(overrides: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``overrides`` holds Flask settings and/or ``VERBINDING_*`` settings."""
    overrides = dict(overrides or {})
    env = dict(os.environ)
    env.update({k: str(v) for k, v in overrides.items() if k.startswith("VERBINDING_")})
    config = load_config(env)
    if not logging.getLogger().handlers:  # not started by `verbinding` (e.g. a WSGI host)
        configure_logging(config.log_format, config.log_level)
    app = Flask(__name__, instance_path=str(config.instance_path))
    https = config.base_url.startswith("https://")
    keys.configure(app, config)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        REMEMBER_COOKIE_SAMESITE="Lax",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=https,
        REMEMBER_COOKIE_DURATION=timedelta(days=config.remember_days),
        MAX_CONTENT_LENGTH=MAX_UPLOAD_BYTES + 64 * 1024,
        WTF_CSRF_TIME_LIMIT=None,
        VERBINDING=config,
    )
    app.config.update({k: v for k, v in overrides.items() if not k.startswith("VERBINDING_")})
    app.extensions["verbinding"] = Runtime(config)
    app.extensions["verbinding"].storage  # noqa: B018 - an unusable storage stops the start
    if config.trusted_proxies:
        # client address, scheme and host as the proxies in front of us saw them
        n = config.trusted_proxies
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]

    babel.init_app(
        app,
        default_locale="nl",
        default_timezone=config.timezone,
        default_translation_directories=";".join(str(d) for d in TRANSLATION_DIRS),
        locale_selector=i18n.select_locale,
    )
    csrf.init_app(app)
    _cached_csrf_token(app)
    fast_urls.install(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Log in to continue.")
    login_manager.login_message_category = "info"
    import web.users  # noqa: F401  (registers the user loader)

    observe.install(app)  # first: the request id is there for every other hook's log lines
    templating.install(app)  # before any template is loaded
    i18n.install(app)
    from web.initiatives import ui as page_ui

    page_ui.install(app)  # the initiative page's one-button forms, made in Python
    from web.plan import checklist

    checklist.install(app)  # the checklist's steps without tools, made in Python
    fields.install(app)  # field() of _macros.html, made in Python
    html_params.install()  # WTForms' field attributes, without Markup.format
    inputs.install(app)  # before the blueprints: their rules take its converters
    feedback.install(app)
    files.install(app)
    limits.install(app)
    _register_blueprints(app)
    _register_errors(app)
    app.teardown_appcontext(close_db)
    app.after_request(_security_headers)
    return app


BLUEPRINTS = (
    "main",  # the public list, language, health
    "auth",  # accounts
    "account",  # the account page: name, address, language, download, deletion
    "initiatives",  # start an initiative, its page, moves, decisions, history, settings
    "plan",  # steps, target dates, pause and resume, skipped and own stages
    "members",  # the group: invitations, joining, leaving, roles
    "documents",  # files attached to an initiative or a stage
    "consultation",  # the neighbourhood's ideas, reactions and supports on a stage
    "support",  # support requests: residents ask, the municipality answers
    "coach",  # the coach's caseload, health signals, city overview, notes
    "admin",  # accounts and roles
    "reminders",  # reminder preferences, unsubscribe, calendar feeds
    "maintenance",  # zelfbeheer: association, agreement, tasks, rota, log
    "discussions",  # the group's conversation, the decisions', the coaches' thread
    "meetings",  # meetings with the neighbourhood, and residents who support the plan
    "notifications",  # what happened: the list, mark read, the header's unread count
    "account_tokens",  # personal access tokens for the API
    "surveys",  # the group's short survey: build, answer online and on paper, results
)


def _register_blueprints(app: Flask) -> None:
    import importlib

    from web.access import register_rules

    for name in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(f"web.{name}").bp)
    from web.api import install

    install(app)  # the JSON API (its own blueprints and access through tokens)
    register_rules(app)


def _cached_csrf_token(app: Flask) -> None:
    """``csrf_token()`` in the templates: the request's token as Flask-WTF keeps it in ``g``,
    made by Flask-WTF the first time (a member's initiative page has dozens of one-button
    forms; ``generate_csrf`` reads its settings through Flask's proxies on every call)."""

    def csrf_token() -> str:
        ctx = _cv_app.get(None)
        found = ctx.g.__dict__.get("csrf_token") if ctx is not None else None
        return found if found is not None else generate_csrf()

    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})  # after Flask-WTF's own


def _register_errors(app: Flask) -> None:
    from web.api.problems import http_problem, is_api, problem

    def page(status: int):
        def handler(error):
            if is_api():
                return http_problem(error)
            return render_template(f"errors/{status}.html", error=error), status

        return handler

    for status in (400, 403, 404, 405, 413, 500):
        app.register_error_handler(status, page(status))

    @app.errorhandler(HTTPException)
    def other(error):  # the codes without a page of their own: the API's 401, 409, 422…
        return http_problem(error) if is_api() else error

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_template("errors/csrf.html", error=error), 400

    def unavailable(error):
        if is_api():
            database_unavailable_check(error)
            # the words of the page that browsers get, in the language the client asks for
            return problem(
                503,
                _("The site is unavailable for a moment"),
                _("We cannot reach our database right now, for example because it is being "
                  "restarted. Try again in a minute."),
                headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
            )  # fmt: skip
        return database_unavailable(error)

    app.register_error_handler(DBAPIError, unavailable)
    app.register_error_handler(PoolTimeout, unavailable)


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'",
    )
    if current_app.config["SESSION_COOKIE_SECURE"]:  # the base URL is https
        response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
    user = g.get("_login_user")
    if user is not None and user.is_authenticated:
        # a signed-in page must not be kept by the browser or a proxy for the next person
        response.headers["Cache-Control"] = "private, no-store"
    return response
