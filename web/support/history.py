"""Support requests in the initiative's history, in words (see web.initiatives.history)."""

from __future__ import annotations

from engine.wording import SUPPORT_EVENTS, support_event
from web.i18n import render_msg
from web.initiatives.history import actor, describes


@describes(*SUPPORT_EVENTS, "support.assigned")
def _support(view, history):
    return render_msg(support_event(view.event.kind, view.event.data, actor=actor(view)))
