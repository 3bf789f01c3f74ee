"""Rules: the process plan — steps, target dates, documents, and reshaping the stages."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from engine.operations import (
    add_step,
    attach_document,
    complete_step,
    insert_stage,
    move_step,
    remove_document,
    remove_stage,
    remove_step,
    reopen_step,
    restore_stage,
    set_target_date,
    skip_stage,
    update_step,
)
from tests.factories import PDF_BYTES
from tests.invariants.machine import WHICH, WHO, GroupMachine
from tests.invariants.summary import register_operations

STEP_KINDS = ("add_step", "update_step", "move_step", "reopen_step", "remove_step", "target_date")
STAGE_KINDS = ("skip_stage", "insert_stage", "restore_stage", "remove_stage")
register_operations(
    {*STEP_KINDS, *STAGE_KINDS, "complete_step", "attach_document", "remove_document"}
)
DAYS = st.integers(-3, 40)


class PlanRules(GroupMachine):
    # --- steps --------------------------------------------------------------------------

    @rule(kind=st.sampled_from(STEP_KINDS), who=WHO, which=WHICH, here=st.booleans(), days=DAYS)
    def steps(self, kind: str, who: int, which: int, here: bool, days: int) -> None:
        """Add a step (to this stage for ``here``, else to stage ``which``; dated unless
        ``days`` < 0), or change step ``which`` (added first when there is none), or set a
        stage's target date."""
        actor, s, iid, now = self.who(who), self.session, self.iid, self.now
        if not self.snapshot.steps and kind != "target_date":
            kind = "add_step"  # no step yet: the group plans one first
        step = self.pick(sorted(self.snapshot.steps), which) or 0
        stage = self.snapshot.state if here else self.pick(self.stages(), which) or ""
        due = self.day(days) if days >= 0 else None
        calls = {
            "add_step": lambda: add_step(
                s,
                actor,
                iid,
                stage_key=stage,
                title="Buren uitnodigen",
                now=now,
                owner_id=self.pick(self.residents(), which),
                due_date=due,
            ),  # fmt: skip
            "update_step": lambda: update_step(
                s,
                actor,
                iid,
                step,
                title="Flyers rondbrengen",
                owner_id=None,
                due_date=due,
                now=now,
            ),  # fmt: skip
            "move_step": lambda: move_step(s, actor, iid, step, position=days % 3, now=now),
            "reopen_step": lambda: reopen_step(s, actor, iid, step, now),
            "remove_step": lambda: remove_step(s, actor, iid, step, now),
            "target_date": lambda: set_target_date(
                s, actor, iid, stage_key=stage, target_date=due, now=now
            ),
        }
        self.run(kind, calls[kind])

    @precondition(lambda self: self.open_steps())
    @rule(who=WHO, which=WHICH)
    def complete_step(self, who: int, which: int) -> None:
        """Tick off an open step (one of this stage, mostly)."""
        actor, step = self.who(who), self.pick(self.open_steps(here_first=True), which % 3)
        self.run("complete_step", lambda: complete_step(
            self.session, actor, self.iid, step or 0, self.now
        ))  # fmt: skip

    # --- reshaping ----------------------------------------------------------------------

    @rule(kind=st.sampled_from(STAGE_KINDS), who=WHO, which=WHICH, here=st.booleans())
    def stages_changed(self, kind: str, who: int, which: int, here: bool) -> None:
        """Skip a stage (an optional one, unless ``which`` is a multiple of 4), put a skipped
        one back, insert an own stage (after this one for ``here``), remove an own stage."""
        actor, s, iid, now = self.who(who), self.session, self.iid, self.now
        plans = self.snapshot.plans
        optional = [x.id for x in self.history.defn.stages if x.optional]
        if kind == "skip_stage":
            key = self.pick(optional if which % 4 else self.stages(), which)
            self.run(kind, lambda: skip_stage(s, actor, iid, key or "", now, note="Al gedaan."))
        elif kind == "restore_stage":
            key = self.pick(sorted(k for k, p in plans.items() if p[0]), which)
            self.run(kind, lambda: restore_stage(s, actor, iid, key or "", now))
        elif kind == "insert_stage":
            key = self.snapshot.state if here else self.pick(self.stages(), which)
            self.run(kind, lambda: insert_stage(
                s, actor, iid, after=key or "", title="Proefopstelling",
                description="Een maand uitproberen met losse bakken.", now=now,
            ))  # fmt: skip
        else:
            key = self.pick(sorted(k for k, p in plans.items() if p[1]), which)
            self.run(kind, lambda: remove_stage(s, actor, iid, key or "", now))

    # --- documents ----------------------------------------------------------------------

    @rule(remove=st.booleans(), who=WHO, which=WHICH, here=st.booleans())
    def documents(self, remove: bool, who: int, which: int, here: bool) -> None:
        """Attach a PDF (to this stage for ``here``, else to the initiative), or remove one."""
        actor = self.who(who)
        if remove:
            document = self.pick(sorted(self.snapshot.documents), which) or 0
            self.run("remove_document", lambda: remove_document(
                self.session, actor, self.iid, document, self.now, storage=self.w.storage
            ))  # fmt: skip
            return
        key = self.snapshot.state if here else None
        self.run("attach_document", lambda: attach_document(
            self.session, actor, self.iid, filename="conceptplan.pdf", data=PDF_BYTES,
            storage=self.w.storage, now=self.now, stage_key=key,
        ))  # fmt: skip
