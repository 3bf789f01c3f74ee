"""The web process never sweeps: no scheduler thread, no reconciliation of every initiative's
reminders; `verbinding serve` starts the scheduler as a process of its own."""

from __future__ import annotations

import os
import sys
import threading
import time

from engine.reminders import steps
from engine.scheduler import start_beside, stop_beside


def test_the_web_app_starts_no_scheduler_and_no_reconciliation(web_app, client, monkeypatch):
    monkeypatch.setattr(steps, "_last_housekeeping", [])
    before = {t.name for t in threading.enumerate()}
    for path in ("/", "/login", "/healthz"):
        assert client.get(path).status_code == 200
    after = {t.name for t in threading.enumerate()}
    assert not [name for name in after - before if "APScheduler" in name or "sweep" in name]
    assert steps._last_housekeeping == []  # nothing in this process reconciled
    assert not [t for t in threading.enumerate() if "APScheduler" in t.name]


def test_serve_runs_the_scheduler_in_a_process_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("VERBINDING_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("VERBINDING_DATABASE_URL", f"sqlite:///{tmp_path / 'serve.db'}")
    child = start_beside()
    try:
        assert child.pid != os.getpid() and child.args[:3] == [sys.executable, "-m", "engine"]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (tmp_path / "serve.db").exists():
            time.sleep(0.1)  # its first sweep opens the database
        assert (tmp_path / "serve.db").exists() and child.poll() is None
    finally:
        status = stop_beside(child)
    assert status == 0  # SIGTERM: it finishes its sweep and stops cleanly
