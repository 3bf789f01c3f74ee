"""The site's secret key and its former ones (``VERBINDING_SECRET_KEY_FALLBACKS``).

Flask signs the session cookie with ``SECRET_KEY`` and verifies with the fallbacks too (Flask
3.1's ``SECRET_KEY_FALLBACKS``); the form tokens (Flask-WTF) get the same list, newest last, as
itsdangerous expects. Flask-Login's remember cookie knows one key only: a cookie signed with a
former key is read here and signed anew with the current one, so "stay logged in" survives a
rotation.
"""

from __future__ import annotations

import logging
import secrets
from pathlib import Path

from flask import Flask, current_app, request, session
from flask_login import decode_cookie

from engine.config import Config
from engine.runtime import require_secret_key

log = logging.getLogger(__name__)


def configure(app: Flask, config: Config) -> None:
    """Put the key, its fallbacks and the form tokens' keys on ``app``; refuse a production
    site without a key of its own (see :func:`engine.config.require_secret_key`)."""
    require_secret_key(config)
    key = config.secret_key or _instance_secret(config.instance_path)
    fallbacks = list(config.secret_key_fallbacks)
    app.config.update(SECRET_KEY=key, SECRET_KEY_FALLBACKS=fallbacks)
    if fallbacks:
        # itsdangerous: every key verifies, the last one signs
        app.config["WTF_CSRF_SECRET_KEY"] = [*reversed(fallbacks), key]
        app.before_request(_resign_remember_cookie)


def _resign_remember_cookie() -> None:
    """A remember cookie signed with a former key: take its login session, and have
    Flask-Login write the cookie again with the current key."""
    if "_user_id" in session:
        return
    name = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
    cookie = request.cookies.get(name)
    if not cookie or session.get("_remember") == "clear" or decode_cookie(cookie) is not None:
        return
    for old in current_app.config["SECRET_KEY_FALLBACKS"]:
        reference = decode_cookie(cookie, key=old)
        if reference is not None:
            session["_user_id"] = reference
            session["_fresh"] = False
            session["_remember"] = "set"
            return


def _instance_secret(instance: Path) -> str:
    """A secret kept in the instance folder, so sessions survive a restart."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_hex(32)
    path.write_text(secret)
    path.chmod(0o600)
    log.warning("no VERBINDING_SECRET_KEY set: generated one in %s", path)
    return secret
