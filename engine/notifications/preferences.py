"""The kinds of notification a reader chooses about: name, audience, label, default delivery.

A leaf module: engine.reminders.rules lists these with its own kinds, so one settings page
covers both.
"""

from __future__ import annotations

from engine.i18n import Msg, msg

#: the preference kinds of notifications, in the order the settings page lists them
PREFERENCES: tuple[tuple[str, str, Msg, str], ...] = (
    ("decisions", "members", msg("A group decision opens or closes"), "immediate"),
    (
        "decision_closing",
        "members",
        msg("A decision closes within 48 hours and you have not voted"),
        "immediate",
    ),
    (
        "join_requests",
        "members",
        msg("Someone asks to join, or your request is answered"),
        "immediate",
    ),
    ("membership", "members", msg("Someone joins or leaves the group"), "daily"),
    ("support_updates", "members", msg("The municipality answers a support request"), "immediate"),
    ("stage_moves", "members", msg("The group moves to another stage"), "immediate"),
    ("concerns", "members", msg("A coach raises or clears a concern"), "immediate"),
    ("step_assigned", "members", msg("A step is assigned to you"), "immediate"),
    ("rota", "members", msg("A maintenance turn is assigned to you or swapped"), "immediate"),
    ("pauses", "members", msg("The group pauses or resumes"), "immediate"),
    ("messages", "members", msg("A new message in a conversation you take part in"), "immediate"),
    ("surveys", "members", msg("The group's survey closes"), "immediate"),
    (
        "consultation",
        "members",
        msg("A neighbour posts an idea or reaction in the group's consultation"),
        "daily",
    ),
    ("meetings", "members", msg("News about a meeting you are going to"), "immediate"),
    ("support_filed", "coaches", msg("A group files a support request"), "immediate"),
)
