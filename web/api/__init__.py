"""The JSON API under ``/api/v1/``: flask-smorest blueprints over the same engine operations
and permission rules as the pages, its OpenAPI 3.1 document at ``/api/v1/openapi.json`` and a
reference page at ``/api/v1/``. See docs/api.md.
"""

from __future__ import annotations

import http
import importlib
from functools import wraps

from flask import Flask
from flask_smorest import Api
from flask_smorest.utils import prepare_response

from engine.bounds import MAX_ID
from web.api import auth, common, problems
from web.api.schemas import Problem
from web.extensions import csrf
from web.inputs import IdConverter

#: the modules with the API's blueprints, in the order the document lists them
MODULES = ("web.api.initiatives", "web.api.process", "web.api.requests", "web.api.open")


class VerbindingApi(Api):
    """flask-smorest's Api with problem documents (RFC 9457) for every error.

    Its own error handler is not installed: the app's handlers answer API requests with
    problems and the pages with pages (see :func:`install`).
    """

    ERROR_SCHEMA = Problem

    def _register_error_handlers(self) -> None:
        pass

    def _register_responses(self) -> None:
        for status in http.HTTPStatus:
            response: dict = {"description": status.phrase}
            if status >= 400:
                response["schema"] = self.ERROR_SCHEMA
                prepare_response(response, self.spec, problems.MEDIA_TYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "A problem (RFC 9457)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, problems.MEDIA_TYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


def install(app: Flask) -> Api:
    app.config.update(
        API_TITLE="Verbinding API",
        API_VERSION="1",
        OPENAPI_VERSION="3.1.0",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={
            "info": {
                "description": "Read and drive resident-led initiatives. See docs/api.md.",
                "license": {"name": "EUPL-1.2", "identifier": "EUPL-1.2"},
            },
            "servers": [{"url": "/"}],
            "components": {
                "securitySchemes": {
                    "token": {
                        "type": "http",
                        "scheme": "bearer",
                        "description": "A personal access token from /account/tokens",
                    }  # fmt: skip
                }
            },
        },
    )
    api = VerbindingApi(app)
    # ids in paths are numbers up to MAX_ID (web.inputs.IdConverter); others answer 404
    api.register_converter(
        IdConverter, lambda _c: {"type": "integer", "minimum": 0, "maximum": MAX_ID}
    )
    for name in MODULES:
        module = importlib.import_module(name)
        for blp in module.BLUEPRINTS:
            api.register_blueprint(blp)
            csrf.exempt(blp)
    from web.api import reference

    app.register_blueprint(reference.bp)
    app.before_request(_before)
    app.after_request(_after)
    app.register_error_handler(auth.ApiRefusal, lambda error: error.response)
    for endpoint, view in list(app.view_functions.items()):
        if endpoint.startswith("api-"):
            app.view_functions[endpoint] = _token_rule(view)
    return api


def _token_rule(view):
    """Mark an API view for web.access: its access is checked by the token (web.api.auth)."""

    @wraps(view)
    def marked(*args, **kwargs):
        return view(*args, **kwargs)

    marked.access_rule = "api"  # type: ignore[attr-defined]
    return marked


def _before():
    if problems.is_api():
        return auth.authenticate_request()
    return None


def _after(response):
    if problems.is_api():
        response.headers["Cache-Control"] = "private, no-cache"
        response.headers.setdefault("Vary", "Authorization, Accept-Language")
        return common.add_etag(response)
    return response
