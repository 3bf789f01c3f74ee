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

import gc
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

        app = create_app()
        settle_gc()
        return app


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


#: the garbage collector's first threshold in a web process (Python's default: 700)
YOUNG_OBJECTS = 10_000


def settle_gc() -> None:
    """Tune the garbage collector of a long-running web process, once its app is built.

    Every request leaves objects in reference cycles that only the collector frees (a WTForms
    form and its fields, an ORM object's state, the request and its environ): with Python's
    threshold of 700 a move through the site (the form and the page after it) ran it 2.5 times,
    0.74 ms of CPU; with :data:`YOUNG_OBJECTS` it runs once every few requests, 0.37 ms a move
    (BENCHMARKS.md, issue 17). What the app holds for good when it starts (modules, templates,
    compiled statements) goes to the permanent generation (``gc.freeze``): no collection
    walks it again.
    """
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(YOUNG_OBJECTS, older, oldest)
