"""The process plan: one answer to which stages, in which order, with which titles."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.coach.caseload import caseload_row
from engine.coach.stages import load_versions
from engine.history import load_history
from engine.listing import ListFilters, list_page
from engine.machines import ProcessMachine, build_graph, compile_machine, make_graph_key
from engine.operations import fire_transition, insert_stage, set_target_date, skip_stage
from engine.pages import load_page
from engine.reminders.plan_dates import stages_source
from engine.wording import STAGE_KINDS
from engine.workflows.definitions import Text, WorkflowDef
from engine.workflows.loader import load_directory, workflows_dir
from engine.workflows.process_plan import plan_of, process_plan, shapes
from tests import factories
from tests.conftest import TEST_WORKFLOWS

MIN = timedelta(minutes=1)
SKIP_VISIONING = make_graph_key([("skip", "visioning")])
OWN_AFTER_PROPOSAL = make_graph_key([("insert", "own_1", "proposal")])


def _templates() -> dict[str, WorkflowDef]:
    found, problems = load_directory(TEST_WORKFLOWS)
    shipped, more = load_directory(workflows_dir())
    assert not problems and not more
    return {**found, **shipped}


TEMPLATES = _templates()
PROEF = TEMPLATES["proefproces"]


def _plan(graph_key: str = "", titles: dict[str, str] | None = None):
    return process_plan("proefproces-test", PROEF, graph_key, titles)


# --- the view on its own ---------------------------------------------------------------------


def test_the_template_path_in_order_with_its_final_stage():
    plan = _plan()
    assert plan.stages == plan.path == ("proposal", "visioning", "execution", "maintenance")
    assert [s for s in plan.stages if plan.is_final(s)] == ["maintenance"]
    assert plan.next("proposal") == "visioning" and plan.previous("proposal") is None
    assert plan.next("maintenance") is None


def test_a_skipped_stage_stays_listed_but_is_passed_over():
    plan = _plan(SKIP_VISIONING)
    assert plan.stages == ("proposal", "visioning", "execution", "maintenance")
    assert plan.path == ("proposal", "execution", "maintenance")
    assert plan.is_skipped("visioning") and not plan.is_skipped("execution")
    assert plan.next("proposal") == "execution"
    assert plan.previous("execution") == "proposal"
    assert plan.before("execution") == ("proposal", "visioning")


def test_an_own_stage_takes_its_place_with_the_residents_title():
    plan = _plan(OWN_AFTER_PROPOSAL, {"own_1": "Buurtonderzoek"})
    assert plan.stages == ("proposal", "own_1", "visioning", "execution", "maintenance")
    assert plan.next("proposal") == "own_1" and plan.next("own_1") == "visioning"
    assert plan.title("own_1") == Text("Buurtonderzoek", "Buurtonderzoek")
    assert plan.inserted_after("own_1") == "proposal"
    assert (plan.kind("own_1"), plan.kind("visioning"), plan.kind("elsewhere")) == (
        "own",
        "template",
        None,
    )
    assert plan.template_stage("own_1") is None
    assert not plan.is_final("own_1")


def test_titles_in_dutch_and_english():
    plan = _plan(OWN_AFTER_PROPOSAL, {"own_1": "Buurtonderzoek"})
    titles = plan.titles()
    assert titles["visioning"].get("nl") == "Visievorming"
    assert titles["visioning"].get("en") == "Visioning"
    assert titles["maintenance"].get("en") == "Self-management"
    assert titles["own_1"].get("en") == titles["own_1"].get("nl") == "Buurtonderzoek"


def test_an_own_stage_without_a_known_title_is_named_by_its_key():
    assert _plan(OWN_AFTER_PROPOSAL).title("own_1") == Text("own_1", "own_1")
    assert _plan().title("gone") == Text("gone", "gone")


def test_the_phases_a_template_names():
    plan = _plan(OWN_AFTER_PROPOSAL)
    assert [plan.phase(s) for s in plan.stages] == [
        "proposal",
        None,
        "visioning",
        "execution",
        "maintenance",
    ]


def test_initiatives_with_the_same_changes_share_one_shape():
    first = _plan(SKIP_VISIONING, {"own_9": "Eigen"})
    second = _plan(SKIP_VISIONING)
    assert first.shape is second.shape
    assert (("proefproces-test", SKIP_VISIONING)) in shapes


# --- a property: the view walks the path the machine walks ------------------------------------


def _reshape(defn: WorkflowDef, choices: list[tuple[str, int]]) -> list[tuple[str, ...]]:
    """Apply the changes the operations would accept, for a group still in the first stage."""
    ops: list[tuple[str, ...]] = []
    own = 0
    for action, pick in choices:
        plan = process_plan(f"property-{defn.name}", defn, make_graph_key(ops))
        skipped = set(plan.shape.skipped)
        if action == "skip":
            options = [
                s.id
                for s in defn.stages
                if s.optional and s.id != defn.initial and s.id not in skipped
            ]
            change = [("skip", options[pick % len(options)])] if options else []
        elif action == "restore":
            options = sorted(skipped)
            if options:
                ops = [op for op in ops if op != ("skip", options[pick % len(options)])]
            continue
        elif action == "insert":
            options = [
                s
                for s in plan.stages
                if s not in skipped
                and not plan.is_final(s)
                and (plan.is_own(s) or plan.template_stage(s).allow_insert_after)  # type: ignore[union-attr]
            ]
            own += 1
            change = [("insert", f"own_{own}", options[pick % len(options)])] if options else []
        else:  # remove an own stage nothing follows
            after = {op[2] for op in ops if op[0] == "insert"}
            options = [op[1] for op in ops if op[0] == "insert" and op[1] not in after]
            if options:
                gone = options[pick % len(options)]
                ops = [op for op in ops if op[:2] != ("insert", gone)]
            continue
        if change and build_graph(defn, make_graph_key(ops + change)).reaches_final():
            ops += change
    return ops


@settings(max_examples=150, deadline=None, database=None)
@given(
    name=st.sampled_from(sorted(TEMPLATES)),
    choices=st.lists(
        st.tuples(st.sampled_from(["skip", "restore", "insert", "remove"]), st.integers(0, 9)),
        max_size=8,
    ),
)
def test_the_path_is_what_the_machine_can_reach(name, choices):
    defn = TEMPLATES[name]
    key = make_graph_key(_reshape(defn, choices))
    plan = process_plan(f"property-{name}", defn, key)
    graph = build_graph(defn, key)
    machine = ProcessMachine(graph, compile_machine(graph))
    reached, todo = {defn.initial}, [defn.initial]
    while todo:
        here = todo.pop()
        for t in graph.outgoing(here):
            there = machine.fire(here, t.trigger)
            if there not in reached:
                reached.add(there)
                todo.append(there)
    assert set(plan.path) == reached
    assert plan.path == tuple(s for s in plan.stages if not plan.is_skipped(s))
    for stage in plan.path:
        following = plan.next(stage)
        if following is not None:  # the next stage is one move away
            assert following in {machine.fire(stage, t.trigger) for t in graph.outgoing(stage)}
        else:
            assert plan.is_final(stage)


# --- every screen, list and reminder names the stage as the plan does -------------------------


@pytest.fixture
def reshaped(session, now):
    """A group that added its own stage after the proposal, left visioning out and is in it."""
    item = factories.initiative(session, now, members=1)
    anna = item.memberships[0].person
    insert_stage(
        session, anna, item.id, after="proposal", title="Buurtonderzoek",
        description="We vragen de buren wat ze willen.", now=now + MIN,
    )  # fmt: skip
    skip_stage(session, anna, item.id, "visioning", now + 2 * MIN)
    fire_transition(session, anna, item.id, "enter_own_1", now + 3 * MIN)
    set_target_date(
        session, anna, item.id, stage_key="own_1", target_date=date(2026, 12, 18),
        now=now + 4 * MIN,
    )  # fmt: skip
    session.flush()
    assert item.state == "own_1"
    return item


def test_the_plan_of_a_reshaped_initiative(session, reshaped):
    plan = plan_of(session, reshaped)
    assert plan.stages == ("proposal", "own_1", "visioning", "execution", "maintenance")
    assert plan.path == ("proposal", "own_1", "execution", "maintenance")
    assert plan.title(reshaped.state) == Text("Buurtonderzoek", "Buurtonderzoek")


def test_caseload_list_history_reminders_and_page_agree(session, now, reshaped):
    plan = plan_of(session, reshaped)
    title = plan.title(reshaped.state)

    row = caseload_row(session, reshaped.id, now=now + 5 * MIN)
    assert row is not None and row.stage_title == title and row.status != "finished"

    listing = list_page(session, None, ListFilters(search=reshaped.title, per_page=96))
    (listed,) = [r for r in listing.rows if r.id == reshaped.id]
    assert listed.stage_title == title

    history = load_history(session, reshaped, private=True)
    assert {k: history.stage_titles[k] for k in plan.stages} == {
        k: plan.title(k) for k in plan.stages
    }

    (deadline,) = [
        d for d in stages_source(session, [reshaped.id], now) if d.kind == "stage_target"
    ]
    assert deadline.title == title.as_dict()

    page = load_page(session, reshaped, reshaped.memberships[0].person)
    assert [(s.key, s.title, s.status) for s in page.stages] == [
        ("proposal", plan.title("proposal"), "done"),
        ("own_1", title, "current"),
        ("visioning", plan.title("visioning"), "skipped"),
        ("execution", plan.title("execution"), "upcoming"),
        ("maintenance", plan.title("maintenance"), "upcoming"),
    ]
    assert [s.key for s in page.stages if s.final] == ["maintenance"]


def test_the_coach_overview_knows_template_stages_from_own_ones(session, reshaped):
    versions = load_versions(session)
    plan = versions.plans[reshaped.workflow_version_id]
    assert plan.kind("own_1") is None  # the template's plan has no own stages
    assert versions.is_final(reshaped.workflow_version_id, "maintenance")
    # across templates a stage they name differently goes by its kind, one they agree on by
    # their own title; each template keeps its own names
    across = dict(versions.stages())
    assert across["visioning"] == STAGE_KINDS["visioning"]
    assert across["proposal"] == Text("Voorstel", "Proposal")
    own = {name: dict(stages) for name, _, stages in versions.stages_by_template()}
    assert own["wijkvisie"]["visioning"] == Text("Visievorming", "Visioning")
    assert own["vergroening"]["visioning"] == Text("Samen ontwerpen", "Designing together")
