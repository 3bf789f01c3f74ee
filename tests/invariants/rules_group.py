"""Rules: the group itself — joining, leaving, invitations, roles, the initiative's text, and
what a coach does beside answering requests."""

from __future__ import annotations

from datetime import datetime

from hypothesis import strategies as st
from hypothesis.stateful import rule
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Initiative, Invitation, Membership, Person
from engine.operations import (
    accept_invitation,
    add_coach_note,
    change_member_role,
    clear_concern,
    invite,
    join_initiative,
    leave_initiative,
    raise_concern,
    set_visibility,
    update_initiative,
)
from engine.operations.initiatives import INVITABLE_ROLES
from engine.operations.join_requests import approve_join_request, request_to_join
from engine.operations.membership import remove_member
from tests.invariants.machine import LONG, WHICH, WHO, GroupMachine
from tests.invariants.summary import register_operations

register_operations(
    {
        "join",
        "leave",
        "remove_member",
        "invite",
        "accept_invitation",
        "change_role",
        "edit_initiative",
        "visibility",
        "coach_note",
        "concern",
        "clear_concern",
    }  # fmt: skip
)


def join_group(session: Session, person: Person, initiative_id: int, now: datetime):
    """How a resident becomes a member: at once where the group is open, otherwise by asking
    and being let in by an initiator. The rule :meth:`GroupRules.join` and the progress rule
    call only this."""
    initiative = session.get(Initiative, initiative_id)
    assert initiative is not None
    if initiative.join_policy == "open":
        return join_initiative(session, person, initiative_id, now)
    request = request_to_join(session, person, initiative_id, now)
    initiator = session.scalars(
        select(Person)
        .join(Membership, Membership.person_id == Person.id)
        .where(Membership.initiative_id == initiative_id, Membership.role == "initiator")
        .order_by(Person.id)
    ).first()
    assert initiator is not None
    return approve_join_request(session, initiator, initiative_id, request.id, now)


class GroupRules(GroupMachine):
    @rule(who=WHO)
    def join(self, who: int) -> None:
        """Someone outside the group joins (for 0-6; a member or the coach tries for 7-9)."""
        outsiders = [p for p in self.w.residents if p not in self.snapshot.members]
        if who < 7 and outsiders:
            person = self.w.person(outsiders[who % len(outsiders)])
        else:
            person = self.w.anyone(who)
        self.run("join", lambda: join_group(self.session, person, self.iid, self.now))

    @rule(who=WHO, other=WHO)
    def remove(self, who: int, other: int) -> None:
        """An initiator (or anyone, refused) takes someone out of the group, with a reason."""
        actor, person = self.who(who), self.who(other)
        self.run(
            "remove_member",
            lambda: remove_member(
                self.session, actor, self.iid, person.id, self.now, reason="Niet meer actief"
            ),
        )

    @rule(who=WHO)
    def leave(self, who: int) -> None:
        """A member leaves (the only initiator is refused; so is someone outside the group)."""
        person = self.who(who)
        self.run("leave", lambda: leave_initiative(self.session, person, self.iid, self.now))

    @rule(
        kind=st.sampled_from(["invite", "accept_invitation", "change_role"]),
        who=WHO, other=WHO, which=WHICH, role=st.sampled_from(INVITABLE_ROLES),
    )  # fmt: skip
    def group(self, kind: str, who: int, other: int, which: int, role: str) -> None:
        """Invite someone (``other``), open an invitation's link (the invitee for an even
        ``which``, else ``who``), or give a member another role."""
        actor, person, s, now = self.who(who), self.who(other), self.session, self.now
        if kind == "invite":
            organisation = "Terra College" if role == "partner" else None
            self.run("invite", lambda: invite(
                s, actor, self.iid, email=person.email, role=role, now=now,
                organisation=organisation,
            ))  # fmt: skip
        elif kind == "accept_invitation":
            self._accept(which, actor)
        else:
            self.run("change_role", lambda: change_member_role(
                s, actor, self.iid, person.id, role, now, organisation="Terra College",
            ))  # fmt: skip

    def _accept(self, which: int, someone: Person) -> None:
        pending = sorted(i for i, (_, _, by) in self.snapshot.invitations.items() if by is None)
        invitation = self.session.get(Invitation, self.pick(pending, which) or 0)
        if invitation is None:
            return
        invitee = next((p for p, e in self.w.emails.items() if e == invitation.email), None)
        person = self.w.person(invitee) if invitee and which % 2 == 0 else someone
        token = invitation.token
        self.run("accept_invitation", lambda: accept_invitation(
            self.session, person, token, self.now
        ))  # fmt: skip

    @rule(kind=st.sampled_from(["edit_initiative", "visibility"]), who=WHO, described=st.booleans())
    def initiative_text(self, kind: str, who: int, described: bool) -> None:
        """Change the description (a short one makes ``description_present`` fail again), or
        who may see the initiative."""
        actor = self.who(who)
        if kind == "edit_initiative":
            text = LONG if described else "Kort."
            self.run("edit_initiative", lambda: update_initiative(
                self.session, actor, self.iid, title="Groen op de kade", description=text,
                now=self.now,
            ))  # fmt: skip
        else:
            visibility = "public" if described else "members"
            self.run("visibility", lambda: set_visibility(
                self.session, actor, self.iid, visibility, self.now
            ))  # fmt: skip

    @rule(kind=st.sampled_from(["coach_note", "concern", "clear_concern"]), who=WHO)
    def coach(self, kind: str, who: int) -> None:
        """What a coach does beside answering requests (a resident trying it is refused)."""
        actor, s, now = self.staffer(who), self.session, self.now
        calls = {
            "coach_note": lambda: add_coach_note(
                s, actor, self.iid, body="Goed gesprek gehad met de groep.", now=now
            ),
            "concern": lambda: raise_concern(
                s, actor, self.iid, reason="Al weken geen beweging.", now=now
            ),
            "clear_concern": lambda: clear_concern(s, actor, self.iid, now=now, note="Opgelost."),
        }
        self.run(kind, calls[kind])
