"""The fuzzer's app: its own database of each kind, so what it writes touches no other test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.conftest import DB_KINDS, prepared_database
from tests.web.conftest import make_app


@pytest.fixture(scope="module", params=DB_KINDS)
def fuzz_app(request, tmp_path_factory, smtp_sink) -> Iterator[Flask]:
    tmp = tmp_path_factory.mktemp("fuzz")
    engine = prepared_database(request.param, tmp, "fuzz")
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    # hundreds of posts per role in a minute: limits would answer most of them with 429 and
    # the fuzzer would reach less (tests/web/auth/test_rate_limits.py tests the limits)
    unlimited = {f"VERBINDING_RATE_LIMIT_{k}": "1000000/60" for k in ("LOGIN", "MAIL", "POST")}
    app = make_app(url, tmp / "instance", smtp_sink.url, **unlimited)
    app.config["FUZZ_DATABASE"] = request.param
    yield app
    app.extensions["verbinding"].close()
