"""Migration 0034 gives the initiatives already in a database the names of their stadsdeel and
wijk, and goes back and up again on SQLite and on PostgreSQL: the names filled anew, the
triggers there after each upgrade and gone after each downgrade (a rename or a move after it
still works, no trigger writing columns that are gone)."""

from __future__ import annotations

from sqlalchemy import inspect, text

from engine.db import make_engine
from engine.migrate import downgrade, upgrade
from tests.conftest import NOW


def _insert_initiative(conn, iid: int, hood: int) -> None:
    conn.execute(text(
        "INSERT INTO initiatives (id, title, description, neighbourhood_id, workflow_version_id, "
        "state, graph_key, visibility, join_policy, is_on_behalf, is_paused, stage_entered_dt, "
        "last_activity_dt, created_dt, version) VALUES (:id, 'Plan', '', :hood, 1, 'proposal', "
        "'', 'public', 'open', false, false, :now, :now, :now, 1)"
    ), {"id": iid, "hood": hood, "now": NOW})  # fmt: skip


def test_the_migration_fills_the_names_and_goes_back(database_url):
    upgrade(database_url, "0033")
    db = make_engine(database_url)
    try:
        with db.begin() as conn:
            conn.execute(text("INSERT INTO districts (id, name) VALUES (1, 'West'), (2, 'Zuid')"))
            conn.execute(text(
                "INSERT INTO neighbourhoods (id, district_id, name) "
                "VALUES (1, 1, 'Paddepoel'), (2, 2, 'Helpman')"
            ))  # fmt: skip
            conn.execute(text(
                "INSERT INTO workflow_versions (id, name, version, content_hash, definition, "
                "created_dt) VALUES (1, 'proefproces', 1, :hash, '{}', :now)"
            ), {"hash": "x" * 64, "now": NOW})  # fmt: skip
            for iid, hood in ((1, 1), (2, 2), (3, 1)):
                _insert_initiative(conn, iid, hood)
        db.dispose()
        expected = [(1, "West", "Paddepoel"), (2, "Zuid", "Helpman"), (3, "West", "Paddepoel")]
        for _ in range(2):  # up, then back and up again
            upgrade(database_url, "head")
            with db.begin() as conn:
                kept = conn.execute(text("SELECT id, place_district, place_neighbourhood "
                                         "FROM initiatives ORDER BY id")).all()  # fmt: skip
                assert [tuple(r) for r in kept] == expected
                # and the triggers are there: initiative 3's stadsdeel renamed, and back
                of_three = "(SELECT district_id FROM neighbourhoods WHERE id = 1)"
                conn.execute(text(f"UPDATE districts SET name = 'Stad' WHERE id = {of_three}"))
                renamed = conn.execute(text("SELECT place_district FROM initiatives WHERE id = 3"))
                assert renamed.scalar_one() == "Stad"
                conn.execute(text(f"UPDATE districts SET name = :was WHERE id = {of_three}"),
                             {"was": expected[2][1]})  # fmt: skip
            db.dispose()
            downgrade(database_url, "0033")
            with db.begin() as conn:
                columns = {c["name"] for c in inspect(conn).get_columns("initiatives")}
                assert not {"place_district", "place_neighbourhood"} & columns
                # no trigger is left behind to write the columns that are gone
                conn.execute(text("UPDATE districts SET name = 'Noord' WHERE id = 1"))
                conn.execute(text("UPDATE neighbourhoods SET name = 'Selwerd', district_id = 2 "
                                  "WHERE id = 1"))  # fmt: skip
                conn.execute(text("UPDATE initiatives SET neighbourhood_id = 1 WHERE id = 2"))
                _insert_initiative(conn, len(expected) + 1, 2)
            expected = [
                (1, "Zuid", "Selwerd"),
                (2, "Zuid", "Selwerd"),
                (3, "Zuid", "Selwerd"),
                *[(iid, "Zuid", "Helpman") for iid in range(4, len(expected) + 2)],
            ]
            db.dispose()
    finally:
        db.dispose()
