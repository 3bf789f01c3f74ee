"""What every API view shares: its blueprint, running one engine operation, versions, ETags."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any, TypeVar

from flask import g, request
from flask_smorest import Blueprint

from engine.bounds import MAX_ID
from engine.db import utcnow
from engine.errors import InvalidInput, NotFound, VerbindingError
from web.api.auth import ApiRefusal
from web.api.problems import refusal
from web.database import perform

T = TypeVar("T")

#: the security requirement of every operation: a token, or (where it reads public things)
#: none; the reference page and the spec say which
TOKEN: list[dict[str, list]] = [{"token": []}]
PUBLIC_OR_TOKEN: list[dict[str, list]] = [{}, {"token": []}]


def blueprint(name: str, description: str) -> Blueprint:
    return Blueprint(f"api-{name}", __name__, url_prefix="/api/v1", description=description)


def run(
    operation: Callable[..., T],
    *args: Any,
    fields: dict[str, str] | None = None,
    missing: str | None = None,
    **kwargs: Any,
) -> T:
    """Run ONE engine operation in the request's transaction; a refusal becomes a problem
    (``fields``: the engine's argument → the API's field, where their names differ;
    ``missing``: the body's field that named something the engine did not find, a 422)."""
    try:
        return perform(operation, *args, **kwargs)
    except VerbindingError as error:
        if missing and isinstance(error, NotFound):
            error = InvalidInput(error.message, field=missing)
        if error.field and fields and error.field in fields:
            error.field = fields[error.field]
        raise ApiRefusal(refusal(error)) from error


def now():
    return utcnow()


_VERSION = re.compile(r'^\s*(?:W/)?"?(\d{1,10})(?:[.-][0-9a-f]*)?"?\s*$')


def expected(body_version: int | None) -> int | None:
    """The version the client saw: the body's ``expected_version`` or the ``If-Match`` header
    (an initiative's ETag starts with its version: ``"7.ab12…"``)."""
    if body_version is not None:
        return body_version
    header = request.headers.get("If-Match")
    if not header or header.strip() == "*":
        return None
    found = _VERSION.match(header.split(",")[0])
    if found is None or int(found.group(1)) > MAX_ID:
        return -1  # something no row has: the change is refused as stale
    return int(found.group(1))


def etag_of(body: bytes, version: int | None = None) -> str:
    digest = hashlib.sha256(body).hexdigest()[:20]
    return f'"{version}.{digest}"' if version is not None else f'"{digest}"'


def add_etag(response):
    """Every successful read carries an ETag; ``If-None-Match`` with it answers 304."""
    if request.method != "GET" or response.status_code != 200 or response.direct_passthrough:
        return response
    if "ETag" not in response.headers:
        response.headers["ETag"] = etag_of(response.get_data(), g.get("api_version"))
    match = request.headers.get("If-None-Match")
    if match and response.headers["ETag"] in [m.strip() for m in match.split(",")]:
        response.status_code = 304
        response.set_data(b"")
    return response
