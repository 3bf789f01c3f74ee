"""The notifications page: list newest first, mark one or all read; the header's count."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from engine.db import utcnow
from engine.notifications.queries import mark_all_read, mark_read, notifications_of, unread_count
from web import access
from web.database import db, runtime
from web.form_action import form_action
from web.i18n import locale
from web.reminders.forms import PlainForm

bp = Blueprint("notifications", __name__)


@bp.app_context_processor
def _unread():
    """The header's count, only for a signed-in person: read with the person as the request
    began (engine.signin.signed_in; only a POST marks notifications read, and it redirects)."""

    def count() -> int:
        if not current_user.is_authenticated:
            return 0
        if current_user.unread is not None:
            return current_user.unread
        return unread_count(db(), current_user.person.id)

    return {"unread_notifications": count}


@bp.get("/notifications")
@access.login
def index():
    person = current_user.person
    lines = notifications_of(db(), person.id, locale(), runtime().config.timezone)
    return render_template(
        "notifications/index.html", lines=lines, plain=PlainForm(),
        unread=sum(1 for line in lines if not line.is_read),
    )  # fmt: skip


@bp.post("/notifications/<int:notification_id>/read")
@access.login
def read(notification_id: int):
    return form_action(
        PlainForm(),
        lambda session: mark_read(session, current_user.person, notification_id, utcnow()),
        done=_("The notification is marked as read."),
        to=url_for("notifications.index") + f"#notification-{notification_id}",
        back=url_for("notifications.index"),
    )


@bp.post("/notifications/read")
@access.login
def read_all():
    return form_action(
        PlainForm(),
        lambda session: mark_all_read(session, current_user.person, utcnow()),
        done=_("All notifications are marked as read."),
        to=url_for("notifications.index"),
    )


__all__ = ["bp"]
