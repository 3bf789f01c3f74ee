"""The group works towards a move: the rule that takes sequences deep into the process.

Uniformly chosen operations rarely line up into a stage move (members, steps done, a
document, a decision opened and voted on…). :meth:`ProgressRules.push_towards` picks a move
out of the current stage and does what its blockers ask, one operation at a time and each
checked like any other, until the move is made, a decision is opened (the group then talks it
over: other rules run before the votes), a step is refused, or there is nothing it knows how to
do. In the last stage it sets up the group's self-management instead. It is registered under
three names so that hypothesis chooses it more often.
"""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st
from hypothesis.stateful import rule

from engine.guards import check_guards
from engine.maintenance.agreement import confirm_agreement, save_agreement
from engine.maintenance.association import save_association
from engine.maintenance.tasks import create_task
from engine.models import Invitation
from engine.operations import (
    accept_invitation,
    add_step,
    attach_document,
    cast_vote,
    complete_step,
    insert_stage,
    invite,
    open_decision,
    pause_initiative,
    resume_initiative,
    skip_stage,
    update_initiative,
)
from engine.workflows.definitions import GuardRef, TransitionDef
from engine.workflows.process_plan import process_plan
from tests.factories import PDF_BYTES
from tests.invariants.machine import LONG, WHICH, GroupMachine
from tests.invariants.rules_decide import WAITS
from tests.invariants.rules_group import join_group
from tests.invariants.summary import register_operations
from tests.invariants.world import Refusal

#: at most this many operations per push
PUSHES = 8
register_operations({"push"})


class ProgressRules(GroupMachine):
    pushes = 0

    def push_towards(self, which: int) -> None:
        """Do what the move ``which`` out of this stage needs, then make it."""
        self.stats.operations["push"] += 1
        for _ in range(PUSHES):
            done = self._push_once(which)
            self.verify()
            if not done:
                return

    def _forward_moves(self) -> list[TransitionDef]:
        snap, graph = self.snapshot, self.graph()
        order = graph.stages
        here = order.index(snap.state) if snap.state in order else 0
        moves = graph.outgoing(snap.state)
        return [t for t in moves if t.dest in order and order.index(t.dest) > here] or moves

    def _push_once(self, which: int) -> bool:
        """One operation towards a move; False when there is nothing more to do now."""
        snap = self.snapshot
        initiator = self.member_with(("initiator",))
        if initiator is None:
            return False
        if snap.is_paused:  # the group picks up again (or, for most pushes, waits)
            return which % 3 == 0 and self._ok("resume", lambda: resume_initiative(
                self.session, initiator, self.iid, now=self.now
            ))  # fmt: skip
        t = self.pick(self._forward_moves(), which)
        if t is None:
            return self._maintain(initiator)
        if not any(step[0] == snap.state for step in snap.steps.values()):
            # the group plans its work in a stage before it moves on
            return self._ok("add_step", lambda: add_step(
                self.session, initiator, self.iid, stage_key=snap.state, title="Plan maken",
                now=self.now,
            ))  # fmt: skip
        for ref in t.guards:
            if check_guards((ref,), snap.context):
                return self._unblock(ref, initiator)
        actor = self.member_with(t.roles)
        if actor is None:
            return False
        if t.decision is not None and not self._decided(t):
            return self._vote_on(t, actor)
        self.fire(actor, t.trigger)
        return False

    def _ok(self, label: str, call) -> bool:
        return not isinstance(self.run(label, call), Refusal)

    def _decided(self, t: TransitionDef) -> bool:
        return any(
            d.trigger == t.trigger and d.status == "approved"
            for d in self.snapshot.decisions.values()
        )

    def _vote_on(self, t: TransitionDef, actor) -> bool:
        """Open the decision (and stop: the group talks it over first), or have the newest
        member who has not voted yet agree."""
        live = [
            did for did, d in self.snapshot.decisions.items()
            if d.trigger == t.trigger and d.status == "open"
        ]  # fmt: skip
        if not live:
            self._ok("open_decision", lambda: open_decision(
                self.session, actor, self.iid, t.trigger, self.now, question="Gaan we door?"
            ))  # fmt: skip
            return False
        voted = self.snapshot.votes_on(live[0])
        voter = next((p for p in reversed(self.residents()) if p not in voted), None)
        if voter is None:
            return False  # everyone voted; the outcome waits for its moment
        person = self.w.person(voter)
        choice = "for"
        return self._ok("vote", lambda: cast_vote(self.session, person, live[0], choice, self.now))

    def _unblock(self, ref: GuardRef, initiator) -> bool:
        """Do what a failing guard asks."""
        s, now, iid, snap = self.session, self.now, self.iid, self.snapshot
        outsiders = [p for p in self.w.residents if p not in snap.members]
        if ref.name == "min_members" and outsiders:
            newcomer = self.w.person(outsiders[0])
            return self._ok("join", lambda: join_group(s, newcomer, iid, now))
        if ref.name == "min_partners":
            return self._partner(initiator, outsiders)
        if ref.name == "steps_done":
            open_here = [i for i in self.open_steps() if snap.steps[i][0] == snap.state]
            return bool(open_here) and self._ok("complete_step", lambda: complete_step(
                s, initiator, iid, open_here[0], now
            ))  # fmt: skip
        if ref.name == "min_steps":
            return self._ok("add_step", lambda: add_step(
                s, initiator, iid, stage_key=snap.state, title="Plan maken", now=now
            ))  # fmt: skip
        if ref.name == "description_present":
            return self._ok("edit_initiative", lambda: update_initiative(
                s, initiator, iid, title="Groen op de kade", description=LONG, now=now
            ))  # fmt: skip
        if ref.name == "document_present":
            return self._ok("attach_document", lambda: attach_document(
                s, initiator, iid, filename="conceptplan.pdf", data=PDF_BYTES,
                storage=self.w.storage, now=now, stage_key=snap.state,
            ))  # fmt: skip
        if ref.name == "support_requests_answered":
            return self._answer_requests()
        if ref.name == "association_registered":
            return self._associate(initiator, outsiders)
        return False

    def _partner(self, initiator, outsiders: list[int]) -> bool:
        pending = [
            i for i, (_, role, by) in self.snapshot.invitations.items()
            if role == "partner" and by is None
        ]  # fmt: skip
        if pending:
            invitation = self.session.get(Invitation, pending[0])
            assert invitation is not None
            invitee = next(p for p, e in self.w.emails.items() if e == invitation.email)
            person, token = self.w.person(invitee), invitation.token
            return self._ok("accept_invitation", lambda: accept_invitation(
                self.session, person, token, self.now
            ))  # fmt: skip
        if not outsiders:
            return False
        email = self.w.emails[outsiders[0]]
        return self._ok("invite", lambda: invite(
            self.session, initiator, self.iid, email=email, role="partner", now=self.now,
            organisation="Terra College",
        ))  # fmt: skip

    def _answer_requests(self) -> bool:
        for request, status in sorted(self.snapshot.requests.items()):
            if status in ("submitted", "acknowledged"):
                return not isinstance(self.answer(self.w.coach, request, "accept"), Refusal)
            if status == "accepted":
                return not isinstance(self.answer(self.w.coach, request, "deliver"), Refusal)
        return False

    def _associate(self, initiator, outsiders: list[int]) -> bool:
        residents = self.residents()
        if len(residents) < 2:
            if not outsiders:
                return False
            newcomer = self.w.person(outsiders[0])
            return self._ok("join", lambda: join_group(self.session, newcomer, self.iid, self.now))
        members = {p: "member" for p in residents}
        members[initiator.id] = "chair"
        return self._ok("save_association", lambda: save_association(
            self.session, initiator, self.iid, name="Bewonersvereniging De Kade", now=self.now,
            contact_person_id=initiator.id, members=members,
        ))  # fmt: skip

    def _maintain(self, initiator) -> bool:
        """In the last stage the group sets up self-management: the association, the agreement
        (confirmed by the coach), a task with a rota."""
        snap, s, iid, now = self.snapshot, self.session, self.iid, self.now
        work = snap.maintenance
        if not work["association"]:
            return self._associate(initiator, [])
        if not work["agreements"]:
            return self._ok("save_agreement", lambda: save_agreement(
                s, initiator, iid, association_duties="Plantenbakken water geven.",
                municipality_duties="Bomen snoeien.", start_date=self.today, now=now,
            ))  # fmt: skip
        if not any(a[1] for a in work["agreements"].values()):
            return self._ok("confirm_agreement", lambda: confirm_agreement(
                s, self.w.coach, iid, now=now
            ))  # fmt: skip
        if not any(task[2] for task in work["tasks"].values()):
            volunteers = list(work["board"])
            return self._ok("create_task", lambda: create_task(
                s, initiator, iid, title="Plantenbakken water geven", rule="FREQ=WEEKLY;BYDAY=SA",
                starts_on=self.today, volunteer_ids=volunteers, now=now,
            ))  # fmt: skip
        return False

    @rule(which=WHICH)
    def reshape(self, which: int) -> None:
        """The group reshapes its path ahead: skips an optional stage still to come, or inserts
        an own stage after this one or one still to come."""
        snap, initiator = self.snapshot, self.member_with(("initiator",))
        plan = process_plan(snap.content_hash, self.history.defn, snap.graph_key)
        ahead = plan.from_here(snap.state)
        stage = plan.template_stage
        options = [
            ("skip_stage", key) for key in ahead[1:]
            if not plan.is_skipped(key) and getattr(stage(key), "optional", False)
        ] + [
            ("insert_stage", key) for key in ahead
            if not plan.is_skipped(key) and not plan.is_final(key)
            and (plan.is_own(key) or getattr(stage(key), "allow_insert_after", False))
        ]  # fmt: skip
        chosen = self.pick(options, which)
        if chosen is None or initiator is None:
            return
        kind, key = chosen
        s, iid, now = self.session, self.iid, self.now
        if kind == "skip_stage":
            self.run(kind, lambda: skip_stage(s, initiator, iid, key, now, note="Niet nodig."))
        else:
            self.run(kind, lambda: insert_stage(
                s, initiator, iid, after=key, title="Proefopstelling",
                description="Een maand uitproberen met losse bakken.", now=now,
            ))  # fmt: skip

    @rule(wait=WAITS, shift=st.booleans())
    def holiday(self, wait: timedelta, shift: bool) -> None:
        """The group pauses for a while (the sweep runs meanwhile), then resumes."""
        initiator = self.member_with(("initiator",))
        if initiator is None or self.snapshot.is_paused:
            return
        s, iid = self.session, self.iid
        paused = self.run("pause", lambda: pause_initiative(
            s, initiator, iid, reason="Zomervakantie", now=self.now
        ))  # fmt: skip
        self.verify()
        if isinstance(paused, Refusal):
            return
        self.wait(wait, True)
        self.verify()
        self.run("resume", lambda: resume_initiative(
            s, initiator, iid, now=self.now, shift_dates=shift
        ))  # fmt: skip

    # hypothesis favours the first rules (fewest arguments first, then by name): a push
    # without arguments comes first; two more with a choice of move make it likelier still
    @rule()
    def push(self) -> None:
        """Work towards a move out of this stage (a different one each time)."""
        self.pushes += 1
        self.push_towards(self.pushes)

    @rule(which=WHICH)
    def push_a(self, which: int) -> None:
        self.push_towards(which)

    @rule(which=WHICH)
    def push_b(self, which: int) -> None:
        self.push_towards(which)
