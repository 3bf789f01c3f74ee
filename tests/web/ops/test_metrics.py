"""/metrics in the Prometheus format, behind a bearer token: request latency per page, moves,
reminders planned and sent, mail delivered, the outbox; and a log line for each of those."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import func, select

from engine.db import utcnow
from engine.logs import REQUEST_ID, JsonFormatter
from engine.models import Person
from engine.models.reminders import Reminder
from engine.operations import add_step
from engine.operations.transitions import fire_transition
from engine.sweeper import sweep
from engine.timeutil import local_date
from tests import factories
from tests.conftest import DB_KINDS, prepared_database
from tests.web.conftest import make_app

TOKEN = {"Authorization": "Bearer meet-token"}


@pytest.fixture(params=DB_KINDS)
def site(request, tmp_path, smtp_sink):
    engine = prepared_database(request.param, tmp_path, "metrics")
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    app = make_app(url, tmp_path / "instance", smtp_sink.url,
                   VERBINDING_METRICS_TOKEN="meet-token")  # fmt: skip
    yield app
    app.extensions["verbinding"].close()


def scrape(app) -> dict[str, float]:
    """Every sample of a scrape: 'name{labels}' → value."""
    response = app.test_client().get("/metrics", headers=TOKEN)
    assert response.status_code == 200 and response.mimetype == "text/plain"
    found = {}
    for line in response.get_data(as_text=True).splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            found[name] = float(value)
    return found


def counted(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def test_metrics_are_off_unless_a_token_is_set(web_app):
    assert web_app.test_client().get("/metrics").status_code == 404


def test_metrics_ask_for_the_token(site):
    client = site.test_client()
    refused = client.get("/metrics")
    assert refused.status_code == 401 and refused.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/metrics", headers={"Authorization": "Bearer fout"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Basic meet-token"}).status_code == 401
    wrong = {"Authorization": "Bearer m\u00e9\u00e9t"}  # not ASCII: refused, not a 500
    assert client.get("/metrics", headers=wrong).status_code == 401
    assert client.get("/metrics", headers=TOKEN).status_code == 200


def test_request_latency_per_page(site):
    home = 'verbinding_http_request_duration_seconds_count{endpoint="main.home",method="GET"}'
    before = scrape(site).get(home, 0.0)
    client = site.test_client()
    client.get("/")
    client.get("/")
    client.get("/bestaat-niet")
    after = scrape(site)
    assert after[home] == before + 2
    assert after['verbinding_http_requests_total{endpoint="main.home",method="GET",status="200"}']
    assert after['verbinding_http_requests_total{endpoint="(none)",method="GET",status="404"}']
    assert after["verbinding_outbox_backlog"] == 0


def test_moves_reminders_and_mail_are_counted_and_logged(site, smtp, caplog):
    runtime = site.extensions["verbinding"]
    now = utcnow()
    moves = counted("verbinding_transitions_total", trigger="start")
    planned = counted("verbinding_reminders_planned_total")
    sent = counted("verbinding_reminders_sent_total")
    delivered = counted("verbinding_mail_deliveries_total", outcome="sent")
    caplog.set_level(logging.INFO)
    with runtime.sessions() as session:
        anna = factories.person(session, now, "Anna de Vries")
        item = factories.initiative(session, now, initiator=anna, members=1)
        token = REQUEST_ID.set("verzoek-7")
        try:
            moved = fire_transition(session, session.get(Person, anna.id), item.id, "start", now)
        finally:
            REQUEST_ID.reset(token)
        session.commit()
        add_step(session, anna, item.id, stage_key=moved.to_stage, title="Foto's maken",
                 due_date=local_date(now) + timedelta(days=10), now=now)  # fmt: skip
        session.commit()
        first = session.scalar(select(func.min(Reminder.due_dt)))
    assert first is not None
    assert counted("verbinding_transitions_total", trigger="start") == moves + 1
    assert counted("verbinding_reminders_planned_total") > planned
    report = sweep(runtime, first + timedelta(minutes=1))
    assert report.mail is not None and report.mail.sent, report
    assert counted("verbinding_reminders_sent_total") > sent
    assert counted("verbinding_mail_deliveries_total", outcome="sent") >= delivered + 1
    scraped = scrape(site)
    assert scraped['verbinding_transitions_total{trigger="start"}'] == moves + 1
    assert scraped['verbinding_mail_deliveries_total{outcome="sent"}'] >= delivered + 1

    (move,) = [r for r in caplog.records if getattr(r, "event", None) == "transition"]
    line = json.loads(JsonFormatter().format(move))
    assert line["request_id"] == "verzoek-7" and line["trigger"] == "start"
    assert line["initiative_id"] == item.id and line["to_stage"] != line["from_stage"]
    mails = [json.loads(JsonFormatter().format(r)) for r in caplog.records
             if getattr(r, "event", None) == "mail_delivery"]  # fmt: skip
    assert mails and all(m["outcome"] == "sent" and m["level"] == "INFO" for m in mails)
    assert "request_id" not in mails[0]  # the scheduler's work belongs to no request
