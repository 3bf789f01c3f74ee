"""The discussion on the initiative page: a link to it, the group's process coaches by name,
open reports for those who deal with them, and how much was said about each decision."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.discussions.queries import coach_names_and_reports, decision_message_counts, standing
from engine.models import Person
from engine.pages import InitiativePage
from web.discussions.routes import bp
from web.panels import Panel, register_panel


def load_discussion_panel(
    session: Session, page: InitiativePage, person: Person | None, now: datetime
) -> dict[str, Any]:
    """The link to the discussion, the group's coaches by name, and open reports (for those
    who deal with them). The coaches' names are for the group and the staff (the panel shows
    them where the visitor ``sees_reasons``): not looked up for the public."""
    who = standing(session, page.initiative, person, page.role, known=True)
    coaches: list[str] = []
    reports = 0
    if who.sees_reasons or who.moderates:
        coaches, reports = coach_names_and_reports(session, page.initiative)
    return {
        "who": who,
        #: their names
        "coaches": coaches if who.sees_reasons else [],
        "reports": reports if who.moderates else 0,
        #: decision id → messages in its discussion, for the link under each decision
        "decision_messages": decision_message_counts(session, page.initiative.id)
        if page.decisions
        else {},
    }


register_panel(
    bp, Panel("discussion", "discussions/_panel.html", "side", 10, load_discussion_panel)
)
