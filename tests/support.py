"""Real parts for tests: a local SMTP server, a served app, CSRF-aware form posts."""

from __future__ import annotations

import asyncio
import contextlib
import re
import socket
import threading
import time
from collections.abc import Callable
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from sqlalchemy import event
from werkzeug.serving import make_server


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Collector:
    """Keeps what it accepts; can be told to be slow, to refuse, or to hang up after DATA."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        self.refuse: int | None = None  # answer every DATA with this code, to test failures
        self.delay = 0.0  # seconds before answering a DATA (a slow relay)
        self.drop = 0  # hang up this many times after DATA, without an answer (nothing kept)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's API
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.drop:
            self.drop -= 1
            server.transport.abort()
            return "421 gone"  # written to nobody: the connection is closed
        if self.refuse:
            return f"{self.refuse} refused for this test"
        msg = message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.messages.append(msg)  # type: ignore[arg-type]
        return "250 OK"


class SmtpServer:
    """aiosmtpd on loopback, collecting what it receives; ``start`` again after ``stop`` is the
    same server back on the same port (a relay that was away)."""

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.handler = _Collector()
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[EmailMessage]:
        with self.handler.lock:
            return list(self.handler.messages)

    def start(self) -> SmtpServer:
        if getattr(self, "stopped", False):  # back after being away: a new controller
            self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
            self.stopped = False
        self.controller.start()
        return self

    def stop(self) -> None:
        self.controller.stop()
        self.controller.loop.close()
        self.stopped = True

    def clear(self) -> None:
        with self.handler.lock:
            self.handler.messages.clear()
        self.handler.reset()

    def wait_for(
        self, predicate: Callable[[EmailMessage], bool], timeout: float = 10.0
    ) -> EmailMessage:
        """The first mail ``predicate`` picks, looked for at least once (``timeout=0``: it is
        there now, or the test fails)."""
        deadline = time.monotonic() + timeout
        while True:
            for m in self.messages:
                if predicate(m):
                    return m
            if time.monotonic() >= deadline:
                break
            time.sleep(0.05)
        raise AssertionError(
            f"no such mail within {timeout}s; got {[m['Subject'] for m in self.messages]}"
        )


def deliver_outbox(app) -> None:
    """Send every mail that is due, now, in the test's own thread, after the delivery nudges
    already under way have finished: a test then finds its mail in the sink at once, however
    much earlier tests left in the app's shared outbox (which a nudge sends oldest first)."""
    from engine.db import utcnow
    from engine.mail import deliver_due

    runtime = app.extensions["verbinding"]
    runtime.join_background()
    config = runtime.config
    deliver_due(runtime.sessions, now=utcnow(), smtp_url=config.smtp_url,
                mail_from=config.mail_from, run_seconds=600)  # fmt: skip


def mail_to(address: str) -> Callable[[EmailMessage], bool]:
    return lambda m: address.lower() in str(m["To"]).lower()


_LANG_SPAN = re.compile(r'<span lang="[a-z]{2}">([^<]*)</span>')


def read(page: str) -> str:
    """A page's HTML with the group's words taken out of their ``<span lang>`` (an English
    page marks a Dutch step title inside a sentence), to find its sentences."""
    return _LANG_SPAN.sub(r"\1", page)


def body_text(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else ""


class LiveServer:
    """The app served over real HTTP on loopback, in a thread."""

    def __init__(self, app) -> None:
        self.port = free_port()
        self.server = make_server("127.0.0.1", self.port, app, threaded=True)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> LiveServer:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()


CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(client, url: str = "/login") -> str:
    page = client.get(url).get_data(as_text=True)
    found = CSRF_RE.search(page)
    assert found, f"no CSRF token on {url}"
    return found.group(1)


def post_form(client, url: str, data: dict | None = None, *, token_from: str = "/login", **kw):
    """POST like a browser would: with the session's CSRF token."""
    payload = {"csrf_token": csrf_token(client, token_from)}
    payload.update(data or {})
    return client.post(url, data=payload, **kw)


def login(client, email: str, password: str = "wachtwoord-123"):
    response = post_form(client, "/login", {"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return response


def picture(fmt: str = "PNG", size: tuple[int, int] = (4, 3), exif: bytes | None = None) -> bytes:
    """A real little picture (uploads are decoded and re-encoded), optionally with EXIF data."""
    import io

    from PIL import Image

    out = io.BytesIO()
    options = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (40, 120, 60)).save(out, format=fmt, **options)
    return out.getvalue()


@contextlib.contextmanager
def counted(app, keep=lambda statement, context: True):
    """The statements sent inside the block (those ``keep`` keeps)."""
    statements: list[str] = []

    def count(_conn, _cursor, statement, _parameters, context, _many):
        if keep(statement, context):
            statements.append(statement)

    engine = app.extensions["verbinding"].engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)
