"""Words that several parts show: roles (in the group, of an account, on the association's
board), the rungs of the participation ladder, a support request's kinds, states, events and
respond-by.

Each fact is put into words here once, as :class:`~engine.i18n.Msg` values in the engine's
catalogue; pages (``|msg``, ``render_msg``), mail and the CLI render them in the reader's
language. Nothing here decides anything: callers pass in what they know.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from engine.i18n import Msg, msg, nmsg

# -- stage kinds -----------------------------------------------------------------------------------

#: a stage id the shipped templates share, named for what every template does in it: the coach's
#: screens count and filter across templates by these; each template names its own stage itself
STAGE_KINDS: dict[str, Msg] = {
    "proposal": msg("Proposal"),
    "visioning": msg("Vision and design"),
    "consultation": msg("Neighbourhood consultation"),
    "municipal_support": msg("Preparation with the municipality"),
    "execution": msg("Execution"),
    "maintenance": msg("Self-management"),
}


# -- roles -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """A name as a label on its own and inside a sentence."""

    #: on its own, as a label: "Initiator"
    label: Msg
    #: inside a sentence: "… joined the group as initiator"
    noun: Msg


@dataclass(frozen=True)
class RoleWords(Words):
    """A role in the group, also as a group of people."""

    #: a group of them: "Only initiators can do this."
    plural: Msg


ROLES: dict[str, RoleWords] = {
    "initiator": RoleWords(msg("Initiator"), msg("initiator"), msg("initiators")),
    "member": RoleWords(msg("Member"), msg("member"), msg("members")),
    "partner": RoleWords(msg("Partner"), msg("partner"), msg("partners")),
    "coach": RoleWords(msg("Process coach"), msg("process coach"), msg("process coaches")),
}


#: what an account is (``Person.role``), as a label on the admin's pages
ACCOUNT_ROLES: dict[str, Msg] = {
    "resident": msg("Resident"),
    "coach": ROLES["coach"].label,
    "admin": msg("Admin"),
}


#: a place in the residents' association (engine.maintenance.association)
ASSOCIATION_ROLE_WORDS: dict[str, Words] = {
    "member": Words(msg("Member"), msg("member")),
    "chair": Words(msg("Chair"), msg("chair")),
    "secretary": Words(msg("Secretary"), msg("secretary")),
    "treasurer": Words(msg("Treasurer"), msg("treasurer")),
    "board": Words(msg("Board member"), msg("board member")),
}


def role_words(role: str) -> RoleWords:
    """The words for a role; an unknown role is shown as its code."""
    found = ROLES.get(role)
    if found is None:
        unknown = Msg(role)
        return RoleWords(unknown, unknown, unknown)
    return found


# -- the participation ladder ----------------------------------------------------------------


@dataclass(frozen=True)
class LevelWords(Words):
    """A rung of the participation ladder (Edelenbos); templates name it by its Dutch word."""

    #: who holds the pen: "the residents advise, the municipality decides"
    meaning: Msg


PARTICIPATION: dict[str, LevelWords] = {
    "informeren": LevelWords(
        msg("Inform"), msg("inform"), msg("the municipality informs the residents")
    ),
    "raadplegen": LevelWords(
        msg("Consult"), msg("consult"), msg("the residents are asked for their opinion")
    ),
    "adviseren": LevelWords(
        msg("Advise"), msg("advise"), msg("the residents advise, the municipality decides")
    ),
    "coproduceren": LevelWords(
        msg("Co-produce"),
        msg("co-produce"),
        msg("residents and municipality work it out together"),
    ),
    "meebeslissen": LevelWords(
        msg("Co-decide"),
        msg("co-decide"),
        msg("the residents decide together with the municipality"),
    ),
    "zelfbeheer": LevelWords(
        msg("Self-management"), msg("self-management"), msg("the residents run it themselves")
    ),
}


# -- a support request's respond-by ----------------------------------------------------------


def respond_by_phrase(standing: str, num: int) -> Msg:
    """Short, next to the request: "3 days late", "answer due today", "2 working days left"."""
    if standing == "late":
        return nmsg("%(num)d day late", "%(num)d days late", num)
    if standing == "today":
        return msg("answer due today")
    return nmsg("%(num)d working day left", "%(num)d working days left", num)


def respond_by_sentence(standing: str, num: int) -> Msg:
    """A whole sentence, for a coach who looks at the initiative as a whole."""
    if standing == "late":
        return nmsg(
            "A support request is %(num)d day past its respond-by date.",
            "A support request is %(num)d days past its respond-by date.",
            num,
        )
    if standing == "today":
        return msg("A support request must be answered today.")
    return nmsg(
        "A support request must be answered within %(num)d working day.",
        "A support request must be answered within %(num)d working days.",
        num,
    )


# -- a support request's kinds, states and events --------------------------------------------

SUPPORT_KINDS: dict[str, Msg] = {
    "advice": msg("Advice or expertise (for example urban design)"),
    "permit": msg("A permit"),
    "funding": msg("Funding or a subsidy"),
    "works": msg("Physical works (for example removing asphalt)"),
    "materials": msg("Materials"),
    "right_to_challenge": msg("Right to challenge: taking over a municipal task"),
}
SUPPORT_STATUSES: dict[str, Msg] = {
    "submitted": msg("Submitted, waiting for the municipality"),
    "acknowledged": msg("Acknowledged, the municipality is looking into it"),
    "accepted": msg("Accepted, the municipality will do it"),
    "declined": msg("Declined"),
    "delivered": msg("Delivered"),
    "withdrawn": msg("Withdrawn by the group"),
}


@dataclass(frozen=True)
class SupportEventWords:
    #: on the request's own page, which already says which request: "The group filed the request"
    alone: Msg
    #: in the initiative's history, with who and which request: "Anna asked … : A permit"
    told: Msg


SUPPORT_EVENTS: dict[str, SupportEventWords] = {
    "support.filed": SupportEventWords(
        msg("The group filed the request"),
        msg("%(name)s asked the municipality for support: %(kind)s"),
    ),
    "support.acknowledged": SupportEventWords(
        msg("The municipality acknowledged the request"),
        msg("%(name)s acknowledged the support request: %(kind)s"),
    ),
    "support.accepted": SupportEventWords(
        msg("The municipality accepted the request"),
        msg("%(name)s accepted the support request: %(kind)s"),
    ),
    "support.declined": SupportEventWords(
        msg("The municipality declined the request"),
        msg("%(name)s declined the support request: %(kind)s"),
    ),
    "support.delivered": SupportEventWords(
        msg("The municipality delivered"),
        msg("%(name)s marked the support request as delivered: %(kind)s"),
    ),
    "support.withdrawn": SupportEventWords(
        msg("The group withdrew the request"),
        msg("%(name)s withdrew the support request: %(kind)s"),
    ),
}


def support_event(kind: str, data: Mapping[str, Any] | None, actor: str | None = None) -> Msg:
    """A support event in words: on the request's page (no ``actor``), or in the history."""
    data = data or {}
    if kind == "support.assigned":
        coach = data.get("name")
        if actor is None:
            if coach:
                return msg("Assigned to %(name)s", name=coach)
            return msg("No longer assigned to a process coach")
        if coach:
            return msg("%(name)s gave the support request to %(coach)s", name=actor, coach=coach)
        return msg("%(name)s took the support request off a coach's list", name=actor)
    words = SUPPORT_EVENTS.get(kind)
    if words is None:
        return msg("Changed") if actor is None else msg("%(name)s made a change", name=actor)
    if actor is None:
        return words.alone
    label = SUPPORT_KINDS.get(data.get("request_kind") or "", msg("support"))
    return words.told.with_params(name=actor, kind=label)
