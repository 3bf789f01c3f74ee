"""The history's words for the consultation: opened, closed, an idea answered, a post hidden."""

from __future__ import annotations

from datetime import date

from flask import g
from flask_babel import gettext as _
from flask_login import current_user

from engine.history import EventView, History
from engine.permissions import sees_hidden_reason
from web.i18n import day
from web.initiatives.history import _data, _person, _stage, actor, describes


@describes("consultation.opened")
def _opened(view: EventView, history: History) -> str:
    data = _data(view)
    try:
        last = day(date.fromisoformat(str(data.get("ends_on"))))
    except ValueError:
        last = "?"
    return _(
        "%(name)s opened the neighbourhood's consultation on the stage %(stage)s, until %(date)s",
        name=actor(view), stage=_stage(history, data.get("stage")), date=last,
    )  # fmt: skip


@describes("consultation.closed")
def _closed(view: EventView, history: History) -> str:
    stage = _stage(history, _data(view).get("stage"))
    if view.event.actor_id is None:
        return _("The consultation on the stage %(stage)s closed: its last day was over",
                 stage=stage)  # fmt: skip
    return _("%(name)s closed the consultation on the stage %(stage)s", name=actor(view),
             stage=stage)  # fmt: skip


@describes("consultation.idea_marked")
def _marked(view: EventView, history: History) -> str:
    data = _data(view)
    if data.get("outcome") == "adopted":
        return _("%(name)s said the group took up an idea from the consultation", name=actor(view))
    return _("%(name)s said the group did not take up an idea from the consultation, because: "
             "%(reason)s", name=actor(view), reason=data.get("reason") or "?")  # fmt: skip


@describes("consultation.post_hidden")
def _hidden(view: EventView, history: History) -> str:
    data = _data(view)
    person = current_user.person if current_user.is_authenticated else None
    # nothing of a hidden post shows publicly, not even who wrote it
    if not sees_hidden_reason(person, g.get("member_role")):
        return _("%(name)s hid a post in the consultation", name=actor(view))
    said = _("%(name)s hid a post in the consultation by %(author)s", name=actor(view),
             author=_person(history, data.get("person")))  # fmt: skip
    reason = data.get("reason")
    if reason:
        return _("%(said)s, because: %(reason)s", said=said, reason=reason)
    return said
