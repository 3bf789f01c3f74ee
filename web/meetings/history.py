"""The meeting events of an initiative's history, in words."""

from __future__ import annotations

from engine.history import EventView, History
from web.i18n import lazy_gettext as _l
from web.initiatives.history import _data, actor, describes

SENTENCES = {
    "meeting.planned": _l("%(name)s planned the meeting “%(title)s”"),
    "meeting.changed": _l("%(name)s changed the meeting “%(title)s”"),
    "meeting.cancelled": _l("%(name)s cancelled the meeting “%(title)s”"),
    "meeting.message": _l("%(name)s sent a message to those going to “%(title)s”"),
    "meeting.minutes": _l("%(name)s attached the minutes of the meeting “%(title)s”"),
    "meeting.paper_added": _l("%(name)s signed people up from a paper list for “%(title)s”"),
    "meeting.paper_removed": _l("%(name)s took a sign-up off the paper list of “%(title)s”"),
}


@describes(*SENTENCES)
def _meeting(view: EventView, _history: History) -> str:
    title = str(_data(view).get("title") or "")
    return str(SENTENCES[view.event.kind]) % {"name": actor(view), "title": title}
