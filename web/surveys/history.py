"""The history's words for the survey: started, opened and closed (answers are not history)."""

from __future__ import annotations

from flask_babel import gettext as _

from engine.history import EventView, History
from web.initiatives.history import _data, actor, describes


@describes("survey.created")
def _created(view: EventView, history: History) -> str:
    return _("%(name)s started the survey “%(title)s”", name=actor(view),
             title=_data(view).get("title", ""))  # fmt: skip


@describes("survey.opened")
def _opened(view: EventView, history: History) -> str:
    return _("%(name)s opened the survey “%(title)s”", name=actor(view),
             title=_data(view).get("title", ""))  # fmt: skip


@describes("survey.closed")
def _closed(view: EventView, history: History) -> str:
    title = _data(view).get("title", "")
    if view.actor_name is None:
        return _("The survey “%(title)s” closed on its last day", title=title)
    return _("%(name)s closed the survey “%(title)s”", name=actor(view), title=title)
