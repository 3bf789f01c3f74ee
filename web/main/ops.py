"""For the people who run the site: /readyz and /metrics (/healthz is in web.main.routes)."""

from __future__ import annotations

import hmac
import os
from datetime import datetime

from flask import Response, abort, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from sqlalchemy.orm import Session, sessionmaker

from engine.db import utcnow
from engine.metrics import DatabaseCollector
from engine.readiness import readiness
from web import access
from web.database import runtime
from web.main.routes import bp


@bp.get("/readyz")
@access.public
def readyz():
    """200 when this process can serve and the site is working, else 503; the JSON body says
    which check failed and what it found (see engine.readiness)."""
    rt = runtime()
    found = readiness(rt.sessions, rt.config, utcnow(), rt.storage)
    headers = {"Cache-Control": "no-store"}
    return found.as_json(), 200 if found.ready else 503, headers


@bp.get("/metrics")
@access.public
def metrics():
    """Prometheus text format, only with ``Authorization: Bearer <VERBINDING_METRICS_TOKEN>``;
    without a token set the page is not there."""
    rt = runtime()
    expected = rt.config.metrics_token
    if not expected:
        abort(404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), expected.encode()
    ):
        return Response(
            "a bearer token is needed\n", 401, {"WWW-Authenticate": 'Bearer realm="metrics"'},
            mimetype="text/plain",
        )  # fmt: skip
    body = exposition(rt.sessions, utcnow())
    return Response(body, 200, {"Content-Type": CONTENT_TYPE_LATEST, "Cache-Control": "no-store"})


def exposition(sessions: sessionmaker[Session], now: datetime) -> bytes:
    """What a scrape gets: the counts of every process (``PROMETHEUS_MULTIPROC_DIR``) or of
    this one, then the database's figures (engine.metrics.DatabaseCollector)."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        counted = CollectorRegistry()
        multiprocess.MultiProcessCollector(counted)
    else:
        counted = REGISTRY
    database = CollectorRegistry(auto_describe=False)
    database.register(DatabaseCollector(sessions, now))
    return generate_latest(counted) + generate_latest(database)
