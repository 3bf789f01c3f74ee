"""Coach notes, concerns and assignments in the initiative's history, in words."""

from __future__ import annotations

from flask_babel import gettext as _

from web.initiatives.history import actor, describes


@describes("coach.note")
def _note(view, history):
    return _("%(name)s wrote a note as process coach", name=actor(view))


@describes("coach.concern")
def _concern(view, history):
    return _("%(name)s flagged a concern", name=actor(view))


@describes("coach.concern_cleared")
def _cleared(view, history):
    return _("%(name)s cleared the concern", name=actor(view))


@describes("coach.assigned")
def _assigned(view, history):
    coach = (view.event.data or {}).get("name") or _("someone")
    return _("%(name)s made %(coach)s process coach of this initiative", name=actor(view),
             coach=coach)  # fmt: skip


@describes("coach.unassigned")
def _unassigned(view, history):
    coach = (view.event.data or {}).get("name") or _("someone")
    return _("%(name)s ended %(coach)s's assignment as process coach", name=actor(view),
             coach=coach)  # fmt: skip
