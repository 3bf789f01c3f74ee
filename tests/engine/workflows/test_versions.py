"""The one cache of template definitions: bounded, shared, and many versions in one query."""

from __future__ import annotations

from sqlalchemy import event, select

from engine.models import WorkflowVersion
from engine.workflows import versions
from engine.workflows.cache import BoundedCache
from engine.workflows.versions import definition_by_hash, definitions_by_id


def _statements(session):
    seen: list[str] = []

    def count(conn, cursor, statement, *args):
        seen.append(statement)

    event.listen(session.get_bind(), "before_cursor_execute", count)
    return seen, lambda: event.remove(session.get_bind(), "before_cursor_execute", count)


def test_every_version_at_once_in_one_query(session):
    ids = list(session.scalars(select(WorkflowVersion.id)))
    assert len(ids) >= 2
    definitions_by_id(session, ids)  # the first time may parse them
    session.info.pop("workflow_version_hashes")  # as in a new session (a new request)
    seen, stop = _statements(session)
    try:
        found = definitions_by_id(session, ids)
        assert len(seen) == 1
        again = definitions_by_id(session, ids)  # the session remembers each version's hash
    finally:
        stop()
    assert len(seen) == 1 and again == found
    assert sorted(found) == sorted(ids)
    names = dict(session.execute(select(WorkflowVersion.id, WorkflowVersion.name)).all())
    assert all(defn.name == names[vid] for vid, (_, defn) in found.items())


def test_readers_share_one_parsed_definition(session):
    row = session.scalars(select(WorkflowVersion).limit(1)).one()
    (digest, defn) = definitions_by_id(session, [row.id])[row.id]
    assert digest == row.content_hash
    assert definition_by_hash(session, digest) is defn
    assert versions.definition_of(row) is defn


def test_the_cache_forgets_the_least_recently_used():
    cache: BoundedCache[str, int] = BoundedCache(maxsize=2)
    cache.put("a", 1)
    cache.put("b", 2)
    assert cache.get("a") == 1  # "b" is now the oldest
    cache.put("c", 3)
    assert ("a" in cache, "b" in cache, "c" in cache) == (True, False, True)
    assert len(cache) == 2
