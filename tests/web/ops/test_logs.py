"""Every request has an id (the proxy's X-Request-ID, or one made here) that comes back in the
response and is on its access line; with VERBINDING_LOG_FORMAT=json each line is a JSON
object."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from engine.logs import JsonFormatter
from tests.support import free_port

ROOT = Path(__file__).parents[3]


def access_lines(caplog) -> list[dict]:
    return [json.loads(JsonFormatter().format(r)) for r in caplog.records
            if r.name == "verbinding.access"]  # fmt: skip


def test_a_given_request_id_comes_back_and_is_on_the_access_line(client, caplog):
    caplog.set_level(logging.INFO, logger="verbinding.access")
    response = client.get("/?q=tuin", headers={"X-Request-ID": "proxy-4f2a:7"})
    assert response.headers["X-Request-ID"] == "proxy-4f2a:7"
    (line,) = access_lines(caplog)
    assert line["request_id"] == "proxy-4f2a:7" and line["event"] == "request"
    assert (line["method"], line["path"], line["status"]) == ("GET", "/", 200)
    assert line["endpoint"] == "main.home" and line["duration_ms"] > 0
    assert line["level"] == "INFO" and line["time"].endswith("+00:00")


@pytest.mark.parametrize("given", [None, "", "twee woorden", "x" * 129, "<script>"])
def test_without_a_usable_id_one_is_made(client, caplog, given):
    caplog.set_level(logging.INFO, logger="verbinding.access")
    headers = {"X-Request-ID": given} if given is not None else {}
    first = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    second = client.get("/healthz", headers=headers).headers["X-Request-ID"]
    assert len(first) == 32 and first != second and first != given
    assert [line["request_id"] for line in access_lines(caplog)] == [first, second]


def test_a_secret_in_the_address_is_not_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="verbinding.access")
    client.get("/reminders/unsubscribe/geheim-token.abc")
    client.get("/invitations/uitnodiging-123")
    paths = [line["path"] for line in access_lines(caplog)]
    assert paths == ["/reminders/unsubscribe/<token>", "/invitations/<token>"]
    assert not any("geheim" in r.getMessage() or "uitnodiging-123" in r.getMessage()
                   for r in caplog.records)  # fmt: skip


def test_a_served_site_writes_json_lines_with_the_request_id(tmp_path, web_app):
    """`verbinding serve` as a process: its stderr is JSON, one object per line."""
    port = free_port()
    config = web_app.config["VERBINDING"]
    env = {**os.environ, "VERBINDING_DATABASE_URL": config.database_url,
           "VERBINDING_INSTANCE_PATH": str(tmp_path), "VERBINDING_SECRET_KEY": "test-secret",
           "VERBINDING_LOG_FORMAT": "json", "VERBINDING_LOG_LEVEL": "INFO"}  # fmt: skip
    log = tmp_path / "serve.log"
    with log.open("wb") as err:
        server = subprocess.Popen(
            [sys.executable, "-m", "engine", "serve", "--no-scheduler", "--port", str(port)],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err,
        )  # fmt: skip
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/healthz", headers={"X-Request-ID": "lb-check-1"}
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    assert response.headers["X-Request-ID"] == "lb-check-1"
                    break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise
                time.sleep(0.2)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    lines = [json.loads(text) for text in log.read_text().splitlines() if text.strip()]
    (access,) = [x for x in lines if x.get("request_id") == "lb-check-1"]
    assert access["logger"] == "verbinding.access" and access["path"] == "/healthz"
    assert access["status"] == 200 and access["method"] == "GET"
