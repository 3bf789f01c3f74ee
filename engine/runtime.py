"""Wiring for a running process (CLI, web, scheduler): configuration and database.

Every session a Runtime makes carries its :class:`~engine.config.Config`
(``engine.config.config_of(session)``), so the engine reads settings from the session it was
given, never from the environment.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.config import Config, ConfigError, load_config
from engine.db import make_engine, make_session_factory
from engine.machines import machines
from engine.storage import Storage
from engine.storage_setup import storage_for


@dataclass
class Runtime:
    config: Config
    #: work running beside the requests (mail sent right after a commit): close() waits for it,
    #: so no thread still holds a connection of a pool that is being disposed
    _background: list[threading.Thread] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        # the machine cache is one per process: the last Runtime made sets its size
        machines.maxsize = self.config.machine_cache_size

    @classmethod
    def from_env(cls) -> Runtime:
        return cls(load_config())

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.config.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine, self.config)

    @cached_property
    def storage(self) -> Storage:
        """Where uploaded files are kept (a folder, or an S3 bucket): one per process."""
        return storage_for(self.config)

    def in_background(self, work: Callable[[], None], name: str) -> None:
        """Run ``work`` in a thread of its own (a daemon: it never holds the process up)."""
        thread = threading.Thread(target=work, name=name, daemon=True)
        with self._lock:
            self._background = [t for t in self._background if t.is_alive()]
            self._background.append(thread)
        thread.start()

    def join_background(self, wait: float = 10.0) -> None:
        """Let the background work started so far finish (at most ``wait`` seconds each)."""
        with self._lock:
            running = list(self._background)
        for thread in running:
            thread.join(wait)

    def close(self, wait: float = 10.0) -> None:
        """Let background work finish (at most ``wait`` seconds each), then close the database
        connections (if any were opened)."""
        self.join_background(wait)
        if "engine" in self.__dict__:
            self.engine.dispose()


def require_secret_key(config: Config) -> None:
    """Refuse to run for real with a key that a restart would lose (a container's throw-away
    instance folder): every session would end and every mailed unsubscribe link break."""
    if config.production and not config.secret_key:
        why = "VERBINDING_ENV=production" if config.env == "production" else "an https BASE_URL"
        raise ConfigError(
            f"VERBINDING_SECRET_KEY is not set, and {why} says this site runs for real: set "
            "it (or VERBINDING_SECRET_KEY_FILE) to a long random value, the same on every "
            "process, e.g. from `python -c 'import secrets; print(secrets.token_hex(32))'`"
        )
