"""The group's rules, checked between the snapshot before an operation and the one after.

Each check is named; :func:`violations` yields ``(name, message)`` for every rule broken by the
last operation. :class:`History` remembers what a single snapshot cannot tell: who could vote
on each decision when it opened, how long its period was, when the group paused, which stages
it has been in.

Where the engine's API may change, the check leans on one small function: ``gate_moves`` (which
template moves guard a stage), ``electorate_at_open``, ``behind`` (which open steps a member
can no longer see on the checklist).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import false, func, select

from engine.guards import check_guards
from engine.machines import build_graph
from engine.models import Initiative, Step
from engine.models.initiatives import NO_OPEN_DUE
from engine.permissions import can_fire
from engine.workflows.definitions import TransitionDef, WorkflowDef
from engine.workflows.process_plan import process_plan
from tests.invariants.snapshot import EventRow, Snapshot

Violation = tuple[str, str]
CLOSED = ("approved", "rejected")


@dataclass
class History:
    defn: WorkflowDef
    #: decision id → the resident members when it opened; → its period (consent)
    electorate: dict[int, frozenset[int]] = field(default_factory=dict)
    period: dict[int, timedelta] = field(default_factory=dict)
    #: [paused at, resumed at or None]
    pauses: list[list[datetime | None]] = field(default_factory=list)
    visited: set[str] = field(default_factory=set)

    def learn(self, prev: Snapshot | None, post: Snapshot) -> None:
        """Take in what the last operation did (before the checks look at it)."""
        for did, d in post.decisions.items():
            if did not in self.electorate:
                self.electorate[did] = electorate_at_open(prev, post)
                if d.period is not None:
                    self.period[did] = d.period
        for e in post.events:
            if e.kind == "paused":
                self.pauses.append([e.created_dt, None])
            elif e.kind == "resumed" and self.pauses and self.pauses[-1][1] is None:
                self.pauses[-1][1] = e.created_dt

    def paused_between(self, start: datetime, end: datetime) -> timedelta:
        total = timedelta()
        for began, ended in self.pauses:
            assert began is not None
            overlap = min(end, ended or end) - max(start, began)
            total += max(overlap, timedelta())
        return total


def electorate_at_open(prev: Snapshot | None, post: Snapshot) -> frozenset[int]:
    """Who may vote on a decision opened by the last operation: the resident members then."""
    return frozenset((prev or post).residents())


def gate_moves(defn: WorkflowDef, source: str, dest: str) -> list[TransitionDef]:
    """The template moves whose gate guards ``dest`` for a move from ``source``: the template's
    own moves from there, or else every forward template move into ``dest``."""
    into = [t for t in defn.transitions if t.dest == dest]
    direct = [t for t in into if source in t.sources]
    if direct:
        return direct
    order = defn.stage_ids
    return [t for t in into if any(order.index(s) < order.index(dest) for s in t.sources)]


def _gate_holds(t: TransitionDef, prev: Snapshot, actor: int | None, fired: str) -> str | None:
    """Why the gate of template move ``t`` did not hold just before the move, or None."""
    role = prev.members.get(actor) if actor is not None else None
    if not can_fire(role, t.roles):
        return f"{t.trigger}: role {role!r} not in {t.roles}"
    reasons = check_guards(t.guards, prev.context)
    if reasons:
        return f"{t.trigger}: guards fail ({'; '.join(str(r) for r in reasons)})"
    if t.decision is not None:
        approved = {(d.trigger, d.rule) for d in prev.decisions.values() if d.status == "approved"}
        if not {(fired, t.decision.rule), (t.trigger, t.decision.rule)} & approved:
            return f"{t.trigger}: no approved {t.decision.rule} decision"
    return None


def _transitions(post: Snapshot) -> list[EventRow]:
    return [e for e in post.events if e.kind == "transition"]


def check_gate(h: History, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    order = process_plan(prev.content_hash, h.defn, prev.graph_key).stages
    for e in _transitions(post):
        source, dest, fired = e.from_stage or "", e.to_stage or "", e.data.get("trigger", "")
        if dest not in h.defn.stage_ids:
            continue  # an own stage: the template sets no gate on it
        if source in order and dest in order and order.index(dest) < order.index(source):
            if dest not in h.visited:
                yield f"went back by {fired} to {dest}, a stage the group was never in"
            continue
        moves = gate_moves(h.defn, source, dest)
        why = [_gate_holds(t, prev, e.actor_id, fired) for t in moves]
        if moves and all(why):
            yield (
                f"entered {dest} from {source} by {fired!r} (graph {prev.graph_key or '-'}) "
                f"without its gate: {' | '.join(w for w in why if w)}"
            )


def _settled(prev: Snapshot, post: Snapshot) -> dict[int, str]:
    """Decisions that stopped being open in the last operation → their new status."""
    return {
        did: d.status
        for did, d in post.decisions.items()
        if d.status != "open"
        and (did not in prev.decisions or prev.decisions[did].status == "open")
    }


def check_electorate(h: History, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    for vid, (did, person, choice) in post.votes.items():
        if prev.votes.get(vid) != (did, person, choice) and person not in h.electorate[did]:
            yield (
                f"person {person} voted {choice!r} on decision {did} without being a member "
                "when it opened"
            )


def check_tally(h: History, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    for did, status in _settled(prev, post).items():
        d, votes, voters = post.decisions[did], post.votes_on(did), h.electorate[did]
        if d.rule == "consent" and status == "rejected":
            objectors = {p for p, c in votes.items() if c == "object"}
            if objectors and not objectors & voters:
                yield (
                    f"consent decision {did} rejected by objections of {sorted(objectors)}, "
                    f"outside its electorate {sorted(voters)}"
                )
        if d.rule == "majority" and status == "approved":
            yes = sum(1 for p, c in votes.items() if c == "for" and p in voters)
            no = sum(1 for p, c in votes.items() if c == "against" and p in voters)
            if yes <= no:
                yield f"majority decision {did} approved with {yes} for, {no} against"


def check_paused_close(h: History, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    if prev.is_paused and post.is_paused:
        for did, status in _settled(prev, post).items():
            rule = post.decisions[did].rule
            yield f"decision {did} ({rule}) became {status} while the group was paused"


def check_decision_clock(h: History, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    for did, status in _settled(prev, post).items():
        d = post.decisions[did]
        if d.rule != "consent" or status != "approved" or did not in h.period:
            continue
        still = h.electorate[did] & post.residents()
        votes = post.votes_on(did)
        if still and all(votes.get(p) == "for" for p in still):
            continue  # everyone agreed: no need to wait
        assert d.closed_dt is not None
        ran = d.closed_dt - d.opened_dt - h.paused_between(d.opened_dt, d.closed_dt)
        if ran < h.period[did]:
            yield (
                f"consent decision {did} approved after {ran} of unpaused time; its period is "
                f"{h.period[did]}"
            )


def check_majority_waits(h: History, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    for did, status in _settled(prev, post).items():
        d = post.decisions[did]
        if d.rule != "majority" or status not in CLOSED:
            continue
        still = h.electorate[did] & post.residents()
        voted = set(post.votes_on(did))
        on_time = d.closes_dt is not None and d.closed_dt is not None and d.closed_dt >= d.closes_dt
        if not still <= voted and not on_time:
            yield (
                f"majority decision {did} closed ({status}) before its closing moment while "
                f"{sorted(still - voted)} had not voted"
            )


def check_events(h: History, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    here = prev.state
    for e in _transitions(post):
        if e.from_stage != here:
            yield f"transition event {e.id} from {e.from_stage} while the group was in {here}"
        here = e.to_stage or here
    if here != post.state:
        yield f"stage changed {prev.state} -> {post.state}, the history says {here}"
    kinds = {e.kind for e in post.events}
    expected = "paused" if post.is_paused else "resumed"
    if prev.is_paused != post.is_paused and expected not in kinds:
        yield f"paused changed {prev.is_paused} -> {post.is_paused} without its event"
    if ("paused" in kinds or "resumed" in kinds) and prev.is_paused == post.is_paused:
        yield "a pause or resume event without a change of pace"
    if prev.graph_key != post.graph_key and not any(k.startswith("stage.") for k in kinds):
        yield f"stage graph changed {prev.graph_key!r} -> {post.graph_key!r} without an event"
    if prev.recorded() != post.recorded() and not post.events:
        pairs = zip(prev.recorded(), post.recorded(), strict=True)
        changed = [i for i, (a, b) in enumerate(pairs) if a != b]
        yield f"the initiative changed (parts {changed}) without any event"


def check_reachable(h: History, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    graph = build_graph(h.defn, post.graph_key)
    if post.state not in graph.stages:
        yield f"stage {post.state} is not on the path {graph.stages}"
        return
    reached, todo = {graph.initial}, [graph.initial]
    while todo:
        here = todo.pop()
        for t in graph.outgoing(here):
            if t.dest not in reached:
                reached.add(t.dest)
                todo.append(t.dest)
    if post.state not in reached:
        yield f"stage {post.state} not reachable from {graph.initial} in {post.graph_key!r}"
    ahead, todo = {post.state}, [post.state]
    while todo:
        for t in graph.outgoing(todo.pop()):
            if t.dest not in ahead:
                ahead.add(t.dest)
                todo.append(t.dest)
    if not ahead & graph.finals:
        yield f"no final stage can be reached from {post.state} in graph {post.graph_key!r}"


def _explained(post: Snapshot, key: str, value: int) -> bool:
    return any(e.mentions(key, value) for e in post.events)


def check_vanished(h: History, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    for key, before, after in (
        ("step", prev.steps, post.steps),
        ("document", prev.documents, post.documents),
    ):
        for gone in set(before) - set(after):
            if not _explained(post, key, gone):
                yield f"{key} {gone} {before[gone][:2]} vanished without an event naming it"
    for person in set(prev.members) - set(post.members):
        if not any(e.actor_id == person or e.mentions("person", person) for e in post.events):
            yield f"member {person} vanished from the group without an event"


def behind(h: History, snap: Snapshot) -> set[int]:
    """Open steps of stages the group has left (skipped stages aside): off the checklist."""
    plan = process_plan(snap.content_hash, h.defn, snap.graph_key)
    past = set(plan.before(snap.state)) - plan.shape.skipped
    return {sid for sid, s in snap.steps.items() if s[0] in past and not s[2]}


def check_open_steps(h: History, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    for sid in behind(h, post) - behind(h, prev):
        if not _explained(post, "step", sid):
            yield f"open step {sid} {post.steps[sid][:2]} left behind in a past stage, unsaid"


def check_invitation(world, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    for iid, (email, _role, by) in post.invitations.items():
        if by is not None and prev.invitations.get(iid, (None, None, None))[2] != by:
            if world.emails.get(by) != email:
                yield f"invitation for {email} accepted by {world.emails.get(by)}"


def check_staff(world, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    for person in set(post.members) & world.staff:
        yield f"staff member {person} is in the group as {post.members[person]!r}"


CHECKS = {
    "gate": check_gate,
    "electorate": check_electorate,
    "tally": check_tally,
    "paused_close": check_paused_close,
    "decision_clock": check_decision_clock,
    "majority_waits": check_majority_waits,
    "events": check_events,
    "reachable": check_reachable,
    "vanished": check_vanished,
    "open_steps": check_open_steps,
}


def check_kept_open_due(world, prev: Snapshot, post: Snapshot) -> Iterator[str]:
    """Each initiative's kept earliest open due date equals the one its steps give now."""
    for iid, kept, actual in kept_open_due_drift(world.session):
        yield f"initiative {iid} keeps {kept} as its earliest open due date; its steps say {actual}"


def kept_open_due_drift(session) -> list[tuple[int, object, object]]:
    """(initiative, kept, recomputed) for every initiative whose kept date is not its steps'."""
    i, s = Initiative.__table__.c, Step.__table__.c
    actual = func.coalesce(
        select(func.min(s.due_date))
        .where(s.initiative_id == i.id, s.is_done == false(), s.closed_dt.is_(None))
        .scalar_subquery(),
        NO_OPEN_DUE,
    )
    rows = session.execute(
        select(i.id, i.earliest_open_due, actual).where(i.earliest_open_due != actual)
    )
    return [tuple(row) for row in rows]


WORLD_CHECKS = {
    "invitation_address": check_invitation,
    "staff_not_members": check_staff,
    "kept_open_due": check_kept_open_due,
}


def violations(h: History, world, prev: Snapshot, post: Snapshot) -> Iterator[Violation]:
    """Every rule the last operation broke; ``h`` learns from it first."""
    h.learn(prev, post)
    for name, check in CHECKS.items():
        for message in check(h, prev, post):
            yield name, message
    for name, world_check in WORLD_CHECKS.items():
        for message in world_check(world, prev, post):
            yield name, message
    h.visited.update(e.to_stage for e in _transitions(post) if e.to_stage)


def pending_changes(session) -> list[str]:
    """Changes a refused operation left in the session, not yet flushed."""
    return [
        *(f"new {type(o).__name__}" for o in session.new),
        *(f"deleted {type(o).__name__}" for o in session.deleted),
        *(f"changed {type(o).__name__}" for o in session.dirty if session.is_modified(o)),
    ]


def stored_changes(prev: Snapshot, now: Snapshot) -> list[str]:
    """The parts of the stored state that differ between two snapshots."""
    names = ["initiative", "members", "steps", "documents", "decisions", "votes", "requests",
             "plans", "invitations", "maintenance", "occurrences", "events"]  # fmt: skip
    return [n for n, a, b in zip(names, prev.stored(), now.stored(), strict=True) if a != b]
