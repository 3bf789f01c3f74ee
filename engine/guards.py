"""The registry of named guards that templates may put on a transition.

A guard is a pure function of a :class:`GuardContext` (facts loaded in one query) and its
arguments from the template. It returns ``None`` when it holds, or a message that tells a
resident what to do about it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from typing import Any

from engine.i18n import Msg, msg, nmsg
from engine.workflows.definitions import GuardRef


@dataclass(frozen=True, slots=True)
class GuardContext:
    """What guards may look at, loaded for one initiative in its current stage."""

    member_count: int = 0
    partner_count: int = 0
    open_steps: int = 0
    total_steps: int = 0
    description_length: int = 0
    documents_in_stage: int = 0
    documents_total: int = 0
    #: the initiative's support requests, whatever their state
    support_requests: int = 0
    #: support requests waiting for the municipality's answer (accept or decline)
    waiting_support_requests: int = 0
    #: support requests the municipality accepted and has not delivered yet
    undelivered_support_requests: int = 0
    #: the residents' association: whether it exists, and what it has so far
    association_exists: bool = False
    association_named: bool = False
    association_contact: bool = False
    association_board: int = 0
    association_members: int = 0
    #: whether the initiative has a survey (a draft too), and its answers (online and paper)
    has_survey: bool = False
    survey_answers: int = 0
    #: the neighbourhood's consultation of this stage: whether it was opened, and its visible
    #: ideas, reactions and replies
    consultation_held: bool = False
    consultation_reactions: int = 0
    #: meetings that ended and were not cancelled, and how many of those have minutes
    meetings_held: int = 0
    meetings_with_minutes: int = 0
    #: residents who put their name under the plan
    supporters: int = 0

    @property
    def association_registered(self) -> bool:
        """The association is complete enough to take the maintenance over."""
        return _association_missing(self) == []


@dataclass(frozen=True)
class Param:
    type: type
    default: Any = None
    required: bool = True
    minimum: int | None = None


@dataclass(frozen=True)
class GuardSpec:
    name: str
    check: Callable[..., Msg | None]
    #: what the guard asks, for people reading a template (``workflows show``)
    description: Msg
    params: dict[str, Param] = field(default_factory=dict)


def _min_members(ctx: GuardContext, count: int) -> Msg | None:
    missing = count - ctx.member_count
    if missing <= 0:
        return None
    return nmsg(
        "One more member needed: invite a neighbour to join.",
        "%(num)d more members needed: invite neighbours to join.",
        missing,
    )


def _min_partners(ctx: GuardContext, count: int) -> Msg | None:
    missing = count - ctx.partner_count
    if missing <= 0:
        return None
    return nmsg(
        "One more partner needed (a school, a business, an association): invite them as partner.",
        "%(num)d more partners needed (a school, a business, an association): "
        "invite them as partners.",
        missing,
    )


def _steps_done(ctx: GuardContext) -> Msg | None:
    if ctx.open_steps == 0:
        return None
    return nmsg(
        "One step of this stage is still open: complete it or remove it.",
        "%(num)d steps of this stage are still open: complete or remove them.",
        ctx.open_steps,
    )


def _min_steps(ctx: GuardContext, count: int) -> Msg | None:
    missing = count - ctx.total_steps
    if missing <= 0:
        return None
    return nmsg(
        "Plan at least one more step for this stage.",
        "Plan at least %(num)d more steps for this stage.",
        missing,
    )


def _description_present(ctx: GuardContext, min_length: int) -> Msg | None:
    if ctx.description_length >= min_length:
        return None
    return msg(
        "Describe the initiative in at least %(min)d characters, so others understand the plan.",
        min=min_length,
    )


def _document_present(ctx: GuardContext, count: int, stage_only: bool) -> Msg | None:
    have = ctx.documents_in_stage if stage_only else ctx.documents_total
    missing = count - have
    if missing <= 0:
        return None
    if stage_only:
        return nmsg(
            "Attach a document to this stage (for example the draft plan).",
            "Attach %(num)d more documents to this stage.",
            missing,
        )
    return nmsg(
        "Attach a document to the initiative (for example a drawing or a draft).",
        "Attach %(num)d more documents to the initiative.",
        missing,
    )


def _support_requests_answered(ctx: GuardContext) -> Msg | None:
    if ctx.waiting_support_requests == 0:
        return None
    return nmsg(
        "One support request is still waiting for the municipality's answer.",
        "%(num)d support requests are still waiting for the municipality's answer.",
        ctx.waiting_support_requests,
    )


def _support_delivered(ctx: GuardContext) -> Msg | None:
    if ctx.undelivered_support_requests == 0:
        return None
    return nmsg(
        "The municipality accepted one support request and has not delivered it yet.",
        "The municipality accepted %(num)d support requests and has not delivered them yet.",
        ctx.undelivered_support_requests,
    )


#: what a residents' association needs before it takes the maintenance over: a vereniging is
#: founded by at least two people and has a board
ASSOCIATION_MIN_MEMBERS = 2
ASSOCIATION_MIN_BOARD = 1


def _association_missing(ctx: GuardContext) -> list[Msg]:
    missing = []
    if not ctx.association_named:
        missing.append(msg("its name"))
    if not ctx.association_contact:
        missing.append(msg("a contact person"))
    if ctx.association_board < ASSOCIATION_MIN_BOARD:
        missing.append(msg("a board member"))
    if ctx.association_members < ASSOCIATION_MIN_MEMBERS:
        missing.append(
            nmsg(
                "one more member",
                "%(num)d more members",
                ASSOCIATION_MIN_MEMBERS - ctx.association_members,
            )
        )
    return missing


def _association_registered(ctx: GuardContext) -> Msg | None:
    if not ctx.association_exists:
        return msg(
            "Register the residents' association that will maintain the result "
            "(its name, a contact person, the board and its members)."
        )
    missing = _association_missing(ctx)
    if not missing:
        return None
    return msg(
        "The residents' association still needs %(missing)s: complete it on its page.",
        missing=tuple(missing),
    )


def _survey_answers(ctx: GuardContext, count: int) -> Msg | None:
    missing = count - ctx.survey_answers
    if missing <= 0:
        return None
    if ctx.survey_answers == 0:
        return nmsg(
            "The survey needs at least one answer: open it and ask the neighbourhood, online "
            "and on paper.",
            "The survey needs at least %(num)d answers: open it and ask the neighbourhood, "
            "online and on paper.",
            count,
        )
    return nmsg(
        "The survey needs one more answer: ask the neighbours, online or on paper.",
        "The survey needs %(num)d more answers: ask the neighbours, online or on paper.",
        missing,
    )


def _consultation_held(ctx: GuardContext, count: int) -> Msg | None:
    if not ctx.consultation_held:
        return msg("Ask the neighbourhood first: open the consultation of this stage on its page.")
    missing = count - ctx.consultation_reactions
    if missing <= 0:
        return None
    return nmsg(
        "The consultation needs one more reaction: ask neighbours to respond.",
        "The consultation needs %(num)d more reactions: ask neighbours to respond.",
        missing,
    )


def _meeting_held(ctx: GuardContext, with_minutes: bool) -> Msg | None:
    if with_minutes:
        if ctx.meetings_with_minutes > 0:
            return None
        if ctx.meetings_held > 0:
            return msg("Attach the minutes (verslag) of the meeting that took place.")
        return msg(
            "Hold a meeting with the neighbourhood first, then attach its minutes (verslag)."
        )
    if ctx.meetings_held > 0:
        return None
    return msg("Hold a meeting with the neighbourhood first: plan it on the meetings page.")


def _min_supporters(ctx: GuardContext, count: int) -> Msg | None:
    missing = count - ctx.supporters
    if missing <= 0:
        return None
    return nmsg(
        "One more resident needs to support the plan: ask neighbours to put their name under it.",
        "%(num)d more residents need to support the plan: ask neighbours to put their name "
        "under it.",
        missing,
    )


GUARDS: dict[str, GuardSpec] = {
    spec.name: spec
    for spec in (
        GuardSpec(
            "min_members",
            _min_members,
            msg("Minimum number of members"),
            {"count": Param(int, minimum=1)},
        ),
        GuardSpec(
            "min_partners",
            _min_partners,
            msg("Minimum number of partners"),
            {"count": Param(int, default=1, required=False, minimum=1)},
        ),
        GuardSpec(
            "steps_done",
            _steps_done,
            msg("All steps of the stage are done"),
        ),
        GuardSpec(
            "min_steps",
            _min_steps,
            msg("Minimum number of planned steps"),
            {"count": Param(int, minimum=1)},
        ),
        GuardSpec(
            "description_present",
            _description_present,
            msg("A description is present"),
            {"min_length": Param(int, default=40, required=False, minimum=1)},
        ),
        GuardSpec(
            "document_present",
            _document_present,
            msg("A document is attached"),
            {
                "count": Param(int, default=1, required=False, minimum=1),
                "stage_only": Param(bool, default=True, required=False),
            },
        ),
        GuardSpec(
            "support_requests_answered",
            _support_requests_answered,
            msg("All support requests are answered (accepted or declined)"),
        ),
        GuardSpec(
            "support_delivered",
            _support_delivered,
            msg("The municipality delivered every support request it accepted"),
        ),
        GuardSpec(
            "association_registered",
            _association_registered,
            msg("A residents' association is registered"),
        ),
        GuardSpec(
            "survey_answers",
            _survey_answers,
            msg("The survey has a minimum number of answers"),
            {"count": Param(int, minimum=1)},
        ),
        GuardSpec(
            "consultation_held",
            _consultation_held,
            msg("A consultation of the neighbourhood with a minimum number of reactions was held"),
            {"count": Param(int, default=1, required=False, minimum=1)},
        ),
        GuardSpec(
            "meeting_held",
            _meeting_held,
            msg("A meeting with the neighbourhood took place"),
            {"with_minutes": Param(bool, default=False, required=False)},
        ),
        GuardSpec(
            "min_supporters",
            _min_supporters,
            msg("Minimum number of residents who support the plan"),
            {"count": Param(int, minimum=1)},
        ),
    )
}


def guard_kwargs(ref: GuardRef) -> dict[str, Any]:
    """The arguments of a guard reference, with the registry's defaults filled in."""
    spec = GUARDS[ref.name]
    kwargs = {name: p.default for name, p in spec.params.items() if not p.required}
    kwargs.update(ref.args)
    return kwargs


@lru_cache(maxsize=1024)
def _bound(ref: GuardRef) -> Callable[[GuardContext], Msg | None]:
    return partial(GUARDS[ref.name].check, **guard_kwargs(ref))


def check_guards(guards: tuple[GuardRef, ...], ctx: GuardContext) -> list[Msg]:
    """Return every reason the guards do not hold (empty when all hold)."""
    reasons = []
    for ref in guards:
        reason = _bound(ref)(ctx)
        if reason is not None:
            reasons.append(reason)
    return reasons
