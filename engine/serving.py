"""``verbinding serve --workers N``: several web processes on one port, under gunicorn.

gunicorn's master binds the port, starts ``N`` worker processes (each builds its own app and its
own database pool: nothing is shared across the fork), restarts one that dies or hangs, and on
SIGTERM lets the running requests finish. Each worker serves ``threads`` requests at once
(the ``gthread`` worker). Chosen over several waitress processes: see BENCHMARKS.md, "Several
web processes".

The forwarded headers are left to the app (``VERBINDING_TRUSTED_PROXIES``, werkzeug's
ProxyFix): gunicorn's own handling of X-Forwarded-Proto is switched off, so one setting
decides.
"""

from __future__ import annotations

from typing import Any

from gunicorn.app.base import BaseApplication


class WebServer(BaseApplication):
    """gunicorn run from Python with the app factory ``web.create_app``."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        from web import create_app

        return create_app()


def options(host: str, port: int, workers: int, threads: int) -> dict[str, Any]:
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "gthread",
        "threads": threads,
        # each worker makes its own app and connection pool after the fork
        "preload_app": False,
        # a worker silent this long is killed and replaced; a stop waits this long for requests
        "timeout": 60,
        "graceful_timeout": 30,
        "keepalive": 5,
        # the app reads X-Forwarded-* itself, as many proxies as VERBINDING_TRUSTED_PROXIES says
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "proc_name": "verbinding",
        "accesslog": None,
    }


def serve_workers(host: str, port: int, workers: int, threads: int) -> None:
    """Run gunicorn in the foreground until SIGTERM or SIGINT."""
    WebServer(options(host, port, workers, threads)).run()
