"""Alembic environment: runs the migrations on a given connection or URL."""

from __future__ import annotations

from alembic import context

import engine.models  # noqa: F401  (registers every table on the metadata)
from engine.db import Base, make_engine

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # Batch mode copies a table and drops the old one; with foreign keys on, dropping a
        # table that other rows refer to fails. SQLite only honours this pragma outside a
        # transaction (pysqlite has not begun one yet); the references are checked after.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=sqlite,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
        if sqlite:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left broken references: {broken[:5]}")
    if sqlite:
        connection.exec_driver_sql("PRAGMA foreign_keys=ON")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run_migrations(connection)
        return
    url = config.get_main_option("sqlalchemy.url")
    if url is None:
        raise RuntimeError("no sqlalchemy.url: migrate through engine.migrate or pass a connection")
    db = make_engine(url)
    try:
        with db.connect() as connection:
            run_migrations(connection)
            connection.commit()
    finally:
        db.dispose()


if context.is_offline_mode():  # pragma: no cover - we always migrate online
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
