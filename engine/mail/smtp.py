"""Sending through an SMTP server given as a URL: one connection reused for a whole batch."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import Message
from urllib.parse import unquote, urlsplit

#: SMTP answers that will not get better by trying again
PERMANENT = range(500, 600)


class TemporaryFailure(Exception):
    """The server is away or said 4xx: try again later."""


class Unreachable(TemporaryFailure):
    """The server could not be reached, or the connection broke: nothing is wrong with the
    message itself, so the try does not count towards its limit."""


class PermanentFailure(Exception):
    """The server refused the message for good (5xx)."""


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    tls: bool  # implicit TLS (smtps://)
    starttls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpSettings:
        """Read ``smtp://[user:pass@]host[:port][?starttls=1]`` or ``smtps://…``."""
        parts = urlsplit(url)
        if parts.scheme not in ("smtp", "smtps"):
            raise ValueError(f"unsupported mail URL scheme {parts.scheme!r}: use smtp or smtps")
        tls = parts.scheme == "smtps"
        return cls(
            host=parts.hostname or "127.0.0.1",
            port=parts.port or (465 if tls else 25),
            tls=tls,
            starttls="starttls=1" in (parts.query or "") or "starttls=true" in (parts.query or ""),
            username=unquote(parts.username) if parts.username else None,
            password=unquote(parts.password) if parts.password else None,
        )


class SmtpTransport:
    """Delivers messages over one SMTP connection, opened on first use."""

    def __init__(self, url: str, timeout: float = 20.0) -> None:
        self.settings = SmtpSettings.from_url(url)
        self.timeout = timeout
        self._conn: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        try:
            if s.tls:
                conn: smtplib.SMTP = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=self.timeout, context=ssl.create_default_context()
                )
            else:
                conn = smtplib.SMTP(s.host, s.port, timeout=self.timeout)
            if s.starttls:
                conn.starttls(context=ssl.create_default_context())
            if s.username:
                conn.login(s.username, s.password or "")
        except (OSError, smtplib.SMTPException) as exc:
            raise Unreachable(f"cannot connect to {s.host}:{s.port}: {exc}") from exc
        return conn

    @property
    def connected(self) -> bool:
        return self._conn is not None

    def send(self, message: Message) -> None:
        if self._conn is None:
            self._conn = self._connect()
        try:
            self._conn.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            self._fail(exc, min(codes) if codes else 451)
        except smtplib.SMTPServerDisconnected as exc:
            self.close()
            raise Unreachable(str(exc)) from exc
        except smtplib.SMTPResponseException as exc:
            self._fail(exc, exc.smtp_code)
        except (OSError, smtplib.SMTPException) as exc:
            self.close()
            raise Unreachable(str(exc)) from exc

    def _fail(self, exc: Exception, code: int) -> None:
        if code in PERMANENT:
            self._reset()
            raise PermanentFailure(f"{code} {exc}") from exc
        if code == 421:  # the server is closing the connection: come back later
            self.close()
            raise Unreachable(f"{code} {exc}") from exc
        # a 4xx about this message: the connection stays good for the next one
        self._reset()
        raise TemporaryFailure(f"{code} {exc}") from exc

    def _reset(self) -> None:
        try:
            if self._conn is not None:
                self._conn.rset()
        except (OSError, smtplib.SMTPException):
            self.close()

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._conn = None

    def __enter__(self) -> SmtpTransport:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
