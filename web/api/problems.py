"""Errors of the JSON API as ``application/problem+json`` (RFC 9457).

Every problem has ``type``, ``title``, ``status`` and ``detail``; a refusal about one input
names it in ``errors`` (field → messages); a blocked move lists the guards' ``reasons``. The
types of the engine's refusals are anchors on the API's reference page; plain HTTP errors are
``about:blank``. Titles and details speak the request's language (``Accept-Language``).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Response, json, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from engine.errors import (
    Blocked,
    Conflict,
    InvalidInput,
    NotFound,
    Paused,
    PermissionDenied,
    Refused,
    VerbindingError,
)
from web.i18n import render_msg

log = logging.getLogger(__name__)

PREFIX = "/api/"
MEDIA_TYPE = "application/problem+json"
#: where the problem types are described (anchors on the reference page)
TYPE_BASE = "/api/v1/#problem-"

#: engine refusal → (status, type, title); the first class that matches wins
KINDS: tuple[tuple[type[VerbindingError], int, str], ...] = (
    (Conflict, 409, "stale"),
    (Blocked, 409, "blocked"),
    (Paused, 409, "paused"),
    (Refused, 409, "refused"),
    (InvalidInput, 422, "invalid"),
    (PermissionDenied, 403, "forbidden"),
    (NotFound, 404, "not-found"),
)


def is_api() -> bool:
    """Whether this request is one for the API (its errors are problems, not pages)."""
    try:
        return request.path.startswith(PREFIX)
    except RuntimeError:  # no request (a CLI command rendering a page)
        return False


def titles() -> dict[str, str]:
    """The title of each problem type, in the reader's language."""
    return {
        "stale": _("Changed meanwhile"),
        "blocked": _("This move is not possible yet"),
        "paused": _("The initiative is paused"),
        "refused": _("Not possible now"),
        "invalid": _("The input is not valid"),
        "forbidden": _("Not allowed"),
        "not-found": _("Not found"),
        "unauthorized": _("Not signed in"),
        "read-only": _("This token may only read"),
        "too-many": _("Too many requests"),
    }


def problem(
    status: int,
    title: str,
    detail: str | None = None,
    *,
    kind: str | None = None,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + kind if kind else "about:blank",
        "title": title,
        "status": status,
        "detail": detail or title,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype=MEDIA_TYPE)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def refusal(error: VerbindingError) -> Response:
    """An engine refusal as a problem."""
    status, kind = next(
        ((status, kind) for cls, status, kind in KINDS if isinstance(error, cls)),
        (409, "refused"),  # a refusal of a kind added later: still a client's, never a 500
    )
    detail = render_msg(error.message)
    errors = {error.field: [detail]} if error.field else None
    reasons = [{"code": r.msgid, "message": render_msg(r)} for r in error.reasons]
    extra: dict[str, Any] = {"reasons": reasons} if reasons or kind == "blocked" else {}
    return problem(status, titles()[kind], detail, kind=kind, errors=errors, **extra)


def _field_errors(messages: Any, prefix: str = "") -> dict[str, list[str]]:
    """webargs' nested messages ({"json": {"title": ["…"]}}) as flat field → messages."""
    flat: dict[str, list[str]] = {}
    if isinstance(messages, dict):
        for key, value in messages.items():
            if key in ("json", "query", "headers", "form", "path", "files", "view_args"):
                flat.update(_field_errors(value, prefix))
            else:
                name = f"{prefix}.{key}" if prefix else str(key)
                flat.update(_field_errors(value, name))
    elif isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        flat[prefix or "_schema"] = [str(m) for m in messages]
    elif isinstance(messages, list):
        for i, item in enumerate(messages):
            flat.update(_field_errors(item, f"{prefix}.{i}" if prefix else str(i)))
    else:
        flat[prefix or "_schema"] = [str(messages)]
    return flat


def http_problem(error: HTTPException) -> Response:
    """A werkzeug HTTP error (404, 405, 422 from validation, 429 …) as a problem."""
    status = error.code or 500
    data = getattr(error, "data", None) or {}
    headers = dict(data.get("headers") or {})
    if getattr(error, "retry_after", None) is not None:
        headers["Retry-After"] = str(error.retry_after)  # type: ignore[attr-defined]
    if status in (400, 422) and "messages" in data:
        errors = _field_errors(data["messages"])
        title = titles()["invalid"]
        return problem(status, title, _("Correct the fields named in errors."), kind="invalid",
                       errors=errors, headers=headers)  # fmt: skip
    if status == 429:
        return problem(429, titles()["too-many"], _("Wait a moment and try again."),
                       kind="too-many", headers=headers)  # fmt: skip
    if status >= 500:
        log.error("API %s %s answered %s", request.method, request.path, status)
    detail = data.get("message") if isinstance(data.get("message"), str) else None
    return problem(status, error.name, detail or error.description, headers=headers)
