"""Every request gets an id, an access line in the log and its time in the metrics.

The id comes from the ``X-Request-ID`` header when a proxy in front set a sensible one
(letters, digits and ``-_.:``, at most 128), else it is made here; it goes back in the
response's ``X-Request-ID`` and onto every line logged while the request runs
(engine.logs.REQUEST_ID). The access line (logger ``verbinding.access``, level INFO) has the
method, the path (a secret in it, such as an unsubscribe or invitation token, left out), the
status and the duration.
"""

from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from engine.logs import REQUEST_ID
from engine.metrics import REQUEST_SECONDS, REQUESTS

access_log = logging.getLogger("verbinding.access")

_GIVEN_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
#: route parameters that carry a secret: never logged
SECRET_ARGS = frozenset({"token"})


def install(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    app.teardown_request(_forget)


def _start() -> None:
    given = request.headers.get("X-Request-ID", "")
    request_id = given if _GIVEN_ID.fullmatch(given) else uuid.uuid4().hex
    g.request_id = request_id
    g.request_started = time.perf_counter()
    g.request_id_token = REQUEST_ID.set(request_id)


def _finish(response: Response) -> Response:
    started = g.get("request_started")
    if started is None:  # a request refused before its first hook (cannot happen today)
        return response
    took = time.perf_counter() - started
    response.headers["X-Request-ID"] = g.request_id
    endpoint = request.url_rule.endpoint if request.url_rule is not None else "(none)"
    REQUEST_SECONDS.labels(endpoint, request.method).observe(took)
    REQUESTS.labels(endpoint, request.method, str(response.status_code)).inc()
    path = shown_path()
    access_log.info(
        "%s %s %s %.1f ms", request.method, path, response.status_code, took * 1000,
        extra={"event": "request", "method": request.method, "path": path,
               "status": response.status_code, "duration_ms": round(took * 1000, 2),
               "endpoint": endpoint},
    )  # fmt: skip
    return response


def _forget(_error: BaseException | None = None) -> None:
    token = g.pop("request_id_token", None)
    if token is not None:
        REQUEST_ID.reset(token)


def shown_path() -> str:
    """The request's path with every secret route parameter replaced by its name."""
    path = request.path
    for name, value in (request.view_args or {}).items():
        if name in SECRET_ARGS and isinstance(value, str) and value:
            path = path.replace(value, f"<{name}>")
    return path
