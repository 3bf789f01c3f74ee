"""Who may do what. Every rule about access lives here, for the engine and the web alike."""

from __future__ import annotations

from engine.models import Initiative, Person

#: membership roles that make someone part of the group that runs the initiative
RESIDENT_ROLES = frozenset({"initiator", "member", "partner"})
STAFF_ROLES = frozenset({"coach", "admin"})


def is_staff(person: Person | None) -> bool:
    return person is not None and person.role in STAFF_ROLES


def can_view(initiative: Initiative, person: Person | None, member_role: str | None) -> bool:
    """Public initiatives are open to all; hidden ones to their members and staff."""
    if initiative.visibility == "public":
        return True
    return member_role is not None or is_staff(person)


def can_read_private(person: Person | None, member_role: str | None) -> bool:
    """Coach notes and concern reasons: the group (any role in it) and the municipality's staff,
    as on the coach's notes panel; never an outsider or an anonymous visitor."""
    return member_role is not None or is_staff(person)


def can_change(member_role: str | None) -> bool:
    """Only the resident group changes its own process: not coaches, not outsiders."""
    return member_role in RESIDENT_ROLES


def can_manage_members(member_role: str | None) -> bool:
    """Initiators approve and decline join requests, remove members and hand out roles."""
    return member_role == "initiator"


def can_change_settings(member_role: str | None) -> bool:
    """Who can see the initiative and how people join it: the initiators decide."""
    return member_role == "initiator"


def may_take_part(person: Person | None) -> bool:
    """Only residents become members or initiators; staff support, they never join."""
    return person is not None and not is_staff(person)


def stands_in(initiative: Initiative, person: Person | None, residents: int) -> bool:
    """The process coach who started an initiative on behalf of residents looks after its
    basics and invites them, until the first resident has joined (``residents`` counts them).
    """
    return (
        residents == 0
        and initiative.is_on_behalf
        and person is not None
        and is_staff(person)
        and initiative.created_by_id == person.id
    )


def can_fire(member_role: str | None, allowed_roles: tuple[str, ...]) -> bool:
    return member_role in RESIDENT_ROLES and member_role in allowed_roles


def electorate_roles(rule: str) -> frozenset[str]:
    """The roles in the group that decide by this rule when a decision opens."""
    return frozenset({"initiator"}) if rule == "initiators" else RESIDENT_ROLES


def can_vote(member_role: str | None, is_elector: bool) -> bool:
    """Only someone of the electorate fixed when the decision opened, still in the group."""
    return is_elector and member_role in RESIDENT_ROLES


# --- zelfbeheer -------------------------------------------------------------------------------
# The association's board (any place on it) and the initiative's initiators manage the
# association (name, contact, board places, members), the maintenance agreement and its review,
# the tasks and the rota, and may give any turn to someone else. Every other resident of the
# group looks after their own turns: records them and asks someone else to swap, who agrees
# or not. Coaches confirm the agreement for the municipality and otherwise only watch.


def can_found_association(member_role: str | None) -> bool:
    """The initiators register the association and choose its first board."""
    return member_role == "initiator"


def can_manage_maintenance(member_role: str | None, board_role: str | None) -> bool:
    """The association's board and the initiators manage the association, agreement, tasks
    and rota (a board place counts only while its holder is in the resident group)."""
    if member_role not in RESIDENT_ROLES:
        return False
    return member_role == "initiator" or board_role is not None


def can_handle_turn(member_role: str | None, board_role: str | None, own: bool) -> bool:
    """Record a turn (done, missed, skipped) or step out of a rota: one's own, or as manager."""
    if can_manage_maintenance(member_role, board_role):
        return True
    return member_role in RESIDENT_ROLES and own


def can_ask_swap(member_role: str | None, own: bool) -> bool:
    """Ask to swap one's own turn, answer a question asked of oneself, withdraw one's own."""
    return member_role in RESIDENT_ROLES and own


# --- conversation -----------------------------------------------------------------------------
# The group talks in the initiative's discussion and in each decision's; the public reads along
# where the initiative is public. The area's process coaches take part, marked as the
# municipality. The initiators and those coaches also share a private thread, and look after
# the discussion: they hide what should not be there and read the reports. Pausing the process
# does not silence the group: talk goes on while its clocks stand still.


def is_area_coach(person: Person | None, assigned: bool) -> bool:
    """Staff assigned to the initiative or its stadsdeel (``assigned``), and admins."""
    if person is None or not is_staff(person):
        return False
    return assigned or person.role == "admin"


def can_read_discussion(
    initiative: Initiative,
    person: Person | None,
    member_role: str | None,
    area_coach: bool,
    channel: str,
) -> bool:
    """The group's discussion as the initiative itself; the coaches' thread: initiators and
    the area's coaches only."""
    if channel == "coaches":
        return member_role == "initiator" or area_coach
    return can_view(initiative, person, member_role)


def can_write_discussion(
    person: Person | None, member_role: str | None, area_coach: bool, channel: str
) -> bool:
    """The resident group and the area's coaches write; the coaches' thread: initiators too."""
    if person is None:
        return False
    if channel == "coaches":
        return member_role == "initiator" or area_coach
    return member_role in RESIDENT_ROLES or area_coach


def can_moderate_discussion(member_role: str | None, area_coach: bool) -> bool:
    """Initiators and the area's coaches hide messages and deal with reports."""
    return member_role == "initiator" or area_coach


def sees_hidden_text(member_role: str | None, area_coach: bool) -> bool:
    """Who hides messages reads what a hidden one said (to judge it, or undo a mistake); the
    public and the other members do not."""
    return can_moderate_discussion(member_role, area_coach)


def sees_hidden_reason(person: Person | None, member_role: str | None) -> bool:
    """Why a message was hidden is for the group and the municipality's staff, not the public."""
    return member_role is not None or is_staff(person)


# --- the survey -------------------------------------------------------------------------------
# The resident group builds, opens and closes its survey and types in paper answers. Any
# signed-in resident answers it online, once (and may change the answer while it is open).
# Counts are public with the initiative; open answers are the group's and the coaches' unless
# the group publishes them.


def can_build_survey(member_role: str | None) -> bool:
    """The resident group builds the survey, opens and closes it and enters paper answers."""
    return member_role in RESIDENT_ROLES


def may_answer_survey(person: Person | None) -> bool:
    """Residents answer; the municipality's staff do not (they support, never steer)."""
    return person is not None and not is_staff(person)


def can_read_open_answers(person: Person | None, member_role: str | None, published: bool) -> bool:
    """Open answers: the group and the coaches, everyone once the group publishes them."""
    return published or member_role in RESIDENT_ROLES or is_staff(person)


# --- consultation -----------------------------------------------------------------------------
# The group (anyone in it) opens and closes a consultation of the neighbourhood on its stage and
# says what it did with each idea. Residents outside the group post ideas and reactions and
# support other people's ideas; the group and the area's coaches may answer under them. The
# initiators and the area's coaches hide what should not be there, as in the discussion.


def can_run_consultation(member_role: str | None) -> bool:
    """Open, close, and mark what was done with an idea: the resident group."""
    return can_change(member_role)


def can_post_in_consultation(person: Person | None, member_role: str | None) -> bool:
    """Ideas, reactions and supports: signed-in residents who are not in the group."""
    return may_take_part(person) and member_role is None


def can_reply_in_consultation(
    person: Person | None, member_role: str | None, area_coach: bool
) -> bool:
    """A reply: the residents who post, the group, and the area's coaches."""
    return can_post_in_consultation(person, member_role) or (
        person is not None and (member_role in RESIDENT_ROLES or area_coach)
    )
