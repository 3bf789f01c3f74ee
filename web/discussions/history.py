"""The history's words for what happens in a discussion (only hiding a message is history)."""

from __future__ import annotations

from flask import g
from flask_babel import gettext as _
from flask_login import current_user

from engine.history import EventView, History
from engine.permissions import sees_hidden_reason
from web.initiatives.history import _data, _person, actor, describes, written


@describes("message.hidden")
def _message_hidden(view: EventView, history: History) -> str:
    data = _data(view)
    said = _(
        "%(name)s hid a message by %(author)s",
        name=actor(view),
        author=_person(history, data.get("person")),
    )
    person = current_user.person if current_user.is_authenticated else None
    reason = data.get("reason")
    # why is for the group and the municipality, not for every visitor of a public page
    if reason and sees_hidden_reason(person, g.get("member_role")):
        return _("%(said)s, because: %(reason)s", said=said, reason=written(reason))
    return said
