"""The initiative page's panels: each blueprint registers its own, the page's view loads them.

A panel is a template of a blueprint (``support/_panel.html``…), the slot and order it takes on
the page, who may see it, and a loader that gathers what it shows. The initiative page's view
asks the registry for the panels the visitor may see, calls each loader once — with the loaded
page, the visitor and the time, never the request — and hands the results to the template, which
only renders (``panel_data`` in the panel's template). A loader that answers ``None`` leaves its
panel out (nothing to show yet). A panel whose template does not exist stops the app at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from flask import Blueprint
from flask.blueprints import BlueprintSetupState
from flask.sansio.app import App
from sqlalchemy.orm import Session

from engine.models import Person
from engine.pages import InitiativePage
from engine.permissions import is_staff

#: the columns of the initiative page
SLOTS = ("main", "side")
EXTENSION = "verbinding.panels"


class Loader(Protocol):
    def __call__(
        self, session: Session, page: InitiativePage, person: Person | None, now: datetime, /
    ) -> Any: ...


#: who may see a panel: (the visitor's role in the group, the visitor) → yes or no
Audience = Callable[[str | None, Person | None], bool]


def everyone(_role: str | None, _person: Person | None) -> bool:
    """Everyone who may see the initiative page."""
    return True


def group_and_staff(role: str | None, person: Person | None) -> bool:
    """The group (any role in it, the group's coach too) and the municipality's staff."""
    return role is not None or is_staff(person)


def group(role: str | None, person: Person | None) -> bool:
    """Logged-in people with a role in the group."""
    return role is not None and person is not None


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    slot: str
    order: int
    #: gathers what the panel shows; without one the panel renders from the page itself
    loader: Loader | None = None
    shown_to: Audience = everyone


@dataclass(frozen=True)
class LoadedPanel:
    panel: Panel
    data: Any

    @property
    def template(self) -> str:
        return self.panel.template


def register_panel(bp: Blueprint, panel: Panel) -> None:
    """Put ``panel`` on the initiative page of every app ``bp`` is registered on."""
    if panel.slot not in SLOTS:
        raise ValueError(f"panel {panel.name}: slot {panel.slot!r} is not one of {SLOTS}")

    def add(state: BlueprintSetupState) -> None:
        registry = panels_of(state.app)
        if any(p.name == panel.name for p in registry):
            raise RuntimeError(f"two panels are called {panel.name!r}")
        # an unknown template is an error now, not a panel silently missing from the page
        # (found, not compiled: the blueprints' filters may not be registered yet)
        env = state.app.jinja_env
        if env.loader is None:
            raise RuntimeError("the app has no template loader")
        env.loader.get_source(env, panel.template)
        registry.append(panel)
        registry.sort(key=lambda p: (SLOTS.index(p.slot), p.order, p.name))

    bp.record_once(add)


def panels_of(app: App) -> list[Panel]:
    """Every panel registered on ``app``, in page order."""
    return app.extensions.setdefault(EXTENSION, [])


def load_panels(
    app: App, session: Session, page: InitiativePage, person: Person | None, now: datetime
) -> dict[str, list[LoadedPanel]]:
    """The panels the visitor may see, per slot, each loader called once."""
    shown: dict[str, list[LoadedPanel]] = {slot: [] for slot in SLOTS}
    for panel, data in _load(panels_of(app), session, page, person, now):
        shown[panel.slot].append(LoadedPanel(panel, data))
    return shown


def _load(
    panels: list[Panel],
    session: Session,
    page: InitiativePage,
    person: Person | None,
    now: datetime,
) -> Iterator[tuple[Panel, Any]]:
    for panel in panels:
        if not panel.shown_to(page.role, person):
            continue
        if panel.loader is None:
            yield panel, None
            continue
        data = panel.loader(session, page, person, now)
        if data is not None:
            yield panel, data
