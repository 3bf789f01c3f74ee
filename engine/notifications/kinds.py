"""What people are told about: each event kind, the sentence that says it, and the preference
kind a reader chooses about (at once, daily, weekly or off) on the reminder settings page.

The preference kinds (engine.notifications.preferences) are among engine.reminders.rules.KINDS,
so the settings page and the one-click unsubscribe treat them like the reminder kinds.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.i18n import Msg, msg
from engine.reminders.rules import KINDS


@dataclass(frozen=True)
class EventKind:
    """One thing that happens: what the reader's preference is called, and how it is said."""

    name: str
    #: the preference kind (a key of engine.reminders.rules.KINDS)
    pref: str
    #: one sentence; its parameters come from the event's data (actor, initiative, title, …)
    sentence: Msg
    #: about the pause itself: the only kinds a paused group is told about
    is_pause: bool = False


_E = EventKind
#: name → event kind
EVENTS: dict[str, EventKind] = {
    e.name: e
    for e in (
        _E("decision_opened", "decisions",
           msg("%(actor)s asks the group to decide: “%(title)s”.")),
        _E("decision_closing", "decision_closing",
           msg("The decision “%(title)s” closes on %(closes_dt)s. You have not voted yet.")),
        _E("decision_approved", "decisions",
           msg("The decision “%(title)s” is taken: approved.")),
        _E("decision_rejected", "decisions",
           msg("The decision “%(title)s” is taken: not approved.")),
        _E("join_requested", "join_requests",
           msg("%(actor)s asks to join the group.")),
        _E("join_approved", "join_requests",
           msg("Your request to join was approved. Welcome!")),
        _E("join_declined", "join_requests",
           msg("Your request to join was declined.")),
        _E("member_joined", "membership", msg("%(name)s joined the group.")),
        _E("member_left", "membership", msg("%(name)s left the group.")),
        _E("initiator_needed", "membership",
           msg("The group has no initiator any more. Who of you takes over?")),
        _E("support_filed", "support_filed",
           msg("%(actor)s asks the municipality for support: “%(title)s”.")),
        _E("support_filed_unassigned", "support_filed",
           msg("%(actor)s asks the municipality for support: “%(title)s”. No coach looks "
               "after this area yet.")),
        _E("support_acknowledged", "support_updates",
           msg("The municipality has seen your support request “%(title)s”.")),
        _E("support_accepted", "support_updates",
           msg("The municipality accepted your support request “%(title)s”.")),
        _E("support_declined", "support_updates",
           msg("The municipality declined your support request “%(title)s”.")),
        _E("support_delivered", "support_updates",
           msg("The municipality delivered what you asked for in “%(title)s”.")),
        _E("stage_moved", "stage_moves",
           msg("%(actor)s moved the group on to the stage “%(stage)s”.")),
        _E("concern_raised", "concerns",
           msg("Your coach is concerned: “%(title)s”.")),
        _E("concern_cleared", "concerns",
           msg("Your coach no longer has a concern about the initiative.")),
        _E("step_assigned", "step_assigned",
           msg("%(actor)s asks you to take on the step “%(title)s”.")),
        _E("rota_assigned", "rota",
           msg("The turn “%(title)s” on %(date)s is now yours.")),
        _E("rota_swapped", "rota",
           msg("Your turn “%(title)s” on %(date)s was swapped.")),
        _E("initiative_paused", "pauses",
           msg("%(actor)s paused the initiative. Nothing is due while it pauses."),
           is_pause=True),
        _E("initiative_resumed", "pauses",
           msg("%(actor)s resumed the initiative."), is_pause=True),
        _E("meeting_message", "meetings",
           msg("%(actor)s about the meeting “%(title)s”: %(text)s")),
        _E("meeting_changed", "meetings",
           msg("%(actor)s changed the meeting “%(title)s”: it is now from %(start_dt)s to "
               "%(end_dt)s at %(place)s, %(address)s.")),
        _E("meeting_cancelled", "meetings",
           msg("%(actor)s cancelled the meeting “%(title)s” of %(start_dt)s.")),
        _E("message_posted", "messages",
           msg("%(actor)s wrote in “%(title)s”.")),
        _E("survey_closed", "surveys",
           msg("The survey “%(title)s” is closed. Look at the results.")),
        _E("idea_posted", "consultation",
           msg("%(actor)s responded to the consultation “%(title)s”.")),
    )
}  # fmt: skip

#: the mail subject (and the page's heading) of every kind: the initiative and the gist
SUBJECT = msg("%(initiative)s: %(sentence)s")


def event_kind(name: str) -> EventKind:
    found = EVENTS.get(name)
    if found is None:
        raise KeyError(f"unknown notification kind {name!r}")
    return found


def default_mode(pref: str) -> str:
    return KINDS[pref].default_mode
