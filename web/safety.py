"""Small guards for things a request can forge."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import url_for

from web.inputs import has_control_characters


def safe_next(target: str | None) -> str:
    """Only follow a local path after login or a language switch (no open redirects)."""
    if target and not has_control_characters(target):
        parts = urlsplit(target)
        local = not parts.scheme and not parts.netloc
        if local and target.startswith("/") and not target.startswith(("//", "/\\")):
            return target.rstrip("?") or "/"
    return url_for("main.home")
