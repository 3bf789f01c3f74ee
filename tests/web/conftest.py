"""Web fixtures: the real app on a migrated SQLite file and PostgreSQL, with a real SMTP server."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask

from tests.conftest import DB_KINDS, STORAGE_KINDS, prepared_database


def make_app(database_url: str, instance, smtp_url: str, **extra) -> Flask:
    from web import create_app

    return create_app(
        {
            "VERBINDING_DATABASE_URL": database_url,
            "VERBINDING_INSTANCE_PATH": str(instance),
            "VERBINDING_SMTP_URL": smtp_url,
            "VERBINDING_SECRET_KEY": "test-secret",
            "VERBINDING_BASE_URL": "http://verbinding.test",
            # every test client comes from 127.0.0.1 into one database per run: limit
            # accounts, not the address (tests/web/auth/test_rate_limits.py tests that)
            "VERBINDING_RATE_LIMIT_ADDRESS_FACTOR": "1000000",
            "TESTING": True,
            **extra,
        }
    )


@pytest.fixture(scope="session", params=DB_KINDS)
def web_app(request, tmp_path_factory, smtp_sink) -> Iterator[Flask]:
    """The app on a freshly prepared database of each kind."""
    tmp = tmp_path_factory.mktemp("web")
    engine = prepared_database(request.param, tmp, "web")
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    app = make_app(url, tmp / "instance", smtp_sink.url)
    yield app
    app.extensions["verbinding"].close()


def pytest_collection_modifyitems(config, items) -> None:
    """A test marked ``s3_only`` (a bucket that goes away) runs with the S3 storage only: its
    local-folder variants are deselected, not skipped (a skip in CI reads as something missing)."""
    keep, drop = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        local = params.get("storage_kind", "s3") != "s3"
        (drop if local and item.get_closest_marker("s3_only") else keep).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.fixture(scope="session", params=STORAGE_KINDS)
def storage_kind(request) -> str:
    return request.param


@pytest.fixture(scope="session", params=DB_KINDS)
def web_app_with_storage(request, storage_kind, tmp_path_factory, smtp_sink) -> Iterator[Flask]:
    """The app on each kind of database, with its uploads in a folder and in an S3 bucket (a
    bucket of its own on the tests' S3 server). A test module that handles files overrides its
    ``web_app`` with this one (see tests/web/documents/test_routes.py)."""
    tmp = tmp_path_factory.mktemp("webfiles")
    engine = prepared_database(request.param, tmp, "webfiles")
    url = engine.url.render_as_string(hide_password=False)
    engine.dispose()
    extra = {}
    if storage_kind == "s3":
        server = request.getfixturevalue("s3_server")
        extra = server.settings(server.new_bucket(), prefix="verbinding/")
    app = make_app(url, tmp / "instance", smtp_sink.url, **extra)
    yield app
    app.extensions["verbinding"].close()


@pytest.fixture
def client(web_app):
    return web_app.test_client()


@pytest.fixture
def db_session(web_app):
    """A session on the app's database, for arranging data and checking results."""
    session = web_app.extensions["verbinding"].sessions()
    yield session
    session.close()
