"""/healthz says the process is alive; /readyz says whether the site works, and what does not:
the database, its migrations, a scheduler that sweeps, an outbox that empties."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import delete

from engine.db import utcnow
from engine.mail.outbox import queue_message
from engine.migrate import upgrade_engine
from engine.models.heartbeats import Heartbeat
from engine.readiness import beat
from tests.conftest import DB_KINDS, new_database_url, prepared_database
from tests.web.conftest import make_app

ROOT = Path(__file__).parents[3]


@pytest.fixture(params=DB_KINDS)
def site(request, tmp_path, smtp_sink):
    """An app on a database of its own (nothing else writes heartbeats or mail into it)."""
    engine = prepared_database(request.param, tmp_path, "ready")
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    app = make_app(url, tmp_path / "instance", smtp_sink.url, VERBINDING_SWEEP_SECONDS="1",
                   VERBINDING_READY_OUTBOX_BACKLOG="2", VERBINDING_READY_OUTBOX_FAILED="0",
                   VERBINDING_METRICS_TOKEN="meet-token")  # fmt: skip
    yield app
    app.extensions["verbinding"].close()


def ready(app) -> tuple[int, dict]:
    response = app.test_client().get("/readyz")
    assert response.headers["Cache-Control"] == "no-store"
    return response.status_code, response.get_json()


def wait_for(app, status: int, seconds: float) -> dict:
    deadline = time.monotonic() + seconds
    while True:
        code, body = ready(app)
        if code == status or time.monotonic() > deadline:
            assert code == status, body
            return body
        time.sleep(0.25)


def start_scheduler(app, tmp_path: Path, **env: str) -> subprocess.Popen:
    config = app.config["VERBINDING"]
    with (tmp_path / "scheduler.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "engine", "scheduler"],
            cwd=ROOT,
            env={**os.environ, "VERBINDING_DATABASE_URL": config.database_url,
                 "VERBINDING_INSTANCE_PATH": str(tmp_path / "scheduler"),
                 "VERBINDING_SMTP_URL": config.smtp_url, "VERBINDING_SECRET_KEY": "test-secret",
                 "VERBINDING_SWEEP_SECONDS": "1", **env},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )  # fmt: skip


def test_healthz_is_alive_without_asking_the_database(site):
    response = site.test_client().get("/healthz")
    assert response.status_code == 200 and response.get_json() == {"status": "ok"}


def test_readyz_follows_a_real_scheduler_process_and_turns_503_when_it_stops(site, tmp_path):
    code, body = ready(site)
    assert code == 503 and body["failed"] == ["scheduler"]
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"]["ok"]
    assert body["checks"]["scheduler"]["error"] == "no scheduler has swept yet"
    scheduler = start_scheduler(site, tmp_path)
    try:
        body = wait_for(site, 200, 30)
        assert body["status"] == "ready" and body["failed"] == []
        found = body["checks"]["scheduler"]
        assert found["heartbeat_age_seconds"] < 3 and found["max_age_seconds"] == 3
        assert found["process"].endswith(f":{scheduler.pid}")
        time.sleep(2.5)  # still beating, sweep after sweep
        assert ready(site)[0] == 200
    finally:
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(30) == 0, (tmp_path / "scheduler.log").read_text()[-2000:]
    body = wait_for(site, 503, 10)
    assert body["failed"] == ["scheduler"]
    assert body["checks"]["scheduler"]["heartbeat_age_seconds"] >= 3


def test_the_scheduler_check_can_be_turned_off(site, tmp_path):
    config = site.config["VERBINDING"]
    app = make_app(config.database_url, tmp_path / "off", config.smtp_url,
                   VERBINDING_READY_SCHEDULER="off")  # fmt: skip
    code, body = ready(app)
    assert code == 200 and body["checks"]["scheduler"] == {"ok": True, "checked": False}
    app.extensions["verbinding"].close()


def test_a_growing_outbox_and_failed_mail_make_it_not_ready(site):
    runtime = site.extensions["verbinding"]
    now = utcnow()
    beat(runtime.sessions, now, seconds=60, sweep_ms=12, process="scheduler@test:1")
    assert ready(site)[0] == 200
    with runtime.sessions() as session:
        for n in range(3):  # one more than VERBINDING_READY_OUTBOX_BACKLOG
            queue_message(session, key=f"ready:{n}", to_addr=f"buur{n}@example.nl",
                          subject="Hallo", body_text="Hallo", now=now - timedelta(minutes=5),
                          mail_from="Verbinding <noreply@example.nl>")  # fmt: skip
        session.commit()
    code, body = ready(site)
    assert code == 503 and body["failed"] == ["outbox"]
    assert body["checks"]["outbox"]["backlog"] == 3 and body["checks"]["outbox"]["max_backlog"] == 2
    with runtime.sessions() as session:
        rows = session.query(Heartbeat).count()  # the beat above is still the newest
        assert rows == 1
        from engine.models import OutboxMessage

        session.query(OutboxMessage).filter(OutboxMessage.idempotency_key == "ready:0").update(
            {"status": "failed"}
        )
        session.query(OutboxMessage).filter(OutboxMessage.idempotency_key != "ready:0").update(
            {"status": "sent"}
        )
        session.commit()
    code, body = ready(site)
    assert code == 503 and body["failed"] == ["outbox"]
    assert body["checks"]["outbox"]["backlog"] == 0 and body["checks"]["outbox"]["failed_24h"] == 1
    # a day later that failure no longer counts
    with runtime.sessions() as session:
        session.query(OutboxMessage).update({"next_attempt_dt": now - timedelta(hours=25)})
        session.execute(delete(Heartbeat))
        session.commit()
    beat(runtime.sessions, utcnow(), seconds=60, sweep_ms=12, process="scheduler@test:1")
    assert ready(site)[0] == 200


@pytest.mark.parametrize("kind", DB_KINDS)
def test_a_database_behind_the_code_is_not_ready(kind, tmp_path, smtp_sink):
    from engine.db import make_engine

    engine = make_engine(new_database_url(kind, tmp_path, "behind"))
    upgrade_engine(engine, "0023")  # the code is newer than the database: `init` not yet run
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    app = make_app(url, tmp_path / "instance", smtp_sink.url)
    code, body = ready(app)
    assert code == 503 and body["failed"] == ["migrations"]
    from engine.readiness import migration_head

    code_heads = list(migration_head())
    assert code_heads != ["0023"]
    assert body["checks"]["migrations"] == {"ok": False, "database": ["0023"], "code": code_heads}
    app.extensions["verbinding"].close()


@pytest.mark.parametrize("kind", DB_KINDS)
def test_a_database_a_newer_version_migrated_keeps_the_old_one_ready(kind, tmp_path, smtp_sink):
    """A rolling upgrade: the newer version's `init` added to the schema; the old version
    serves on and a load balancer must not take it out of service (docs/deploy.md)."""
    from sqlalchemy import text

    from engine.db import make_engine

    engine = make_engine(new_database_url(kind, tmp_path, "ahead"))
    upgrade_engine(engine)
    with engine.begin() as connection:  # a revision this package does not know
        connection.execute(text("UPDATE alembic_version SET version_num = 'z9'"))
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    app = make_app(url, tmp_path / "instance", smtp_sink.url, VERBINDING_READY_SCHEDULER="off")
    code, body = ready(app)
    assert code == 200, body
    assert body["checks"]["migrations"]["ok"] and body["checks"]["migrations"]["newer"]
    assert body["checks"]["migrations"]["database"] == ["z9"]
    app.extensions["verbinding"].close()


def test_metrics_show_the_scheduler_processes_sweeps(site, tmp_path, monkeypatch):
    """With PROMETHEUS_MULTIPROC_DIR shared, /metrics of a web process shows what another
    process (a real scheduler) counted."""
    shared = tmp_path / "prometheus"
    shared.mkdir()
    scheduler = start_scheduler(site, tmp_path, PROMETHEUS_MULTIPROC_DIR=str(shared))
    try:
        wait_for(site, 200, 30)
        time.sleep(1.5)
    finally:
        scheduler.send_signal(signal.SIGTERM)
        assert scheduler.wait(30) == 0
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(shared))
    text = (
        site.test_client()
        .get("/metrics", headers={"Authorization": "Bearer meet-token"})
        .get_data(as_text=True)
    )
    counts = [line for line in text.splitlines()
              if line.startswith("verbinding_sweep_duration_seconds_count")]  # fmt: skip
    assert counts and float(counts[0].split()[-1]) >= 2, text[:2000]
    assert "verbinding_scheduler_heartbeat_age_seconds" in text
    assert "verbinding_outbox_backlog 0.0" in text


def test_a_bucket_that_goes_away_makes_it_not_ready(tmp_path, smtp_sink, s3_server):
    """With uploads in a bucket, /readyz asks the bucket too: gone, it says "storage" failed
    (without the bucket's address: the page is public) and answers 503; back, ready again."""
    engine = prepared_database("sqlite", tmp_path, "ready")
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    bucket = s3_server.new_bucket()
    app = make_app(url, tmp_path / "instance", smtp_sink.url, VERBINDING_READY_SCHEDULER="off",
                   **s3_server.settings(bucket, prefix="site/"))  # fmt: skip
    try:
        code, body = ready(app)
        assert code == 200 and body["checks"]["storage"] == {"ok": True}, body
        s3_server.client.delete_bucket(Bucket=bucket)
        code, body = ready(app)
        assert code == 503 and body["failed"] == ["storage"], body
        assert bucket not in str(body) and s3_server.url not in str(body)
        s3_server.client.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        assert ready(app)[0] == 200
    finally:
        app.extensions["verbinding"].close()


def test_an_upload_folder_that_cannot_be_written_makes_it_not_ready(site, tmp_path):
    """The local folder: ready while it (or the folder it will be made in) can be written."""
    storage = site.extensions["verbinding"].storage
    code, body = ready(site)
    assert body["checks"]["storage"] == {"ok": True}, body
    storage.root.mkdir(parents=True, exist_ok=True)
    storage.root.chmod(0o500)
    try:
        if os.access(storage.root, os.W_OK):  # root ignores the mode bits
            storage.root.chmod(0o700)
            storage.root.rmdir()
            storage.root.write_bytes(b"not a folder")
        code, body = ready(site)
        assert body["checks"]["storage"]["ok"] is False and "storage" in body["failed"], body
    finally:
        if storage.root.is_file():
            storage.root.unlink()
        else:
            storage.root.chmod(0o700)
