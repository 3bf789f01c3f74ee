"""The schema comes from the Alembic migrations, and they match the models exactly."""

from __future__ import annotations

from datetime import timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text

import engine.models  # noqa: F401  (every table on the metadata)
from engine.db import Base, make_engine, make_session_factory
from engine.migrate import downgrade, upgrade, upgrade_engine
from engine.models import Event
from tests import factories


def _describe(diffs) -> list[str]:
    """A readable line per difference: what alembic would add, drop or change."""
    lines = []
    for diff in diffs:
        if isinstance(diff, list):  # column changes come grouped
            lines += _describe(diff)
            continue
        subject = diff[1]
        name = getattr(subject, "name", None) or " ".join(str(p) for p in diff[1:4])
        lines.append(f"{diff[0]} {name}")
    return lines


def test_migrated_schema_matches_the_models(db_engine):
    with db_engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "compare_server_default": True}
        )
        assert _describe(compare_metadata(context, Base.metadata)) == []


def test_every_model_table_is_created_by_the_migrations(db_engine):
    with db_engine.connect() as conn:
        tables = set(inspect(conn).get_table_names())
    assert set(Base.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_downgrade_to_base_and_up_again(tmp_path, now):
    url = f"sqlite:///{tmp_path / 'heen-en-terug.db'}"
    upgrade(url)
    db = make_engine(url)
    try:
        with db.connect() as conn:
            head = conn.scalar(text("select version_num from alembic_version"))
            assert set(Base.metadata.tables) <= set(inspect(conn).get_table_names())
        db.dispose()

        downgrade(url, "base")
        with db.connect() as conn:
            left = set(inspect(conn).get_table_names()) - {"alembic_version"}
            assert left == set()
            assert conn.scalar(text("select count(*) from alembic_version")) == 0
        db.dispose()

        upgrade_engine(db)
        with db.connect() as conn:
            assert conn.scalar(text("select version_num from alembic_version")) == head
            context = MigrationContext.configure(conn)
            assert _describe(compare_metadata(context, Base.metadata)) == []
        # and the database works: an initiative can be started on it
        with make_session_factory(db)() as session:
            from engine.workflows.versions import sync_workflows
            from tests.conftest import TEST_WORKFLOWS, seed_places

            sync_workflows(session, now, TEST_WORKFLOWS)
            seed_places(session)
            item = factories.initiative(session, now)
            session.commit()
            assert factories.event_count(session, item.id) == 1
    finally:
        db.dispose()


# --- the history is append-only -------------------------------------------------------------


def _an_event(session, now) -> Event:
    item = factories.initiative(session, now)
    (created,) = factories.events_of(session, item.id)
    return created


def test_an_event_cannot_be_changed(session, now):
    created = _an_event(session, now)
    with pytest.raises(RuntimeError, match="history"):
        with session.begin_nested():
            created.note = "achteraf anders opgeschreven"
            session.flush()
    assert session.scalar(select(Event.note).where(Event.id == created.id)) is None


def test_an_event_cannot_be_deleted(session, now):
    created = _an_event(session, now)
    with pytest.raises(RuntimeError, match="history"):
        with session.begin_nested():
            session.delete(created)
            session.flush()
    assert session.scalar(select(func.count()).where(Event.id == created.id)) == 1


def test_history_keeps_growing(session, now):
    created = _an_event(session, now)
    from engine.operations import update_initiative

    update_initiative(
        session, created.actor, created.initiative_id, title="Nieuwe titel",
        description="", now=now + timedelta(minutes=1),
    )  # fmt: skip
    kinds = [e.kind for e in factories.events_of(session, created.initiative_id)]
    assert kinds == ["created", "updated"]
