"""The wheel carries everything the app reads at run time, not only the Python files.

The other tests run from the source tree, where every file is at hand; a file the wheel lacks
shows only once Verbinding is installed normally (.ci/wheel-smoke installs and runs it).
"""

from __future__ import annotations

import importlib.util
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from engine.workflows.loader import shipped_workflows_dir

ROOT = Path(__file__).parents[1]

_spec = importlib.util.spec_from_file_location("wheel_smoke", ROOT / ".ci" / "wheel_smoke.py")
assert _spec is not None and _spec.loader is not None
wheel_smoke = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(wheel_smoke)

#: files of engine/ and web/ that nothing reads at run time (the catalogue tools' inputs)
NOT_SHIPPED = ("engine/babel.cfg", "web/babel.cfg", "engine/translations/messages.pot",
               "web/translations/messages.pot")  # fmt: skip


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Iterator[zipfile.ZipFile]:
    path = wheel_smoke.build_wheel(sys.executable, tmp_path_factory.mktemp("dist"))
    with zipfile.ZipFile(path) as built:
        yield built


def _package_files() -> list[str]:
    """Every file of the engine and web packages in the source tree."""
    listed = wheel_smoke.source_files(ROOT) or [
        p.relative_to(ROOT) for p in ROOT.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    ]
    return sorted(
        p.as_posix() for p in listed if p.parts[0] in ("engine", "web") and p.suffix != ".pyc"
    )


def test_the_wheel_carries_every_file_of_the_packages(wheel):
    names = set(wheel.namelist())
    missing = [f for f in _package_files() if f not in names and f not in NOT_SHIPPED]
    assert not missing, (
        f"the wheel lacks {missing}: list them in [tool.setuptools.package-data] in "
        "pyproject.toml (a new package folder is found by setup.py), or in NOT_SHIPPED here "
        "if nothing reads them at run time"
    )


@pytest.mark.parametrize(
    "wanted",
    [
        "engine/mail/templates/reminder.subject.txt",
        "engine/mail/templates/layout.html",
        "engine/translations/nl/LC_MESSAGES/messages.mo",
        "engine/translations/en/LC_MESSAGES/messages.mo",
        "web/translations/nl/LC_MESSAGES/messages.mo",
        "web/translations/en/LC_MESSAGES/messages.mo",
        "web/static/css/verbinding.css",
        "web/templates/base.html",
        "engine/migrations/env.py",
        "engine/migrations/script.py.mako",
        "engine/data/groningen-wijken.csv",
    ],
)
def test_the_wheel_carries_what_the_app_reads(wheel, wanted):
    assert wanted in wheel.namelist()


def test_the_wheel_carries_every_migration(wheel):
    shipped = {n for n in wheel.namelist() if n.startswith("engine/migrations/versions/")}
    sources = (ROOT / "engine" / "migrations" / "versions").glob("*.py")
    assert shipped == {f"engine/migrations/versions/{p.name}" for p in sources}


def test_the_wheel_carries_the_process_templates_of_the_workflows_folder(wheel):
    sources = sorted((ROOT / "workflows").glob("*.yaml"))
    assert {p.name for p in sources} >= {"wijkvisie.yaml", "parkplan.yaml", "vergroening.yaml"}
    for source in sources:
        shipped = wheel.read(f"engine/shipped_workflows/{source.name}")
        assert shipped == source.read_bytes(), source.name


def test_the_wheel_holds_only_the_two_packages(wheel):
    tops = {name.split("/")[0] for name in wheel.namelist()}
    assert {t for t in tops if not t.endswith(".dist-info")} == {"engine", "web"}


def test_a_checkout_reads_the_workflows_folder_itself():
    # no copy in the tree: only a built package has engine/shipped_workflows
    assert not (ROOT / "engine" / "shipped_workflows").exists()
    assert shipped_workflows_dir() == ROOT / "workflows"
