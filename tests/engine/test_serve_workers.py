"""`verbinding serve --workers N`: several web processes on one port (gunicorn) with the scheduler
beside them, on one database; a service manager's SIGTERM stops them all cleanly. Behind a
trusted proxy the app sees the client's scheme and host; gunicorn itself does not decide that."""

from __future__ import annotations

import http.client
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest

from tests.support import CSRF_RE, free_port

ROOT = Path(__file__).resolve().parents[2]


def children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.update(int(p) for p in text)
    return found


def get(port: int, path: str, headers: dict[str, str] | None = None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response, response.read().decode()
    finally:
        conn.close()


@pytest.fixture
def server(database_url, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERBINDING_")}
    env.update(VERBINDING_DATABASE_URL=database_url, VERBINDING_INSTANCE_PATH=str(tmp_path),
               VERBINDING_SECRET_KEY="werkers", VERBINDING_TRUSTED_PROXIES="1",
               PYTHONPATH=str(ROOT))  # fmt: skip
    init = subprocess.run([sys.executable, "-m", "engine", "init"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert init.returncode == 0, init.stderr
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--workers", "2", "--threads", "2",
         "--port", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while True:
        try:
            get(port, "/healthz")
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail(f"the server did not start: {process.communicate()[0]}")
            time.sleep(0.2)
    yield process, port
    if process.poll() is None:
        process.kill()
        process.communicate()


def test_several_workers_and_the_scheduler_run_and_stop_on_sigterm(server):
    process, port = server
    answers = [get(port, "/")[0].status for _ in range(20)]
    assert answers == [200] * 20
    # the master's children: two web workers and the scheduler, each a process of its own
    deadline = time.monotonic() + 30
    while len(children(process.pid)) < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    kids = children(process.pid)
    assert len(kids) == 3
    commands = [Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0") for pid in kids]
    assert sum(b"scheduler" in c for c in commands) == 1

    process.send_signal(signal.SIGTERM)
    output = process.communicate(timeout=60)[0]
    assert process.returncode == 0, output
    assert not any(Path(f"/proc/{pid}").exists() for pid in kids), "a child outlived the server"
    assert "Traceback" not in output


def test_behind_the_proxy_the_app_sees_the_clients_scheme_and_host(server):
    """Seen through the form check: on https a form must come from a page of the same host
    (the Referer), so the app must know the scheme and the host the client used."""
    _process, port = server
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "verbinding.example",
                 "X-Forwarded-For": "198.51.100.7", "Accept-Language": "en"}  # fmt: skip
    response, page = get(port, "/login", forwarded)
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = CSRF_RE.search(page).group(1)
    form = urlencode({"csrf_token": token, "email": "anna@example.nl", "password": "geraden-12"})

    def send(referer: str) -> str:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("POST", "/login", body=form, headers={
            **forwarded, "Cookie": cookie, "Referer": referer,
            "Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        body = conn.getresponse().read().decode()
        conn.close()
        return body

    assert "The form has expired" in send("https://elsewhere.example/login")
    same_site = send("https://verbinding.example/login")  # the host the client used: taken
    assert "The form has expired" not in same_site and "csrf_token" in same_site


def test_a_web_process_settles_its_garbage_collector_once_the_app_is_built():
    """settle_gc (called by `verbinding serve` and by each gunicorn worker after create_app):
    what the process holds by then is frozen, and a collection waits for more young objects
    than Python's 700, so a request no longer runs one or two."""
    import gc

    from engine.serving import YOUNG_OBJECTS, settle_gc

    before = gc.get_threshold()
    try:
        settle_gc()
        assert gc.get_threshold() == (YOUNG_OBJECTS, *before[1:]) and YOUNG_OBJECTS > 700
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
