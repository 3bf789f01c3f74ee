"""Browser fixtures: the real app over HTTP with the Groningen demo data, real mail, real Chromium.

The app runs in a thread (``tests.support.LiveServer``) on a migrated SQLite file with
``engine.demo.load_demo``; its mail goes to a local SMTP server the tests read. Chromium is
Debian's ``/usr/bin/chromium`` driven by Playwright; when it is missing the browser tests are
skipped, unless ``VERBINDING_REQUIRE_BROWSER=1`` (as in CI), which makes them fail.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from engine.db import make_engine, make_session_factory, utcnow
from tests.support import LiveServer, SmtpServer, body_text, mail_to

CHROMIUM = Path(os.environ.get("VERBINDING_CHROMIUM", "/usr/bin/chromium"))
REQUIRE_BROWSER = os.environ.get("VERBINDING_REQUIRE_BROWSER") == "1"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
LANGS = ("nl", "en")
DEMO_PASSWORD = "verbinding-demo"
TIMEOUT_MS = 10_000


@dataclass
class LiveApp:
    """The served app: its address, the Flask app, and the mail it sent."""

    url: str
    app: object
    smtp: SmtpServer

    def sessions(self):
        return self.app.extensions["verbinding"].sessions()

    def mail_link(self, address: str, path_pattern: str, timeout: float = 10.0) -> str:
        """The first link to this site in the newest mail to ``address`` matching the path."""
        mail = self.smtp.wait_for(
            lambda m: mail_to(address)(m) and re.search(path_pattern, body_text(m)) is not None,
            timeout,
        )
        found = re.search(re.escape(self.url) + r"(" + path_pattern + r"\S*)", body_text(mail))
        assert found, f"no link to {self.url}{path_pattern} in: {body_text(mail)}"
        return found.group(1)


def make_live_app(tmp: Path, smtp: SmtpServer) -> tuple[LiveApp, LiveServer]:
    """Migrate a SQLite file, load the demo, and serve the app on loopback."""
    from engine.demo import load_demo
    from engine.migrate import upgrade_engine
    from engine.workflows.versions import sync_workflows
    from web import create_app

    url = f"sqlite:///{tmp / 'browser.db'}"
    engine = make_engine(url)
    upgrade_engine(engine)
    with make_session_factory(engine)() as session:
        sync_workflows(session, utcnow())
        load_demo(session, utcnow())
        session.commit()
    engine.dispose()
    holder: dict[str, object] = {}
    server = LiveServer(lambda environ, start: holder["app"](environ, start))
    app = create_app(
        {
            "VERBINDING_DATABASE_URL": url,
            "VERBINDING_INSTANCE_PATH": str(tmp / "instance"),
            "VERBINDING_SMTP_URL": smtp.url,
            "VERBINDING_SECRET_KEY": "browser-test-secret",
            "VERBINDING_BASE_URL": server.url,
            # the browser always comes from 127.0.0.1: limit accounts, not the address
            "VERBINDING_RATE_LIMIT_ADDRESS_FACTOR": "1000000",
        }
    )
    holder["app"] = app
    return LiveApp(server.url, app, smtp), server.start()


@pytest.fixture(scope="session")
def live(tmp_path_factory, smtp_sink) -> Iterator[LiveApp]:
    from tests.browser import pages

    live_app, server = make_live_app(tmp_path_factory.mktemp("browser"), smtp_sink)
    pages.LIVE[:] = [live_app]
    yield live_app
    server.stop()
    live_app.app.extensions["verbinding"].close()


def _launch_problem() -> str | None:
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM}"
    return None


@pytest.fixture(scope="session")
def browser():
    problem = _launch_problem()
    if problem:
        if REQUIRE_BROWSER:
            pytest.fail(f"a browser is required (VERBINDING_REQUIRE_BROWSER=1): {problem}")
        pytest.skip(problem)
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=TIMEOUT_MS)  # a loaded CI machine is slower than a laptop

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def open_page(browser, live) -> Iterator[Callable]:
    """Open a fresh browser context (own cookies) in a language; closed after the test.

    Any answer of 500 or more from the app fails the test (the app logs the traceback).
    """
    contexts = []
    server_errors: list[str] = []

    def watch(response) -> None:
        if response.status >= 500:
            server_errors.append(f"{response.status} {response.request.method} {response.url}")

    def factory(lang: str = "nl", width: int = 1280, height: int = 900):
        context = browser.new_context(
            base_url=live.url,
            locale={"nl": "nl-NL", "en": "en-GB"}[lang],
            viewport={"width": width, "height": height},
        )
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("response", watch)
        return page

    yield factory
    for context in contexts:
        context.close()
    if server_errors:
        pytest.fail("the app answered with a server error: " + "; ".join(server_errors))


@pytest.fixture(params=LANGS)
def lang(request) -> str:
    return request.param
