"""Nothing under engine/ imports Flask: the CLI, the scheduler and scripts use it directly."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "engine"


def _is_flask(module: str | None) -> bool:
    return bool(module) and module.split(".")[0].startswith("flask")


def _flask_imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"{node.lineno}: import {a.name}" for a in node.names if _is_flask(a.name)]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and _is_flask(node.module):
            found.append(f"{node.lineno}: from {node.module} import ...")
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", None) == "import_module":
            args = [a.value for a in node.args if isinstance(a, ast.Constant)]
            found += [f"{node.lineno}: import_module({a!r})" for a in args if _is_flask(a)]
    return found


def test_no_engine_file_imports_flask():
    files = sorted(ENGINE.rglob("*.py"))
    assert len(files) > 20
    offenders = {
        str(path.relative_to(ROOT)): hits for path in files if (hits := _flask_imports(path))
    }
    assert offenders == {}


def test_the_checker_would_notice(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom flask import Flask\nimport flask_babel as fb\n")
    assert _flask_imports(sample) == ["2: from flask import ...", "3: import flask_babel"]


IMPORT_ALL = """
import importlib, json, pathlib, sys
root = pathlib.Path("engine")
names = []
for path in sorted(root.rglob("*.py")):
    if "migrations" in path.parts or path.name == "__main__.py":
        continue  # alembic scripts and the CLI entry run on import
    parts = list(path.with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    names.append(".".join(parts))
for name in names:
    importlib.import_module(name)
flask = sorted(m for m in sys.modules if m.split(".")[0].startswith("flask"))
print(json.dumps({"imported": names, "flask": flask}))
"""


def test_importing_the_whole_engine_loads_no_flask():
    done = subprocess.run(
        [sys.executable, "-c", IMPORT_ALL],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert "engine.operations" in result["imported"] and "engine.machines" in result["imported"]
    assert result["flask"] == []
