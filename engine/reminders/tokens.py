"""Signed unsubscribe tokens and secret calendar addresses.

An unsubscribe token names a person and the kinds a mail was about, signed with the site's
secret (HMAC-SHA256), so a link in a mail turns exactly those kinds off and nothing else. It
does not expire: RFC 8058 asks that the link keep working for the life of the mail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from engine.config import Config

PURPOSE = b"verbinding-reminders-unsubscribe"


def signing_secret(config: Config) -> str:
    """The site's secret: ``VERBINDING_SECRET_KEY``, else the one the web app keeps on disk."""
    if config.secret_key:
        return config.secret_key
    path = Path(config.instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    path.write_text(secret)
    path.chmod(0o600)
    return secret


def verifying_secrets(config: Config) -> list[str]:
    """The secrets a link may be signed with: the site's own, then the former ones
    (``VERBINDING_SECRET_KEY_FALLBACKS``), so mail sent before a key rotation keeps working."""
    return [signing_secret(config), *config.secret_key_fallbacks]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    """The signing key derived from the site's secret (once: a mail to a thousand readers
    signs a thousand links)."""
    return hmac.new(secret.encode(), PURPOSE, hashlib.sha256).digest()


def _signature(secret: str, payload: str) -> str:
    # the one-shot C function: hmac.new() costs ~100 µs a call here, this ~1 µs
    return _b64(hmac.digest(_key(secret), payload.encode(), "sha256")[:18])


def unsubscribe_token(secret: str, person_id: int, kinds: list[str]) -> str:
    payload = _b64(f"{person_id}:{','.join(sorted(set(kinds)))}".encode())
    return f"{payload}.{_signature(secret, payload)}"


def read_unsubscribe_token(secret: str | Sequence[str], token: str) -> tuple[int, list[str]] | None:
    """The person and kinds a token names, or None when it is not one of ours; ``secret``
    may be several (see :func:`verifying_secrets`): a signature by any of them holds."""
    payload, _, signature = (token or "").partition(".")
    if not payload:
        return None
    keys = [secret] if isinstance(secret, str) else list(secret)
    # bytes, not str: compare_digest refuses a str with non-ASCII characters (a forged link)
    if not any(
        hmac.compare_digest(signature.encode(), _signature(key, payload).encode()) for key in keys
    ):
        return None
    try:
        person, _, kinds = _unb64(payload).decode().partition(":")
        return int(person), [k for k in kinds.split(",") if k]
    except (ValueError, UnicodeDecodeError):
        return None


def new_feed_token() -> str:
    """A secret for a calendar address: 256 bits, URL-safe."""
    return secrets.token_urlsafe(32)
