"""Rules: decisions, pace, stage moves, support requests, and time passing with sweeps."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule

from engine.models.support import REQUEST_KINDS
from engine.operations import (
    accept_support_request,
    acknowledge_support_request,
    assign_support_request,
    cast_vote,
    close_decision,
    decline_support_request,
    deliver_support_request,
    file_support_request,
    fire_transition,
    list_moves,
    open_decision,
    pause_initiative,
    resume_initiative,
    withdraw_support_request,
)
from tests.invariants.machine import WHICH, WHO, GroupMachine
from tests.invariants.summary import register_operations

register_operations(
    {
        "open_decision",
        "vote",
        "close_decision",
        "pause",
        "resume",
        "move",
        "sweep",
        "file_request",
        "withdraw_request",
        "acknowledge",
        "accept",
        "decline",
        "deliver",
        "assign",
    }  # fmt: skip
)
#: how long until the next thing happens: a moment, an evening, days, past a consent period
WAITS = st.sampled_from(
    [
        timedelta(minutes=10),
        timedelta(hours=5),
        timedelta(days=1),
        timedelta(days=4),
        timedelta(days=8),
        timedelta(days=15),
    ]  # fmt: skip
)
COACH_ANSWERS = ("acknowledge", "accept", "decline", "deliver", "assign")
SUPPORT = ("file_request", "accept", "deliver", "withdraw_request", "acknowledge", "decline",
           "assign")  # fmt: skip


class DecideRules(GroupMachine):
    # --- decisions ----------------------------------------------------------------------

    def open_decisions(self) -> list[int]:
        return sorted(d for d, row in self.snapshot.decisions.items() if row.status == "open")

    @rule(who=WHO, which=WHICH)
    def open_decision(self, who: int, which: int) -> None:
        """Ask the group about a move out of this stage (mostly one that needs a decision)."""
        actor = self.who(who)
        moves = self.graph().outgoing(self.snapshot.state)
        gated = [t.trigger for t in moves if t.decision] or [t.trigger for t in moves]
        trigger = self.pick(gated, which) or "plan"
        self.run("open_decision", lambda: open_decision(
            self.session, actor, self.iid, trigger, self.now, question="Gaan we door?"
        ))  # fmt: skip

    @precondition(lambda self: self.open_decisions())
    @rule(who=WHO, which=WHICH, choice=st.sampled_from(["for", "against", "object"]))
    def vote(self, who: int, which: int, choice: str) -> None:
        actor, decision = self.who(who), self.pick(self.open_decisions(), which) or 0
        self.run("vote", lambda: cast_vote(self.session, actor, decision, choice, self.now))

    @precondition(lambda self: self.open_decisions())
    @rule(who=WHO, which=WHICH)
    def close_decision(self, who: int, which: int) -> None:
        actor, decision = self.who(who), self.pick(self.open_decisions(), which) or 0
        self.run("close_decision", lambda: close_decision(
            self.session, actor, decision, self.now
        ))  # fmt: skip

    # --- pace ---------------------------------------------------------------------------

    @rule(resume=st.booleans(), who=WHO, reason=st.sampled_from(["Zomervakantie", "Rust", ""]))
    def pace(self, resume: bool, who: int, reason: str) -> None:
        """Pause with a reason (an empty one is refused), or resume (shifting dates when the
        reason is long)."""
        actor = self.who(who)
        if resume:
            self.run("resume", lambda: resume_initiative(
                self.session, actor, self.iid, now=self.now, shift_dates=len(reason) > 4
            ))  # fmt: skip
        else:
            self.run("pause", lambda: pause_initiative(
                self.session, actor, self.iid, reason=reason, now=self.now
            ))  # fmt: skip

    # --- moves --------------------------------------------------------------------------

    @rule(who=WHO, which=WHICH, allowed_only=st.booleans())
    def move(self, who: int, which: int, allowed_only: bool) -> None:
        """Look at the moves as the page shows them, then make one (an allowed one, mostly)."""
        actor = self.who(who)
        moves = list_moves(self.session, actor, self.initiative())
        chosen = self.pick([m for m in moves if m.allowed] if allowed_only else moves, which)
        trigger = chosen.trigger if chosen else self.pick(
            [t.trigger for t in self.history.defn.transitions], which
        )  # fmt: skip
        self.fire(actor, trigger or "")

    def fire(self, actor, trigger: str):
        """Make a move (the one place that calls ``fire_transition``: when a move asks what to
        do with the open steps, say it here)."""
        return self.run("move", lambda: fire_transition(
            self.session, actor, self.iid, trigger, self.now, note="Door!"
        ))  # fmt: skip

    # --- time ---------------------------------------------------------------------------

    def wait(self, wait: timedelta, sweep: bool) -> None:
        """Time goes by; the scheduler's sweep runs at that moment (or not yet)."""
        self.w.now += wait
        if sweep:
            self.stats.operations["sweep"] += 1
            report = self.w.sweep()
            self.dirty = True
            self.check("sweep", not report.failed, f"sweep steps failed: {report.failed}")

    # time matters to most rules (consent periods, pauses, turns): chosen more often
    @rule(wait=WAITS, sweep=st.booleans())
    def time_passes(self, wait: timedelta, sweep: bool) -> None:
        self.wait(wait, sweep)

    @rule(wait=WAITS, sweep=st.booleans())
    def time_passes_b(self, wait: timedelta, sweep: bool) -> None:
        self.wait(wait, sweep)

    @rule(wait=WAITS)
    def sweep_after(self, wait: timedelta) -> None:
        self.wait(wait, True)

    # --- support requests ---------------------------------------------------------------

    def requests(self) -> list[int]:
        return sorted(self.snapshot.requests)

    @rule(kind=st.sampled_from(SUPPORT), who=WHO, which=WHICH, here=st.booleans())
    def support(self, kind: str, who: int, which: int, here: bool) -> None:
        """A member files (about this stage for ``here``) or withdraws a request; the coach
        answers one (a resident who tries is refused). Without any request yet, one is filed."""
        if not self.requests() and kind != "withdraw_request":
            kind = "file_request"  # nothing asked yet: the group asks first
        request = self.pick(self.requests(), which) or 0
        if kind in COACH_ANSWERS:
            self.answer(self.staffer(who), request, kind)
            return
        actor = self.who(who)
        if kind == "withdraw_request":
            self.run(kind, lambda: withdraw_support_request(
                self.session, actor, request, now=self.now, reason="Zelf geregeld."
            ))  # fmt: skip
            return
        self.run(kind, lambda: file_support_request(
            self.session, actor, self.iid, now=self.now,
            kind=REQUEST_KINDS[which % len(REQUEST_KINDS)],
            stage_key=self.snapshot.state if here else None,
            description="Graag hulp bij het weghalen van de stoeptegels.",
        ))  # fmt: skip

    def answer(self, actor, request: int, answer: str):
        s, now = self.session, self.now
        calls = {
            "acknowledge": lambda: acknowledge_support_request(s, actor, request, now=now),
            "accept": lambda: accept_support_request(
                s, actor, request, now=now, note="We halen de tegels in maart weg."
            ),
            "decline": lambda: decline_support_request(
                s, actor, request, reason="Daar is dit jaar geen budget voor.", now=now
            ),
            "deliver": lambda: deliver_support_request(
                s, actor, request, note="De tegels zijn weggehaald.", now=now
            ),
            "assign": lambda: assign_support_request(
                s, actor, request, coach_id=self.w.coach_id, now=now
            ),
        }
        return self.run(answer, calls[answer])
