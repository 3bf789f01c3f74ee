"""Support requests in the initiative's history, in words (see web.initiatives.history)."""

from __future__ import annotations

from flask_babel import gettext as _

from engine.operations.support import KIND_LABELS
from web.i18n import render_msg
from web.initiatives.history import actor, describes


def _kind(view) -> str:
    found = KIND_LABELS.get((view.event.data or {}).get("request_kind"))
    return render_msg(found) if found is not None else _("support")


@describes("support.filed")
def _filed(view, history):
    return _("%(name)s asked the municipality for support: %(kind)s", name=actor(view),
             kind=_kind(view))  # fmt: skip


@describes("support.acknowledged")
def _acknowledged(view, history):
    return _("%(name)s acknowledged the support request: %(kind)s", name=actor(view),
             kind=_kind(view))  # fmt: skip


@describes("support.accepted")
def _accepted(view, history):
    return _("%(name)s accepted the support request: %(kind)s", name=actor(view),
             kind=_kind(view))  # fmt: skip


@describes("support.declined")
def _declined(view, history):
    return _("%(name)s declined the support request: %(kind)s", name=actor(view),
             kind=_kind(view))  # fmt: skip


@describes("support.delivered")
def _delivered(view, history):
    return _("%(name)s marked the support request as delivered: %(kind)s", name=actor(view),
             kind=_kind(view))  # fmt: skip


@describes("support.withdrawn")
def _withdrawn(view, history):
    return _("%(name)s withdrew the support request: %(kind)s", name=actor(view),
             kind=_kind(view))  # fmt: skip


@describes("support.assigned")
def _assigned(view, history):
    coach = (view.event.data or {}).get("name")
    if coach:
        return _("%(name)s gave the support request to %(coach)s", name=actor(view), coach=coach)
    return _("%(name)s took the support request off a coach's list", name=actor(view))
