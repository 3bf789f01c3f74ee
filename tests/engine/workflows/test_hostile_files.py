"""``verbinding workflows check`` on hostile files: each is reported as ``file:line: message``
and the other files in the same run are still checked (issue 13)."""

from __future__ import annotations

import re
import time

from click.testing import CliRunner

from engine.workflows.cli import workflows
from engine.workflows.loader import DEFAULT_WORKFLOWS_DIR, MAX_DEPTH, load_workflow_file

GOOD = (DEFAULT_WORKFLOWS_DIR / "vergroening.yaml").read_text(encoding="utf-8")
PROBLEM_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): (?P<message>.+)$")


def _write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_one_run_with_hostile_files_reports_each_and_checks_the_good_one(tmp_path, monkeypatch):
    monkeypatch.setenv("VERBINDING_WORKFLOW_MAX_BYTES", str(200_000))
    deep = _write(tmp_path, "a_deep.yaml", "name: diep\nstages: " + "[" * 5000 + "]" * 5000 + "\n")
    deep_block = _write(
        tmp_path, "b_deep_block.yaml",
        "".join(f"{'  ' * i}k{i}:\n" for i in range(400)) + f"{'  ' * 400}end: 1\n",
    )  # fmt: skip
    huge_int = _write(tmp_path, "c_int.yaml", "name: getal\nmin_members: " + "9" * 5000 + "\n")
    big = _write(tmp_path, "d_big.yaml", GOOD + "\n# " + "x" * 250_000 + "\n")
    good = _write(tmp_path, "e_good.yaml", GOOD)
    started = time.perf_counter()
    result = CliRunner().invoke(
        workflows, ["check", str(deep), str(deep_block), str(huge_int), str(big), str(good)]
    )
    assert time.perf_counter() - started < 10
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    lines = result.stdout.splitlines()
    assert lines[-1] == f"{good}: ok — vergroening, 5 stages, 5 transitions"
    problems = [PROBLEM_LINE.match(line) for line in lines[:-1]]
    assert all(problems), lines
    by_file = {m["file"]: m for m in problems}
    assert set(by_file) == {str(deep), str(deep_block), str(huge_int), str(big)}
    assert f"nesting deeper than {MAX_DEPTH} levels" in by_file[str(deep)]["message"]
    assert by_file[str(deep)]["line"] == "2"
    assert f"nesting deeper than {MAX_DEPTH} levels" in by_file[str(deep_block)]["message"]
    assert "a number with more than 30 digits" in by_file[str(huge_int)]["message"]
    assert by_file[str(huge_int)]["line"] == "2"
    assert "larger than 200000 bytes" in by_file[str(big)]["message"]


def test_the_shipped_templates_stay_within_the_limits():
    for path in DEFAULT_WORKFLOWS_DIR.glob("*.yaml"):
        defn, problems = load_workflow_file(path)
        assert defn is not None and not problems, problems
