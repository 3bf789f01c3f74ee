"""The survey on the initiative page: answer it, or (for the group) build it and see results."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.models import Person
from engine.pages import InitiativePage
from engine.permissions import can_build_survey
from engine.surveys.results import survey_line
from web.panels import Panel, register_panel
from web.surveys.routes import bp


def load_survey_panel(
    session: Session, page: InitiativePage, person: Person | None, now: datetime
) -> dict[str, Any] | None:
    """The survey's title, state and answer count (one statement, none when the page's guard
    facts say there is no survey); nothing for the public while there is none."""
    guards = page.guards
    survey = (
        survey_line(session, page.initiative.id) if guards is None or guards.has_survey else None
    )
    builds = can_build_survey(page.role)
    if (survey is None or survey.status == "draft") and not builds:
        return None
    return {
        "survey": survey,
        "builds": builds,
        "answers": survey.answers if survey is not None else 0,
    }


register_panel(bp, Panel("survey", "surveys/_panel.html", "side", 15, load_survey_panel))
