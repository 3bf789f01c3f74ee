"""Two `verbinding init` at once on an empty database (several hosts starting together, a rolling
upgrade) take turns through the database's init lock: both succeed, the schema is migrated
once and every template is registered once."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select, text

from engine.db import make_engine, make_session_factory
from engine.migrate import init_lock
from engine.models import WorkflowVersion

ROOT = Path(__file__).resolve().parents[2]


def init_process(url: str, instance: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERBINDING_")}
    env.update(VERBINDING_DATABASE_URL=url, VERBINDING_INSTANCE_PATH=str(instance),
               PYTHONPATH=str(ROOT))  # fmt: skip
    return subprocess.Popen(
        [sys.executable, "-m", "engine", "init"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip


def test_two_inits_at_once_on_an_empty_database_both_succeed(database_url, tmp_path):
    first = init_process(database_url, tmp_path / "a")
    second = init_process(database_url, tmp_path / "b")
    outputs = [p.communicate(timeout=180)[0] for p in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert all("database ready; templates:" in out for out in outputs)
    engine = make_engine(database_url)
    with make_session_factory(engine)() as s:
        head = s.scalar(text("SELECT version_num FROM alembic_version"))
        names = s.scalars(select(WorkflowVersion.name)).all()
        assert s.scalar(select(func.count()).select_from(WorkflowVersion)) == len(set(names))
    assert head and set(names) >= {"wijkvisie", "vergroening", "parkplan"}
    engine.dispose()


def test_an_init_waits_while_another_holds_the_lock(database_url, tmp_path):
    engine = make_engine(database_url)
    with init_lock(engine):
        waiting = init_process(database_url, tmp_path)
        time.sleep(4)  # long enough to start, migrate and register, were it not waiting
        assert waiting.poll() is None, waiting.communicate()[0]
    output = waiting.communicate(timeout=180)[0]
    assert waiting.returncode == 0 and "database ready" in output, output
    engine.dispose()
