"""Rules: self-management — the association, the agreement, tasks, rotas, turns, the review.

Who manages what is a rule of its own (``maintenance_roles``): a change to the association,
the agreement, a task or a rota that went through must have been made by an initiator or a
board member; so must taking someone else off a rota or swapping turns one holds neither of.
"""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from engine.maintenance.agreement import (
    confirm_agreement,
    review_agreement,
    save_agreement,
    send_back_stages,
)
from engine.maintenance.association import save_association
from engine.maintenance.occurrences import mark_done, mark_missed, skip_occurrence
from engine.maintenance.rota import set_rota, step_out, swap_turns
from engine.maintenance.tasks import create_task, end_task, update_task
from tests.invariants.machine import WHICH, WHO, GroupMachine
from tests.invariants.summary import register_operations

ASSOCIATION_KINDS = ("save_association", "save_agreement", "confirm_agreement", "review_agreement")
TASK_KINDS = ("create_task", "set_rota", "update_task", "step_out", "end_task")
TURN_KINDS = ("swap_turns", "mark_done", "mark_missed", "skip_turn")
register_operations({*ASSOCIATION_KINDS, *TASK_KINDS, *TURN_KINDS})
#: bits 0-5: who of the group (or of the association) takes part; 64 and up: an outsider too
MASK = st.integers(0, 127)
RULES = ("FREQ=WEEKLY;BYDAY=SA", "FREQ=WEEKLY;INTERVAL=2;BYDAY=WE", "FREQ=MONTHLY;BYMONTHDAY=1")


class MaintenanceRules(GroupMachine):
    def _chosen(self, people: list[int], mask: int) -> list[int]:
        return [p for i, p in enumerate(people) if mask >> i & 1]

    def association_members(self) -> list[int]:
        board = self.snapshot.maintenance["board"]
        return [p for p in self.w.everyone if p in board]

    def task_ids(self) -> list[int]:
        """Active tasks first, then ended ones."""
        tasks = self.snapshot.maintenance["tasks"]
        return sorted(tasks, key=lambda t: (not tasks[t][2], t))

    @rule(kind=st.sampled_from(ASSOCIATION_KINDS), who=WHO, mask=MASK, which=WHICH)
    def association(self, kind: str, who: int, mask: int, which: int) -> None:
        """Register or change the association (``mask`` picks its members among the people,
        ``which`` its chair and contact), make the agreement, confirm it (the coach), review it
        (renew, end, or send back to stage ``which``)."""
        s, iid, now = self.session, self.iid, self.now
        if kind == "confirm_agreement":
            coach = self.staffer(who)
            self.run(kind, lambda: confirm_agreement(s, coach, iid, now=now))
            return
        actor = self.who(who)
        if kind == "save_association":
            outsiders = [p for p in self.w.everyone if p not in self.snapshot.members]
            chosen = self._chosen(self.residents(), mask)
            chosen += outsiders[:1] if mask >= 64 else []
            members = {p: "member" for p in chosen}
            head = self.pick(chosen, which)
            if head is not None:
                members[head] = "chair"
            result = self.run(kind, lambda: save_association(
                s, actor, iid, name="Bewonersvereniging De Kade", now=now,
                contact_person_id=head if which % 2 else None, members=members,
            ))  # fmt: skip
            self.managed(kind, actor, result)
        elif kind == "save_agreement":
            result = self.run(kind, lambda: save_agreement(
                s, actor, iid, association_duties="Plantenbakken water geven.",
                municipality_duties="Bomen snoeien.", start_date=self.today,
                review_date=self.day(mask * 7 - 14), now=now,
            ))  # fmt: skip
            self.managed(kind, actor, result)
        else:
            outcome = ("renew", "end", "send_back")[mask % 3]
            back_to = self.pick(send_back_stages(s, self.initiative()), which)
            self.run(kind, lambda: review_agreement(
                s, actor, iid, outcome=outcome, now=now, back_to=back_to,
                note="Na een jaar samen teruggekeken.",
            ))  # fmt: skip

    @rule(kind=st.sampled_from(TASK_KINDS), who=WHO, which=WHICH, mask=MASK, other=WHO)
    def tasks(self, kind: str, who: int, which: int, mask: int, other: int) -> None:
        """Add a task with a rota (``mask`` of the association's members; an impossible rule
        for a ``which`` of 12), change or end task ``which``, set its rota, take ``other`` off
        it. Without any task yet, one is added."""
        actor, s, iid, now = self.who(who), self.session, self.iid, self.now
        kind = kind if self.task_ids() else "create_task"  # no task yet: the group adds one
        task = self.pick(self.task_ids(), which) or 0
        volunteers = self._chosen(self.association_members(), mask)
        rule = RULES[mask % len(RULES)] if which < 12 else "FREQ=NEVER"
        if kind == "step_out":
            person = self.who(other)
            result = self.run(kind, lambda: step_out(s, actor, iid, task, person.id, now=now))
            if person.id != actor.id:
                self.managed("step_out of someone else", actor, result)
            return
        calls = {
            "create_task": lambda: create_task(
                s,
                actor,
                iid,
                title="Plantenbakken water geven",
                rule=rule,
                starts_on=self.today,
                volunteer_ids=volunteers,
                now=now,
            ),  # fmt: skip
            "update_task": lambda: update_task(
                s,
                actor,
                iid,
                task,
                title="Bakken water geven",
                rule=rule,
                starts_on=self.today,
                now=now,
            ),  # fmt: skip
            "end_task": lambda: end_task(s, actor, iid, task, now=now),
            "set_rota": lambda: set_rota(s, actor, iid, task, volunteers, now=now),
        }
        self.managed(kind, actor, self.run(kind, calls[kind]))

    @precondition(lambda self: self.snapshot.occurrences)
    @rule(kind=st.sampled_from(TURN_KINDS), who=WHO, one=WHICH, other=WHICH)
    def turns(self, kind: str, who: int, one: int, other: int) -> None:
        """Swap two planned turns, or record turn ``one`` as done, missed or skipped."""
        actor, s, iid, now = self.who(who), self.session, self.iid, self.now
        occurrences = self.snapshot.occurrences
        if kind == "swap_turns":
            planned = sorted(o for o, row in occurrences.items() if row[3] == "planned")
            a, b = self.pick(planned, one) or 0, self.pick(planned, other) or 0
            holders = {occurrences[t][2] for t in (a, b) if t in occurrences}
            result = self.run(kind, lambda: swap_turns(s, actor, iid, a, b, now=now))
            if actor.id not in holders:
                self.managed("swap_turns of others", actor, result)
            return
        turn = self.pick(sorted(occurrences), one) or 0
        call = {"mark_done": mark_done, "mark_missed": mark_missed, "skip_turn": skip_occurrence}
        self.run(kind, lambda: call[kind](
            s, actor, iid, turn, now=now, note="Gedaan met de buren."
        ))  # fmt: skip
