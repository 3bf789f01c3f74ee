"""Migration 0007 gives the decisions already in a database their electorate: the group as it
was when each decision opened (a late joiner's vote no longer counts), and an open majority
vote its closing moment."""

from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa

from engine.db import UTCDateTime, make_engine
from engine.migrate import downgrade, upgrade
from tests.conftest import NOW

DAY = timedelta(days=1)


def _insert(conn, table: str, **row) -> None:
    def kind(key: str):
        return UTCDateTime() if key.endswith("_dt") else sa.JSON() if key == "definition" else None

    columns = [sa.column(k, kind(k)) for k in row]
    conn.execute(sa.insert(sa.table(table, *columns)), row)


def _before(conn) -> None:
    """Anna (initiator), Bram and Cor were there when two decisions opened; Cor voted and left;
    Dewi joined a day later and objected."""
    _insert(conn, "districts", id=1, name="West")
    _insert(conn, "neighbourhoods", id=1, district_id=1, name="Paddepoel")
    _insert(conn, "workflow_versions", id=1, name="proefproces", version=1, content_hash="x" * 64,
            definition={}, created_dt=NOW)  # fmt: skip
    for pid, name in ((1, "Anna"), (2, "Bram"), (3, "Cor"), (4, "Dewi")):
        _insert(conn, "people", id=pid, email=f"{name.lower()}@example.nl", name=name,
                locale="nl", role="resident", is_active=True, created_dt=NOW)  # fmt: skip
    _insert(conn, "initiatives", id=1, title="Kade", description="", neighbourhood_id=1,
            workflow_version_id=1, state="visioning", graph_key="", visibility="public",
            is_paused=False, stage_entered_dt=NOW, last_activity_dt=NOW, created_dt=NOW,
            version=1)  # fmt: skip
    for pid, role, joined in ((1, "initiator", NOW), (2, "member", NOW), (4, "member", NOW + DAY)):
        _insert(conn, "memberships", initiative_id=1, person_id=pid, role=role, joined_dt=joined)
    for did, rule, status in ((1, "consent", "open"), (2, "majority", "open"),
                              (3, "initiators", "approved")):  # fmt: skip
        _insert(conn, "decisions", id=did, initiative_id=1, trigger=f"move{did}",
                stage_key="visioning", rule=rule, status=status, question="",
                opened_by_id=1, opened_dt=NOW + timedelta(hours=1),
                closes_dt=NOW + 7 * DAY if rule == "consent" else None)  # fmt: skip
    _insert(conn, "votes", decision_id=1, person_id=3, choice="for", cast_dt=NOW)
    _insert(conn, "votes", decision_id=1, person_id=4, choice="object", cast_dt=NOW + DAY)


def test_existing_decisions_get_the_group_that_was_there(database_url):
    upgrade(database_url, "0005")
    db = make_engine(database_url)
    try:
        with db.begin() as conn:
            _before(conn)
        db.dispose()
        upgrade(database_url, "head")
        with db.connect() as conn:
            electors = conn.execute(
                sa.text("select decision_id, person_id from electors order by 1, 2")
            ).all()
            closes = dict(conn.execute(sa.text("select id, closes_dt from decisions")).all())
        # Dewi joined after the decisions opened; Cor left but his vote stands; the initiators
        # rule asks the initiators only
        assert [tuple(e) for e in electors] == [(1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (3, 1)]
        assert str(closes[2])[:16] == str((NOW + timedelta(hours=1) + 7 * DAY).replace(
            tzinfo=None))[:16]  # fmt: skip
        db.dispose()
        downgrade(database_url, "0005")
        with db.connect() as conn:
            assert "electors" not in sa.inspect(conn).get_table_names()
            left = conn.execute(sa.text("select closes_dt from decisions where id = 2")).scalar()
            assert left is None
    finally:
        db.dispose()
