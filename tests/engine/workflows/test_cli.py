"""The ``workflows`` command group: ``check`` and ``show``."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from engine.workflows.cli import workflows
from engine.workflows.loader import DEFAULT_WORKFLOWS_DIR, load_workflow_file
from tests.conftest import TEST_WORKFLOWS

SHIPPED = ("wijkvisie", "parkplan", "vergroening")
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<message>.+)$")

GOOD = (DEFAULT_WORKFLOWS_DIR / "vergroening.yaml").read_text(encoding="utf-8")


def run(*args: str):
    return CliRunner().invoke(workflows, list(args))


def test_check_shipped_folder_is_ok():
    result = run("check", str(DEFAULT_WORKFLOWS_DIR))
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == len(SHIPPED)
    for name in SHIPPED:
        defn, _ = load_workflow_file(DEFAULT_WORKFLOWS_DIR / f"{name}.yaml")
        expected = (
            f"{DEFAULT_WORKFLOWS_DIR / f'{name}.yaml'}: ok — {name}, "
            f"{len(defn.stages)} stages, {len(defn.transitions)} transitions"
        )
        assert expected in lines


def test_check_reports_each_problem_as_file_line_message(tmp_path):
    bad = tmp_path / "bad.yaml"
    text = GOOD.replace("participation: coproduceren", "participation: meedoen", 1).replace(
        "      - association_registered\n", "      - association_registerd\n"
    )
    bad.write_text(text, encoding="utf-8")
    result = run("check", str(bad))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    matches = [PROBLEM_LINE.match(line) for line in lines]
    assert all(matches), lines
    assert {m["file"] for m in matches} == {str(bad)}
    numbered = text.splitlines()
    first, second = (int(m["line"]) for m in matches)
    assert "meedoen" in numbered[first - 1]
    assert "association_registerd" in numbered[second - 1]
    assert "unknown guard 'association_registerd'" in matches[1]["message"]


def test_check_mixes_ok_files_and_problems(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(GOOD, encoding="utf-8")
    bad.write_text("name: [unclosed\n", encoding="utf-8")
    result = run("check", str(good), str(bad))
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == f"{good}: ok — vergroening, 5 stages, 5 transitions"
    assert lines[1].startswith(f"{bad}:2: YAML syntax error")
    assert len(lines) == 2


def test_check_a_folder_finds_duplicate_names(tmp_path):
    (tmp_path / "a.yaml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "b.yaml").write_text(GOOD, encoding="utf-8")
    name_line = GOOD.splitlines().index("name: vergroening") + 1
    result = run("check", str(tmp_path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{tmp_path / 'a.yaml'}: ok — vergroening, 5 stages, 5 transitions",
        f"{tmp_path / 'b.yaml'}:{name_line}: duplicate workflow name 'vergroening' "
        f"(also in {tmp_path / 'a.yaml'})",
    ]


def test_check_the_same_file_twice_is_not_a_duplicate():
    path = str(DEFAULT_WORKFLOWS_DIR / "parkplan.yaml")
    result = run("check", path, path)
    assert result.exit_code == 0
    assert result.stdout.count(": ok — parkplan") == 1


def test_check_empty_folder_fails(tmp_path):
    result = run("check", str(tmp_path))
    assert result.exit_code == 1
    assert "no *.yaml templates" in result.stderr


def test_check_needs_an_existing_path(tmp_path):
    result = run("check", str(tmp_path / "missing.yaml"))
    assert result.exit_code == 2


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_show_text(name, locale, monkeypatch):
    monkeypatch.delenv("VERBINDING_WORKFLOWS_DIR", raising=False)
    defn, _ = load_workflow_file(DEFAULT_WORKFLOWS_DIR / f"{name}.yaml")
    result = run("show", name, "--locale", locale)
    assert result.exit_code == 0, result.output
    assert defn.title.get(locale) in result.stdout
    for stage in defn.stages:
        assert f"{stage.title.get(locale)} ({stage.id})" in result.stdout
    for transition in defn.transitions:
        assert f"({transition.trigger})" in result.stdout


@pytest.mark.parametrize("name", SHIPPED)
@pytest.mark.parametrize("locale", ["nl", "en"])
def test_show_mermaid(name, locale, monkeypatch):
    monkeypatch.delenv("VERBINDING_WORKFLOWS_DIR", raising=False)
    defn, _ = load_workflow_file(DEFAULT_WORKFLOWS_DIR / f"{name}.yaml")
    result = run("show", name, "--format", "mermaid", "--locale", locale)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("stateDiagram-v2\n")
    for transition in defn.transitions:
        assert f"--> {transition.dest} : {transition.trigger}" in result.stdout


def test_show_unknown_name_lists_known_ones(monkeypatch):
    monkeypatch.delenv("VERBINDING_WORKFLOWS_DIR", raising=False)
    result = run("show", "speeltuin")
    assert result.exit_code == 1
    assert result.stdout == ""
    assert "speeltuin" in result.stderr
    assert "parkplan, vergroening, wijkvisie" in result.stderr


def test_show_reads_the_configured_folder(monkeypatch, tmp_path):
    (tmp_path / "groen.yaml").write_text(GOOD, encoding="utf-8")
    monkeypatch.setenv("VERBINDING_WORKFLOWS_DIR", str(tmp_path))
    assert run("show", "vergroening").exit_code == 0
    result = run("show", "wijkvisie")
    assert result.exit_code == 1
    assert "Known workflows: vergroening." in result.stderr


PROEF = (TEST_WORKFLOWS / "proefproces.yaml").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (
            # 'start' into the optional visioning asks a majority; 'plan' out of it consent
            (
                "      - steps_done\n  - trigger: plan",
                "      - steps_done\n    decision: {rule: majority}\n  - trigger: plan",
            ),
            "stage 'visioning' may be skipped, but skipping it would join 'start' and 'plan' "
            "into one move while they ask for different group decisions; give them the same "
            "decision rule, or make the stage required",
        ),
        (
            # only partners go into visioning, only initiators and members out of it
            (
                "      - steps_done\n  - trigger: plan",
                "      - steps_done\n    roles: [partner]\n  - trigger: plan",
            ),
            "stage 'visioning' may be skipped, but skipping it would join 'start' and 'plan' "
            "into one move that no role may make; let one role make both, or make the stage "
            "required",
        ),
    ],
)
def test_check_refuses_a_skip_that_would_lose_a_gate(tmp_path, change, problem):
    text = PROEF.replace(*change)
    assert text != PROEF
    path = tmp_path / "proef.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 1
    (line,) = result.stdout.splitlines()
    match = PROBLEM_LINE.match(line)
    assert match and match["message"] == problem
    # the line of the stage's 'optional: true', where the author decides it may be skipped
    assert text.splitlines()[int(match["line"]) - 1].strip() == "optional: true"


@pytest.mark.parametrize(
    ("locale", "answered", "delivered"),
    [
        (
            "en",
            "All support requests are answered (accepted or declined)",
            "The municipality delivered every support request it accepted",
        ),
        (
            "nl",
            "Alle ondersteuningsvragen zijn beantwoord (goedgekeurd of afgewezen)",
            "De gemeente heeft elke goedgekeurde ondersteuningsvraag geleverd",
        ),
    ],
)
def test_show_names_both_support_guards(monkeypatch, locale, answered, delivered):
    monkeypatch.delenv("VERBINDING_WORKFLOWS_DIR", raising=False)
    result = run("show", "vergroening", "--locale", locale)
    shown = " ".join(result.stdout.split())  # the text is wrapped
    assert answered in shown and delivered in shown


def test_check_refuses_a_skip_that_strands_a_stage(tmp_path):
    # execution's only way on is back into the optional visioning: without it, no way to the end
    text = PROEF.replace("    source: execution\n    dest: maintenance", "    source: visioning\n"
                         "    dest: maintenance")  # fmt: skip
    assert text != PROEF
    path = tmp_path / "proef.yaml"
    path.write_text(text, encoding="utf-8")
    result = run("check", str(path))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{path}:{text.splitlines().index('    optional: true') + 1}: stage 'visioning' may be "
        "skipped, but without it no final stage can be reached from 'execution'; give that a "
        "way on that does not pass 'visioning', or make the stage required"
    ]
