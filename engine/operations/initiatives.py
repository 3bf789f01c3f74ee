"""Starting an initiative (by residents, or by a process coach on behalf of residents) and
its basics: title, description, who can see it, how people join it.

The group itself — joining, requests, invitations, leaving, removal, roles — is in
:mod:`engine.operations.membership` and its neighbours.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import InvalidInput, PermissionDenied
from engine.i18n import DEFAULT_LOCALE, LOCALES, msg
from engine.models import CoachAssignment, Initiative, Membership, Neighbourhood, Person, StagePlan
from engine.models.initiatives import JOIN_POLICIES, VISIBILITIES
from engine.operations.common import check_version, get_initiative, member_role, record
from engine.operations.invitations import (  # noqa: F401  (their home before the split)
    INVITABLE_ROLES,
    INVITATION_DAYS,
    accept_invitation,
    find_invitation,
    invite,
)
from engine.operations.membership import stands_in_for
from engine.permissions import can_change, can_change_settings, is_staff
from engine.workflows.versions import definition_of, latest_version


def _clean_title(title: str) -> str:
    title = " ".join((title or "").split())
    if not 3 <= len(title) <= 200:
        raise InvalidInput(msg("A title has between 3 and 200 characters."), field="title")
    return title


def _clean_description(description: str) -> str:
    description = (description or "").strip()
    if len(description) > 20000:
        raise InvalidInput(msg("A description has at most 20,000 characters."), field="description")
    return description


def _settings(visibility: str, join_policy: str) -> None:
    if visibility not in VISIBILITIES:
        raise InvalidInput(msg("Choose who can see the initiative."), field="visibility")
    if join_policy not in JOIN_POLICIES:
        raise InvalidInput(msg("Choose how people join the group."), field="join_policy")


def _language(language: str) -> None:
    if language not in LOCALES:
        raise InvalidInput(msg("Choose the language the group writes in."), field="language")


def create_initiative(
    session: Session,
    actor: Person,
    *,
    workflow: str,
    neighbourhood_id: int,
    title: str,
    description: str,
    now: datetime,
    visibility: str = "public",
    join_policy: str = "approval",
    language: str = DEFAULT_LOCALE,
) -> Initiative:
    """Start an initiative on the newest version of a template, with the actor as initiator.

    A process coach (or an admin) starts it on behalf of residents instead: they are recorded
    as ``created_by`` and as its coach, never as a member; the first resident to accept their
    invitation becomes the initiator.
    """
    title = _clean_title(title)
    description = _clean_description(description)
    _settings(visibility, join_policy)
    _language(language)
    if session.get(Neighbourhood, neighbourhood_id) is None:
        raise InvalidInput(msg("Choose a neighbourhood from the list."), field="neighbourhood_id")
    version = latest_version(session, workflow)
    defn = definition_of(version)
    on_behalf = is_staff(actor)
    initiative = Initiative(
        title=title,
        description=description,
        neighbourhood_id=neighbourhood_id,
        workflow_version_id=version.id,
        state=defn.initial,
        graph_key="",
        visibility=visibility,
        join_policy=join_policy,
        language=language,
        is_on_behalf=on_behalf,
        stage_entered_dt=now,
        last_activity_dt=now,
        created_dt=now,
        created_by_id=actor.id,
    )
    session.add(initiative)
    session.flush()
    if on_behalf:  # the coach looks after it (their caseload shows it), as staff
        session.add(
            CoachAssignment(
                coach_id=actor.id, initiative_id=initiative.id, created_dt=now,
                created_by_id=actor.id,
            )
        )  # fmt: skip
    else:
        session.add(
            Membership(
                initiative_id=initiative.id, person_id=actor.id, role="initiator", joined_dt=now
            )
        )
    for position, stage in enumerate(defn.stages):
        session.add(StagePlan(initiative_id=initiative.id, stage_key=stage.id, position=position))
    extra: dict[str, Any] = {"on_behalf": True} if on_behalf else {}
    record(
        session, initiative, actor, now, "created",
        to_stage=defn.initial, workflow=defn.name, version=version.version, **extra,
    )  # fmt: skip
    session.flush()
    return initiative


def require_basics(session: Session, initiative: Initiative, actor: Person) -> None:
    """The group changes its title and description; so does the coach who started it on
    behalf of residents, until the first of them has joined."""
    if can_change(member_role(session, initiative.id, actor.id)):
        return
    if not stands_in_for(session, initiative, actor):
        raise PermissionDenied(msg("Only the members of this initiative can change it."))


def require_settings(session: Session, initiative: Initiative, actor: Person) -> None:
    """Who sees the initiative and how people join: the initiators decide. (A coach starting
    it on behalf of residents chooses both when starting it, and leaves them to the group.)"""
    if not can_change_settings(member_role(session, initiative.id, actor.id)):
        raise PermissionDenied(
            msg("Only initiators change who can see the initiative and how people join it.")
        )


def update_initiative(
    session: Session,
    actor: Person,
    initiative_id: int,
    *,
    title: str,
    description: str,
    now: datetime,
    expected_version: int | None = None,
    language: str | None = None,
) -> Initiative:
    """Change the title and description (and the language they are written in)."""
    initiative = get_initiative(session, initiative_id)
    require_basics(session, initiative, actor)
    check_version(initiative, expected_version)
    title, description = _clean_title(title), _clean_description(description)
    if language is not None:
        _language(language)
        initiative.language = language
    initiative.title, initiative.description = title, description
    record(session, initiative, actor, now, "updated")
    session.flush()
    return initiative


def set_visibility(
    session: Session,
    actor: Person,
    initiative_id: int,
    visibility: str,
    now: datetime,
    expected_version: int | None = None,
) -> Initiative:
    """Show the initiative to everyone, or to its members only until the group is ready."""
    initiative = get_initiative(session, initiative_id)
    require_settings(session, initiative, actor)
    check_version(initiative, expected_version)
    _settings(visibility, initiative.join_policy)
    if visibility != initiative.visibility:
        old, initiative.visibility = initiative.visibility, visibility
        record(session, initiative, actor, now, "visibility", old=old, new=visibility)
        session.flush()
    return initiative


def set_join_policy(
    session: Session,
    actor: Person,
    initiative_id: int,
    join_policy: str,
    now: datetime,
    expected_version: int | None = None,
) -> Initiative:
    """Let residents join at once ("open"), or have an initiator approve each one."""
    initiative = get_initiative(session, initiative_id)
    require_settings(session, initiative, actor)
    check_version(initiative, expected_version)
    _settings(initiative.visibility, join_policy)
    if join_policy != initiative.join_policy:
        old, initiative.join_policy = initiative.join_policy, join_policy
        record(session, initiative, actor, now, "join_policy", old=old, new=join_policy)
        session.flush()
    return initiative
