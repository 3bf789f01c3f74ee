"""Alembic, configured in code: the schema always comes from the migrations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str, revision: str = "head") -> None:
    """Migrate the database at ``url`` to ``revision`` (head by default)."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    command.downgrade(alembic_config(url), revision)


def upgrade_engine(engine: Engine, revision: str = "head") -> None:
    """Migrate through an existing engine (keeps SQLite pragmas and in-memory databases)."""
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


#: the key of PostgreSQL's advisory lock that `verbinding init` holds ("vb-init" as a number)
INIT_LOCK_KEY = 0x76622D696E6974


@contextmanager
def init_lock(engine: Engine, wait_seconds: float = 600.0) -> Iterator[None]:
    """Hold the database's init lock: one `verbinding init` migrates and registers the
    templates at a time; another waits, then finds the work done.

    PostgreSQL: a session-level advisory lock on a connection of its own (released when that
    connection closes, also when the process dies). SQLite: an exclusive ``flock`` on a file
    beside the database (released by the kernel when the process dies). An in-memory SQLite
    database has no other process to meet.
    """
    url = engine.url
    if url.get_backend_name() == "postgresql":
        with engine.connect() as connection:
            # a waiting init gives up after wait_seconds rather than hanging on a stuck one
            connection.execute(text(f"SET LOCAL lock_timeout = {int(wait_seconds * 1000)}"))
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": INIT_LOCK_KEY})
            connection.commit()
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": INIT_LOCK_KEY})
                connection.commit()
        return
    database = url.database or ""
    if url.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        yield
        return
    yield from _file_lock(Path(database + ".init-lock"), wait_seconds)


def _file_lock(path: Path, wait_seconds: float) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as handle:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"another `verbinding init` holds {path}") from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
