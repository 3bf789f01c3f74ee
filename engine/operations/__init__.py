"""Operations: plain functions ``do_x(session, actor, …, now)``.

Each checks permission and input first and raises a typed error before writing; on success it
has flushed its changes and an event, and leaves the commit to the caller (one per request,
CLI command or scheduler tick).
"""

from engine.coach.actions import (
    add_coach_note,
    assign_coach,
    change_role,
    clear_concern,
    raise_concern,
    unassign_coach,
)
from engine.operations.decisions import cast_vote, close_decision, open_decision
from engine.operations.documents import attach_document, remove_document
from engine.operations.initiatives import (
    create_initiative,
    set_join_policy,
    set_visibility,
    update_initiative,
)
from engine.operations.invitations import accept_invitation, invite
from engine.operations.join_requests import (
    approve_join_request,
    decline_join_request,
    request_to_join,
    withdraw_join_request,
)
from engine.operations.membership import (
    change_member_role,
    join_initiative,
    leave_initiative,
    remove_member,
)
from engine.operations.pace import pause_initiative, resume_initiative
from engine.operations.plan import (
    add_step,
    complete_step,
    move_step,
    remove_step,
    reopen_step,
    set_target_date,
    update_step,
)
from engine.operations.stages import insert_stage, remove_stage, restore_stage, skip_stage
from engine.operations.support import (
    accept_support_request,
    acknowledge_support_request,
    assign_support_request,
    decline_support_request,
    deliver_support_request,
    file_support_request,
    withdraw_support_request,
)
from engine.operations.transitions import Move, fire_transition, list_moves

__all__ = [
    "Move",
    "accept_invitation",
    "accept_support_request",
    "acknowledge_support_request",
    "add_coach_note",
    "add_step",
    "approve_join_request",
    "assign_coach",
    "assign_support_request",
    "attach_document",
    "cast_vote",
    "change_member_role",
    "change_role",
    "clear_concern",
    "close_decision",
    "complete_step",
    "create_initiative",
    "decline_join_request",
    "decline_support_request",
    "deliver_support_request",
    "file_support_request",
    "fire_transition",
    "insert_stage",
    "invite",
    "join_initiative",
    "leave_initiative",
    "list_moves",
    "move_step",
    "open_decision",
    "pause_initiative",
    "raise_concern",
    "remove_document",
    "remove_member",
    "remove_stage",
    "remove_step",
    "reopen_step",
    "request_to_join",
    "restore_stage",
    "resume_initiative",
    "set_join_policy",
    "set_target_date",
    "set_visibility",
    "skip_stage",
    "unassign_coach",
    "update_initiative",
    "update_step",
    "withdraw_join_request",
    "withdraw_support_request",
]
