"""The consultation on the initiative page: the question of the current stage's consultation,
until when neighbours can respond, and the way to it; for the group, the way to open one."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.consultations.queries import of_stage
from engine.models import Person
from engine.pages import InitiativePage
from engine.permissions import can_run_consultation
from web.consultation.routes import bp
from web.panels import Panel, register_panel


def load_consultation_panel(
    session: Session, page: InitiativePage, person: Person | None, now: datetime
) -> dict[str, Any] | None:
    """The consultation of the current stage (one query, none when the page's guard facts say
    the stage has none); None when there is nothing to show."""
    guards = page.guards
    found = (
        of_stage(session, page.initiative) if guards is None or guards.consultation_held else None
    )
    runs = can_run_consultation(page.role)
    if found is None and not runs:
        return None
    return {"consultation": found, "runs": runs}


register_panel(
    bp, Panel("consultation", "consultation/_panel.html", "side", 5, load_consultation_panel)
)
