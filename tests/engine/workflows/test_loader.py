"""Loading, checking, storing and rendering process templates."""

from __future__ import annotations

import json

import pytest
import yaml

from engine.config import load_config
from engine.guards import GUARDS
from engine.workflows.definitions import GuardRef, Text
from engine.workflows.loader import (
    DEFAULT_WORKFLOWS_DIR,
    Problem,
    from_dict,
    load_directory,
    load_workflow_file,
    load_workflow_text,
    to_dict,
    workflows_dir,
)
from engine.workflows.render import mermaid_text, render_mermaid, render_text

SHIPPED = ("wijkvisie", "parkplan", "vergroening")

BASE = """\
name: demo
title: {nl: Demo, en: Demo}
description: {nl: Een proef, en: A trial}
initial: proposal
stages:
  - id: proposal
    title: {nl: Voorstel, en: Proposal}
    description: {nl: Het idee, en: The idea}
    participation: coproduceren
    municipality_role: {nl: Meedenken, en: Think along}
    steps:
      - {nl: Buren spreken, en: Talk to neighbours}
  - id: execution
    title: {nl: Uitvoering, en: Execution}
    description: {nl: Doen, en: Doing}
    participation: zelfbeheer
    municipality_role: {nl: Ondersteunen, en: Support}
    duration_days: 30
    final: true
transitions:
  - trigger: start
    title: {nl: Beginnen, en: Start}
    source: proposal
    dest: execution
    guards:
      - {min_members: {count: 2}}
      - steps_done
    decision: {rule: consent, days: 7}
"""

EXTRA_STAGE = """\
  - id: {id}
    title: {{nl: Extra, en: Extra}}
    description: {{nl: Nog iets, en: Something more}}
    participation: adviseren
    municipality_role: {{nl: Adviseert, en: Advises}}
"""

EXTRA_TRANSITION = """\
  - trigger: {trigger}
    title: {{nl: Verder, en: Onwards}}
    source: {source}
    dest: {dest}
"""


def edit(*replacements: tuple[str, str], text: str = BASE) -> str:
    """Apply replacements to the base template, each to exactly one place."""
    for old, new in replacements:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return text


def add_stage(text: str, stage_id: str) -> str:
    return text.replace("transitions:\n", EXTRA_STAGE.format(id=stage_id) + "transitions:\n")


def add_transition(text: str, trigger: str, source: str, dest: str) -> str:
    return text + EXTRA_TRANSITION.format(trigger=trigger, source=source, dest=dest)


def line_of(text: str, fragment: str, occurrence: int = 1) -> int:
    """Return the 1-based line of the n-th line that contains the fragment."""
    found = [n for n, line in enumerate(text.splitlines(), start=1) if fragment in line]
    return found[occurrence - 1]


def only_problem(text: str) -> Problem:
    defn, problems = load_workflow_text(text, "t.yaml")
    assert defn is None
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def assert_problem(text: str, line: int, fragment: str) -> None:
    problem = only_problem(text)
    assert problem.line == line, str(problem)
    assert fragment in problem.message, str(problem)
    assert str(problem) == f"t.yaml:{line}: {problem.message}"


# -- the shipped templates -------------------------------------------------------------------


def test_base_example_is_valid():
    defn, problems = load_workflow_text(BASE, "t.yaml")
    assert problems == []
    assert defn.name == "demo"
    assert defn.transitions[0].guards == (
        GuardRef("min_members", (("count", 2),)),
        GuardRef("steps_done"),
    )
    assert defn.transitions[0].roles == ("initiator", "member")
    assert defn.source_path == "t.yaml"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_template_is_valid(name):
    defn, problems = load_workflow_file(DEFAULT_WORKFLOWS_DIR / f"{name}.yaml")
    assert problems == []
    assert defn.name == name
    for stage in defn.stages:
        assert stage.steps, f"{stage.id} has no suggested steps"
        for text in (stage.title, stage.description, stage.municipality_role, *stage.steps):
            assert text.nl.strip() and text.en.strip()
    order = defn.stage_ids
    for stage in defn.stages:
        if not stage.final:
            forward = [
                t
                for t in defn.transitions
                if stage.id in t.sources and order.index(t.dest) > order.index(stage.id)
            ]
            assert forward, f"{stage.id} has no forward transition"
    for transition in defn.transitions:
        assert "coach" not in transition.roles  # coaches never advance a resident's process
        assert all(g.name in GUARDS for g in transition.guards)


def test_shipped_templates_cover_the_five_stages():
    defs, problems = load_directory(DEFAULT_WORKFLOWS_DIR)
    assert problems == []
    assert set(defs) == set(SHIPPED)
    seen = {stage.id for defn in defs.values() for stage in defn.stages}
    assert {"proposal", "visioning", "municipal_support", "execution", "maintenance"} <= seen


def test_shipped_templates_use_what_their_situation_needs():
    defs, _ = load_directory(DEFAULT_WORKFLOWS_DIR)

    def guards_into(defn, dest):
        return {g.name for t in defn.transitions if t.dest == dest for g in t.guards}

    wijkvisie, parkplan, vergroening = (defs[n] for n in SHIPPED)
    assert any(s.optional for s in wijkvisie.stages)
    assert any(s.allow_insert_after for s in wijkvisie.stages)
    assert any(t.decision and t.decision.rule == "consent" for t in wijkvisie.transitions)
    assert any("min_partners" in {g.name for g in t.guards} for t in parkplan.transitions)
    assert any(t.decision and t.decision.rule == "majority" for t in parkplan.transitions)
    assert vergroening.stage("maintenance").final
    assert vergroening.stage("maintenance").participation == "zelfbeheer"
    assert "association_registered" in guards_into(vergroening, "maintenance")
    assert "support_requests_answered" in guards_into(vergroening, "execution")
    assert any("document_present" in {g.name for g in t.guards} for t in vergroening.transitions)
    assert any(t.decision and t.decision.rule == "initiators" for t in vergroening.transitions)


# -- one test per kind of problem ------------------------------------------------------------


def test_yaml_syntax_error_has_its_line():
    text = edit(("initial: proposal\n", "initial: proposal: visioning\n"))
    assert_problem(text, 4, "YAML syntax error")


def test_yaml_tab_error_has_its_line():
    text = edit(("    final: true\n", "\tfinal: true\n"))
    assert_problem(text, line_of(text, "final: true"), "YAML syntax error")


@pytest.mark.parametrize("text", ["- a\n- b\n", "just words\n", ""])
def test_top_level_must_be_a_mapping(text):
    assert_problem(text, 1, "top level must be a mapping")


@pytest.mark.parametrize(
    ("after", "where"),
    [
        ("initial: proposal\n", "in workflow"),
        ("    participation: coproduceren\n", "in stage 'proposal'"),
        ("    dest: execution\n", "in transition 'start'"),
    ],
)
def test_unknown_key(after, where):
    text = edit((after, after + after[: len(after) - len(after.lstrip())] + "titel: x\n"))
    assert_problem(text, line_of(text, "titel: x"), f"unknown key 'titel' {where}")


def test_unknown_key_in_a_text():
    text = edit(("{nl: Doen, en: Doing}", "{nl: Doen, en: Doing, de: Tun}"))
    assert_problem(text, line_of(text, "de: Tun"), "unknown key 'de' in description of stage")


def test_missing_key():
    text = edit(("    participation: zelfbeheer\n", ""))
    assert_problem(text, line_of(text, "- id: execution"), "missing key 'participation'")


def test_missing_key_in_transition():
    text = edit(("    dest: execution\n", ""))
    assert_problem(text, line_of(text, "- trigger: start"), "missing key 'dest' in transition")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("duration_days: 30", "duration_days: 0", "duration_days of stage 'execution' must be"),
        ("duration_days: 30", "duration_days: thirty", "must be a positive whole number"),
        ("duration_days: 30", "duration_days: true", "got true"),
        ("final: true", "final: maybe", "final of stage 'execution' must be true or false"),
        ("final: true", "final: true\n    optional: 1", "optional of stage 'execution'"),
        ("initial: proposal", "initial: proposal\nmin_members: 0", "min_members of workflow"),
        ("name: demo", "name: Demo Workflow", "name of workflow must be lower-case"),
        ("trigger: start", "trigger: Start!", "trigger of transition 1 must be lower-case"),
        ("title: {nl: Demo, en: Demo}", "title: Demo", "title of workflow must be a mapping"),
        (
            "    steps:\n      - {nl: Buren spreken, en: Talk to neighbours}\n",
            "    steps: Buren\n",
            "steps of stage 'proposal' must be a list",
        ),
    ],
)
def test_wrong_type(old, new, fragment):
    text = edit((old, new))
    last_line = new.splitlines()[-1].strip()
    assert_problem(text, line_of(text, last_line), fragment)


def test_duplicate_stage_id():
    text = add_stage(BASE, "proposal")
    problem = only_problem(text)
    assert problem.line == line_of(text, "- id: proposal", occurrence=2)
    assert problem.message == "duplicate stage id 'proposal' (first defined on line 6)"


def test_duplicate_trigger_from_the_same_stage():
    text = add_transition(BASE, "start", "proposal", "execution")
    line = line_of(text, "- trigger: start", occurrence=2)
    assert_problem(text, line, "duplicate trigger 'start' from stage 'proposal'")


def test_same_trigger_from_other_stages_is_fine():
    text = add_stage(BASE, "extra")
    text = add_transition(text, "start", "extra", "execution")
    text = add_transition(text, "detour", "proposal", "extra")
    assert load_workflow_text(text, "t.yaml")[1] == []


def test_unknown_participation_level():
    text = edit(("participation: coproduceren", "participation: meedoen"))
    assert_problem(text, line_of(text, "meedoen"), "unknown participation level 'meedoen'")


def test_unknown_role():
    text = edit(("    dest: execution\n", "    dest: execution\n    roles: [initiator, buurman]\n"))
    assert_problem(text, line_of(text, "roles:"), "unknown role 'buurman' in transition 'start'")


def test_unknown_guard():
    text = edit(("      - steps_done\n", "      - weather_is_nice\n"))
    assert_problem(text, line_of(text, "weather_is_nice"), "unknown guard 'weather_is_nice'")


def test_unknown_guard_argument():
    text = edit(("{count: 2}", "{count: 2, cnt: 3}"))
    assert_problem(text, line_of(text, "cnt: 3"), "unknown argument 'cnt' for guard 'min_members'")


@pytest.mark.parametrize("guard", ["min_members", "{min_members: {}}", "{min_members: }"])
def test_missing_guard_argument(guard):
    text = edit(("{min_members: {count: 2}}", guard))
    assert_problem(text, line_of(text, "min_members"), "missing argument 'count' for guard")


def test_guard_argument_in_block_style_has_its_own_line():
    block = "- min_members:\n          count: two"
    text = edit(("- {min_members: {count: 2}}", block))
    assert_problem(text, line_of(text, "count: two"), "must be a whole number, got 'two'")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("{count: 2}", "{count: '2'}", "argument 'count' of guard 'min_members' in transition"),
        ("{count: 2}", "{count: 2.5}", "must be a whole number, got 2.5"),
        ("- steps_done", "- {document_present: {stage_only: yes please}}", "true or false"),
    ],
)
def test_guard_argument_of_the_wrong_type(old, new, fragment):
    text = edit((old, new))
    assert_problem(text, line_of(text, new.strip("- ")[:10]), fragment)


def test_guard_argument_below_minimum():
    text = edit(("{count: 2}", "{count: 0}"))
    assert_problem(text, line_of(text, "count: 0"), "must be at least 1, got 0")


def test_unknown_decision_rule():
    text = edit(("{rule: consent, days: 7}", "{rule: unanimous}"))
    assert_problem(text, line_of(text, "unanimous"), "unknown decision rule 'unanimous'")


def test_consent_days_at_least_one():
    text = edit(("days: 7", "days: 0"))
    assert_problem(text, line_of(text, "days: 0"), "consent days in transition 'start'")


def test_days_only_for_consent_and_majority():
    text = edit(("{rule: consent, days: 7}", "{rule: initiators, days: 3}"))
    assert_problem(text, line_of(text, "initiators"), "days only apply to the consent and majority")


def test_a_majority_vote_has_days_and_a_quorum():
    defn, problems = load_workflow_text(
        edit(("{rule: consent, days: 7}", "{rule: majority, days: 10, quorum: 60}")), "t.yaml"
    )
    assert problems == []
    rule = defn.transitions[0].decision
    assert (rule.rule, rule.days, rule.quorum) == ("majority", 10, 60)
    assert to_dict(defn)["transitions"][0]["decision"] == {
        "rule": "majority",
        "days": 10,
        "quorum": 60,
    }
    assert from_dict(json.loads(json.dumps(to_dict(defn)))) == defn


def test_a_majority_vote_without_days_keeps_its_stored_form():
    """Templates stored before majority votes had days hash the same as before."""
    defn, _ = load_workflow_text(edit(("{rule: consent, days: 7}", "{rule: majority}")), "t.yaml")
    rule = defn.transitions[0].decision
    assert (rule.days, rule.quorum) == (7, None)
    assert to_dict(defn)["transitions"][0]["decision"] == {"rule": "majority"}


@pytest.mark.parametrize(
    ("decision", "fragment"),
    [
        ("{rule: majority, quorum: 0}", "must be a percentage from 1 to 100, got 0"),
        ("{rule: majority, quorum: 101}", "must be a percentage from 1 to 100, got 101"),
        ("{rule: majority, quorum: half}", "must be a percentage from 1 to 100"),
        ("{rule: consent, days: 7, quorum: 50}", "quorum only applies to the majority rule"),
        ("{rule: majority, days: 0}", "majority days in transition 'start' must be at least 1"),
    ],
)
def test_a_wrong_quorum_or_majority_days(decision, fragment):
    text = edit(("{rule: consent, days: 7}", decision))
    assert_problem(text, line_of(text, decision[:10]), fragment)


def test_source_is_not_a_stage():
    text = edit(("    source: proposal\n", "    source:\n      - proposal\n      - propsal\n"))
    assert_problem(text, line_of(text, "- propsal"), "source 'propsal' of transition 'start'")


def test_dest_is_not_a_stage():
    text = edit(("dest: execution", "dest: exec"))
    assert_problem(text, line_of(text, "dest: exec"), "dest 'exec' of transition 'start' is not")


def test_initial_is_not_a_stage():
    text = edit(("initial: proposal", "initial: idea"))
    assert_problem(text, 4, "initial stage 'idea' is not a stage")


def test_unreachable_stage():
    text = add_transition(add_stage(BASE, "orphan"), "finish", "orphan", "execution")
    assert_problem(text, line_of(text, "- id: orphan"), "stage 'orphan' cannot be reached")


def test_stage_without_a_way_to_a_final_stage():
    text = add_transition(add_stage(BASE, "dead_end"), "detour", "proposal", "dead_end")
    line = line_of(text, "- id: dead_end")
    assert_problem(text, line, "no final stage can be reached from stage 'dead_end'")


def test_no_final_stage():
    text = edit(("    final: true\n", ""))
    assert_problem(text, line_of(text, "stages:"), "no stage is marked final")


def test_final_stage_with_outgoing_transition():
    text = add_transition(BASE, "reopen", "execution", "proposal")
    line = line_of(text, "source: execution")
    assert_problem(text, line, "final stage 'execution' has an outgoing transition 'reopen'")


@pytest.mark.parametrize(
    ("old", "new", "fragment"),
    [
        ("{nl: Voorstel, en: Proposal}", "{nl: Voorstel}", "missing English (en) text in title"),
        ("{nl: Het idee, en: The idea}", "{en: The idea}", "missing Dutch (nl) text in descr"),
        ("{nl: Ondersteunen, en: Support}", "{nl: '', en: Support}", "empty Dutch (nl) text in"),
        ("{nl: Buren spreken, en: Talk to neighbours}", "{nl: Buren spreken, en: ' '}", "step 1"),
        ("{nl: Beginnen, en: Start}", "{nl: Beginnen, en: }", "empty English (en) text in title"),
        ("{nl: Een proef, en: A trial}", "{nl: Een proef}", "description of workflow"),
    ],
)
def test_missing_or_empty_text(old, new, fragment):
    text = edit((old, new))
    assert_problem(text, line_of(text, new), fragment)


def test_missing_text_in_block_style_points_at_the_mapping():
    text = edit(
        ("    title: {nl: Uitvoering, en: Execution}\n", "    title:\n      en: Execution\n")
    )
    assert_problem(text, line_of(text, "en: Execution"), "missing Dutch (nl) text in title")


def test_duplicate_yaml_key():
    text = edit(("    duration_days: 30\n", "    duration_days: 30\n    duration_days: 40\n"))
    line = line_of(text, "duration_days: 40")
    assert_problem(text, line, f"duplicate key 'duration_days' (first on line {line - 1})")


def test_reports_every_problem_in_file_order():
    text = edit(
        ("participation: coproduceren", "participation: meedoen"),
        ("duration_days: 30", "duration_days: -1"),
        ("{count: 2}", "{count: 2, cnt: 3}"),
    )
    defn, problems = load_workflow_text(text, "t.yaml")
    assert defn is None
    assert [p.line for p in problems] == [
        line_of(text, "meedoen"),
        line_of(text, "duration_days: -1"),
        line_of(text, "cnt: 3"),
    ]
    assert len({str(p) for p in problems}) == 3


def test_load_directory_reports_duplicate_names(tmp_path):
    (tmp_path / "a.yaml").write_text(BASE, encoding="utf-8")
    (tmp_path / "b.yaml").write_text("# the same again\n" + BASE, encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a template", encoding="utf-8")
    defs, problems = load_directory(tmp_path)
    assert list(defs) == ["demo"]
    assert [str(p) for p in problems] == [
        f"{tmp_path / 'b.yaml'}:2: duplicate workflow name 'demo' (also in {tmp_path / 'a.yaml'})"
    ]


def test_unreadable_file_is_a_problem(tmp_path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("name: caf\xe9\n".encode("latin-1"))
    defn, problems = load_workflow_file(path)
    assert defn is None
    assert problems[0].file == str(path) and "cannot read" in problems[0].message


def test_workflows_dir_follows_the_configuration(tmp_path):
    assert workflows_dir(load_config({}).workflows_dir) == DEFAULT_WORKFLOWS_DIR
    assert (DEFAULT_WORKFLOWS_DIR / "wijkvisie.yaml").is_file()
    configured = load_config({"VERBINDING_WORKFLOWS_DIR": str(tmp_path)})
    assert workflows_dir(configured.workflows_dir) == tmp_path


# -- storing and rendering -------------------------------------------------------------------


@pytest.mark.parametrize("name", SHIPPED)
def test_round_trip_through_json_and_yaml(name):
    defn, _ = load_workflow_file(DEFAULT_WORKFLOWS_DIR / f"{name}.yaml")
    data = json.loads(json.dumps(to_dict(defn)))
    assert from_dict(data) == defn
    again, problems = load_workflow_text(yaml.safe_dump(data, allow_unicode=True), "dump.yaml")
    assert problems == []
    assert again == defn


def test_to_dict_has_the_yaml_shape():
    defn, _ = load_workflow_text(BASE, "t.yaml")
    data = to_dict(defn)
    transition = data["transitions"][0]
    assert transition["source"] == "proposal"
    assert transition["guards"] == [{"min_members": {"count": 2}}, "steps_done"]
    assert transition["decision"] == {"rule": "consent", "days": 7}
    assert data["stages"][1]["duration_days"] == 30
    assert "duration_days" not in data["stages"][0]


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_render_mermaid(name, locale):
    defn, _ = load_workflow_file(DEFAULT_WORKFLOWS_DIR / f"{name}.yaml")
    chart = render_mermaid(defn, locale)
    assert chart.startswith("stateDiagram-v2\n")
    assert f"[*] --> {defn.initial}" in chart
    for transition in defn.transitions:
        for source in transition.sources:
            assert f"{source} --> {transition.dest} : {transition.trigger}" in chart
    for stage in defn.stages:
        assert f" as {stage.id}\n" in chart
        if stage.final:
            assert f"{stage.id} --> [*]" in chart


def test_mermaid_escapes_what_it_cannot_take():
    assert (
        mermaid_text('Plein "De Kade"; #1 <b>\nnu')
        == "Plein #quot;De Kade#quot;#59; #35;1 #lt;b#gt; nu"
    )
    defn, _ = load_workflow_text(BASE.replace("nl: Voorstel", 'nl: Voorstel "A"'), "t.yaml")
    assert 'state "Voorstel #quot;A#quot;" as proposal' in render_mermaid(defn)


def test_render_text_shows_stages_and_transitions():
    defn, _ = load_workflow_file(DEFAULT_WORKFLOWS_DIR / "vergroening.yaml")
    nl, en = render_text(defn), render_text(defn, "en")
    assert nl.index("Voorstel") < nl.index("Zelfbeheer (maintenance)")
    assert "eindfase" in nl and "final stage" in en
    assert "Een bewonersvereniging is geregistreerd" in nl
    assert "Rol van de gemeente" in nl and "Municipality's role" in en
    assert "hand_over_to_association" in en
    assert "Voorgestelde stappen" in nl
    assert Text("Voorstel", "Proposal").get("en") in en


# -- the documentation -----------------------------------------------------------------------

DOCS = DEFAULT_WORKFLOWS_DIR.parent / "docs" / "templates.md"


def test_documented_example_is_valid():
    text = DOCS.read_text(encoding="utf-8")
    example = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    defn, problems = load_workflow_text(example, "docs/templates.md")
    assert problems == []
    assert defn.name == "buurtmoestuin"


def test_every_guard_is_documented():
    text = DOCS.read_text(encoding="utf-8").split("### Guards", 1)[1]
    for name, spec in GUARDS.items():
        row = next(line for line in text.splitlines() if line.startswith(f"| `{name}` |"))
        for param in spec.params:
            assert f"`{param}`" in row
