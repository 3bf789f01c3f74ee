"""Reminder preferences, one-click unsubscribe, calendar feeds and the outbox status page."""

from __future__ import annotations

from flask import Blueprint, Response, abort, current_app, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.orm import Session

from engine.db import utcnow
from engine.errors import VerbindingError
from engine.mail.outbox import outbox_overview, retry_failed
from engine.notifications.tokens import is_mail_token, read_mail_token
from engine.reminders.calendar import (
    feed_chunks,
    feed_validators,
    find_feed,
    live_feed,
    load_entries,
    make_feed,
    revoke_feed,
)
from engine.reminders.preferences import modes_of, set_preferences, unsubscribe
from engine.reminders.queries import followed_initiative_feeds
from engine.reminders.rules import MODE_LABELS, kind_of
from engine.reminders.tokens import read_unsubscribe_token, verifying_secrets
from web import access
from web.database import db, perform, runtime
from web.extensions import csrf
from web.feed_cache import feed_cache
from web.form_action import form_action
from web.i18n import locale
from web.panels import Panel, group, register_panel
from web.reminders.forms import PlainForm, preferences_form
from web.reminders.panel import feed_url, load_panel

bp = Blueprint("reminders", __name__)
register_panel(bp, Panel("reminders", "reminders/_panel.html", "side", 50, load_panel, group))

OUTBOX_PAGE = 50


# -- preferences -----------------------------------------------------------------------------


@bp.route("/reminders/preferences", methods=["GET", "POST"])
@access.login
def preferences():
    person = current_user.person
    modes = modes_of(db(), person)
    form = preferences_form(list(modes), modes, person.locale)

    def again(status: int, _error: VerbindingError | None = None) -> ResponseReturnValue:
        feed = live_feed(db(), person.id)
        return render_template(
            "reminders/preferences.html", form=form, kinds=[kind_of(k) for k in modes],
            feed_url=feed_url(feed), initiative_feeds=_initiative_feeds(person.id),
            plain=PlainForm(),
        ), status  # fmt: skip

    if request.method == "GET":
        return again(200)
    return form_action(
        form,
        lambda session: set_preferences(
            session,
            person,
            now=utcnow(),
            locale=form.language.data,
            modes={kind: form[f"kind_{kind}"].data for kind in modes},
        ),  # fmt: skip
        done=_("Your reminder settings are saved."),
        to=url_for("reminders.preferences"),
        again=again,
        fields={"locale": "language"},
    )


def _initiative_feeds(person_id: int) -> list[tuple[int, str, str]]:
    base = runtime().config.base_url
    return [(iid, title, base + url_for("reminders.initiative_feed", token=t))
            for iid, title, t in followed_initiative_feeds(db(), person_id)]  # fmt: skip


@bp.post("/reminders/calendar")
@access.login
def new_feed():
    return form_action(
        PlainForm(),
        lambda session: make_feed(session, current_user.person, utcnow()),
        done=_("Your calendar has a new address. The old one no longer works."),
        to=url_for("reminders.preferences") + "#calendar",
    )


@bp.post("/reminders/calendar/revoke")
@access.login
def revoke():
    return form_action(
        PlainForm(),
        lambda session: revoke_feed(session, current_user.person, utcnow()),
        done=_("The calendar address no longer works."),
        to=url_for("reminders.preferences") + "#calendar",
    )


@bp.post("/initiatives/<int:initiative_id>/calendar")
@access.member
def new_initiative_feed(initiative_id: int):
    return form_action(
        PlainForm(),
        lambda session: make_feed(session, current_user.person, utcnow(), initiative_id),
        done=_("This initiative's calendar has a new address for you."),
        to=_back(url_for("initiatives.show", initiative_id=initiative_id)),
    )


@bp.post("/initiatives/<int:initiative_id>/calendar/revoke")
@access.login
def revoke_initiative_feed(initiative_id: int):
    return form_action(
        PlainForm(),
        lambda session: revoke_feed(session, current_user.person, utcnow(), initiative_id),
        done=_("The calendar address no longer works."),
        to=_back(url_for("reminders.preferences") + "#calendar"),
    )


def _back(default: str) -> str:
    from web.safety import safe_next

    return safe_next(request.form.get("next")) if request.form.get("next") else default


# -- one-click unsubscribe (RFC 8058) --------------------------------------------------------


def _token_or_404(token: str) -> tuple[int, list[str]]:
    """A notification's random token (a mail sent at once), or a signed one (an overview)."""
    if is_mail_token(token):
        found = read_mail_token(db(), token)
    else:
        found = read_unsubscribe_token(verifying_secrets(runtime().config), token)
    if found is None or not found[1]:
        abort(404)
    return found


@bp.route("/reminders/unsubscribe/<token>", methods=["GET", "POST"])
@access.public
def unsubscribe_link(token: str):
    """GET: a page with a button. POST (the button, or a mail client's one-click): turn off."""
    person_id, kinds = _token_or_404(token)
    labels = [kind_of(k).label for k in kinds]
    if request.method == "GET":
        return render_template("reminders/unsubscribe.html", token=token, labels=labels)
    try:
        perform(unsubscribe, person_id, kinds, utcnow())
    except VerbindingError:
        abort(404)
    return render_template("reminders/unsubscribed.html", labels=labels)


csrf.exempt(unsubscribe_link)


# -- calendar feeds --------------------------------------------------------------------------


def _feed_response(token: str, *, for_initiative: bool) -> Response:
    """The feed, or 304 when the calendar's copy is current; the body streams an event at a
    time, from entries read before the headers go out (nothing can fail after the 200), or
    comes from this process's copy of the same ETag (web.feed_cache)."""
    session = db()
    feed = find_feed(session, token, for_initiative=for_initiative)
    if feed is None:
        abort(404)
    now = utcnow()
    headers = {
        "Content-Type": "text/calendar; charset=utf-8",
        "Cache-Control": "private, max-age=300",
        "Content-Disposition": 'inline; filename="verbinding.ics"',
    }
    current = feed_validators(session, feed, now)
    response = Response(status=200, headers=headers)
    response.set_etag(current.etag)
    response.last_modified = current.last_modified
    response.make_conditional(request)
    if response.status_code == 304:
        return response
    base_url = runtime().config.base_url
    # the token too: a feed's ETag is unique within one database, its token across databases
    cache, key = feed_cache(current_app), (feed.token, current.etag, base_url)
    kept = cache.get(key)
    if kept is not None:  # the same ETag: the same body (what a 304 relies on as well)
        response.set_data(kept)
        return response
    chunks = feed_chunks(load_entries(session, current), base_url)
    response.response = cache.keeping(key, chunks)
    # make_conditional measured the body while it was still empty (Content-Length: 0): a real
    # server then sends none of the stream, and a calendar client keeps an empty feed under
    # this ETag (the test client reads the stream whatever the header says)
    response.headers.pop("Content-Length", None)
    return response


@bp.get("/calendar/<token>.ics")
@access.public
def person_feed(token: str):
    return _feed_response(token, for_initiative=False)


@bp.get("/calendar/initiative/<token>.ics")
@access.public
def initiative_feed(token: str):
    return _feed_response(token, for_initiative=True)


# -- the outbox, for an operator --------------------------------------------------------------


@bp.get("/reminders/outbox")
@access.admin
def outbox():
    status = request.args.get("status", "failed")
    if status not in ("pending", "sending", "sent", "failed"):
        status = "failed"
    counts, rows = outbox_overview(db(), status, OUTBOX_PAGE)
    return render_template(
        "reminders/outbox.html", counts=counts, status=status, rows=rows,
        plain=PlainForm(), locale=locale(),
    )  # fmt: skip


@bp.post("/reminders/outbox/<int:message_id>/retry")
@access.admin
def retry(message_id: int):
    def call(session: Session) -> object:
        retried = retry_failed(session, message_id, utcnow())
        if retried is None:
            abort(404)
        return retried

    return form_action(
        PlainForm(),
        call,
        done=_("The message is queued again."),
        to=url_for("reminders.outbox", status="failed"),
    )


__all__ = ["MODE_LABELS", "bp"]
