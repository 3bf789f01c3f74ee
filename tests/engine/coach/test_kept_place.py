"""Each initiative keeps the names of its stadsdeel and wijk, and the caseload's sort by place
walks an index on them (migration 0034), on SQLite and on PostgreSQL:

* the kept names are the joined names after every write: an initiative inserted (ORM, Core) or
  moved, a wijk renamed or moved to another stadsdeel, a stadsdeel renamed, and any sequence
  of those (hypothesis);
* the caseload's pages sorted by place, each way, with and without the stadsdeel and wijk
  filters, are the order of the joined names (the oracle: the join, as the sort was before);
* the rows of such a page are chosen by a walk of ``ix_initiatives_place_id``, no sort; a
  filtered stadsdeel or wijk bounds the walk.

(The migration itself, down and up with initiatives in it: tests/engine/test_migration_place.py.)

Settings: ``VERBINDING_HYPOTHESIS_PROFILE`` = ``ci`` (the default: 40 derandomised sequences
per database) or ``thorough`` (500 random ones).
"""

from __future__ import annotations

import json
from itertools import count

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, insert, or_, select, text, update

from engine.coach.caseload import Filters, caseload
from engine.db import make_session_factory
from engine.models import District, Initiative, Neighbourhood
from engine.workflows.versions import latest_version
from tests import factories
from tests.conftest import DB_KINDS, NOW, prepared_database
from tests.profiles import profile

_I, _N, _D = Initiative.__table__.c, Neighbourhood.__table__.c, District.__table__.c
_names = count(1)

SETTINGS = profile(40, 500)

#: stadsdelen and their wijken; within each stadsdeel the wijken are made in the reverse order
#: of their names, so an order by id alone within a stadsdeel is not the order by wijk
PLACES = {
    "Noord": ["Selwerd", "Beijum"],
    "West": ["Vinkhuizen", "Paddepoel"],
    "Zuid": ["Helpman", "Corpus den Hoorn"],
}


def _joined():
    return (
        select(_I.id, _D.name.label("district"), _N.name.label("hood"))
        .join(Neighbourhood.__table__, _N.id == _I.neighbourhood_id)
        .join(District.__table__, _D.id == _N.district_id)
    )  # fmt: skip


def _drift(session) -> list:
    """The initiatives whose kept names are not their wijk's and stadsdeel's."""
    joined = _joined().add_columns(_I.place_district, _I.place_neighbourhood)
    drifted = joined.where(
        or_(_I.place_district.is_distinct_from(_D.name),
            _I.place_neighbourhood.is_distinct_from(_N.name))
    )  # fmt: skip
    return [tuple(row) for row in session.execute(drifted)]


def _kept(session, iid: int) -> tuple[str, str]:
    assert _drift(session) == []
    row = session.execute(
        select(_I.place_district, _I.place_neighbourhood).where(_I.id == iid)
    ).one()  # fmt: skip
    return tuple(row)


def _places(session) -> dict[str, int]:
    """The PLACES (the seeded ones and new ones): wijk name → id, stadsdeel name → id."""
    ids = {}
    for district, hoods in PLACES.items():
        found = session.scalar(select(District).where(District.name == district))
        if found is None:
            found = District(name=district)
            session.add(found)
            session.flush()
        ids[district] = found.id
        for name in hoods:
            hood = session.scalar(select(Neighbourhood).where(Neighbourhood.name == name))
            if hood is None:
                hood = Neighbourhood(district_id=found.id, name=name)
                session.add(hood)
                session.flush()
            ids[name] = hood.id
    return ids


def _orm_initiative(session, hood_id: int) -> int:
    version = latest_version(session, "proefproces")
    item = Initiative(
        title=f"Plan {next(_names)}", neighbourhood_id=hood_id, workflow_version_id=version.id,
        state="proposal", stage_entered_dt=NOW, last_activity_dt=NOW, created_dt=NOW,
    )  # fmt: skip
    session.add(item)
    session.flush()
    return item.id


def _core_initiative(session, hood_name: str) -> int:
    return factories.bulk_initiatives(
        session, NOW, 1, title=f"Kern {next(_names)}", neighbourhood_name=hood_name
    )[0]


# -- the kept names ---------------------------------------------------------------------------


def test_every_write_keeps_the_names_of_the_place(session):
    ids = _places(session)
    orm = _orm_initiative(session, ids["Paddepoel"])
    core = _core_initiative(session, "Helpman")
    assert _kept(session, orm) == ("West", "Paddepoel")
    assert _kept(session, core) == ("Zuid", "Helpman")

    # moved to another wijk: by Core, and by the ORM
    session.execute(update(Initiative).where(_I.id == orm).values(neighbourhood_id=ids["Beijum"]))
    assert _kept(session, orm) == ("Noord", "Beijum")
    moved = session.get(Initiative, core)
    assert moved is not None
    moved.neighbourhood_id = ids["Selwerd"]
    session.flush()
    assert _kept(session, core) == ("Noord", "Selwerd")
    # writes that leave the wijk as it is change nothing
    session.execute(update(Initiative).where(_I.id == orm)
                    .values(neighbourhood_id=ids["Beijum"], title="Zelfde plek"))  # fmt: skip
    assert _kept(session, orm) == ("Noord", "Beijum")

    # a wijk renamed (by the ORM), then moved to another stadsdeel (by Core)
    beijum = session.get(Neighbourhood, ids["Beijum"])
    assert beijum is not None
    beijum.name = "Beijum-Oost"
    session.flush()
    assert _kept(session, orm) == ("Noord", "Beijum-Oost")
    assert _kept(session, core) == ("Noord", "Selwerd")
    session.execute(update(Neighbourhood).where(_N.id == ids["Beijum"])
                    .values(district_id=ids["Zuid"]))  # fmt: skip
    assert _kept(session, orm) == ("Zuid", "Beijum-Oost")
    # renamed and moved at once
    session.execute(update(Neighbourhood).where(_N.id == ids["Beijum"])
                    .values(district_id=ids["West"], name="Beijum"))  # fmt: skip
    assert _kept(session, orm) == ("West", "Beijum")

    # a stadsdeel renamed: the initiatives of all its wijken, no others
    session.execute(update(District).where(_D.id == ids["Noord"]).values(name="Noordoost"))
    assert _kept(session, core) == ("Noordoost", "Selwerd")
    assert _kept(session, orm) == ("West", "Beijum")
    west = session.get(District, ids["West"])
    assert west is not None
    west.name = "Stad West"
    session.flush()
    assert _kept(session, orm) == ("Stad West", "Beijum")
    assert _kept(session, core) == ("Noordoost", "Selwerd")


_HOODS = [hood for hoods in PLACES.values() for hood in hoods]
_WRITES = st.one_of(
    st.tuples(st.just("orm"), st.sampled_from(_HOODS)),
    st.tuples(st.just("core"), st.sampled_from(_HOODS)),
    st.tuples(st.just("move"), st.integers(0, 20), st.sampled_from(_HOODS)),
    st.tuples(st.just("rename wijk"), st.sampled_from(_HOODS)),
    st.tuples(st.just("move wijk"), st.sampled_from(_HOODS), st.sampled_from(list(PLACES))),
    st.tuples(st.just("rename stadsdeel"), st.sampled_from(list(PLACES))),
)


def test_any_sequence_of_writes_keeps_the_names(session):
    ids = _places(session)
    for hood in _HOODS:
        _core_initiative(session, hood)

    @SETTINGS
    @given(writes=st.lists(_WRITES, min_size=1, max_size=12))
    def check(writes):
        nested = session.begin_nested()
        try:
            mine = list(session.scalars(select(_I.id).order_by(_I.id)))
            for write in writes:
                kind = write[0]
                if kind == "orm":
                    mine.append(_orm_initiative(session, ids[write[1]]))
                elif kind == "core":
                    row = {**_row(session), "neighbourhood_id": ids[write[1]]}
                    made = insert(Initiative.__table__).values(row).returning(_I.id)
                    mine.append(session.execute(made).scalar_one())
                elif kind == "move":
                    session.execute(update(Initiative).where(_I.id == mine[write[1] % len(mine)])
                                    .values(neighbourhood_id=ids[write[2]]))  # fmt: skip
                elif kind == "rename wijk":  # names stay unique: a stadsdeel's wijk may move in
                    session.execute(update(Neighbourhood).where(_N.id == ids[write[1]])
                                    .values(name=f"{write[1]} {next(_names)}"))  # fmt: skip
                elif kind == "move wijk":
                    session.execute(update(Neighbourhood).where(_N.id == ids[write[1]])
                                    .values(district_id=ids[write[2]]))  # fmt: skip
                else:
                    session.execute(update(District).where(_D.id == ids[write[1]])
                                    .values(name=f"{write[1]} {next(_names)}"))  # fmt: skip
            session.flush()
            assert _drift(session) == []
        finally:
            nested.rollback()

    check()


def _row(session) -> dict:
    version = latest_version(session, "proefproces")
    return {
        "title": f"Rij {next(_names)}", "description": "", "workflow_version_id": version.id,
        "state": "proposal", "graph_key": "", "visibility": "public", "is_paused": False,
        "stage_entered_dt": NOW, "last_activity_dt": NOW, "created_dt": NOW, "version": 1,
    }  # fmt: skip


# -- the caseload's order ---------------------------------------------------------------------


def _fill(session, per_hood: int) -> dict[str, int]:
    """``per_hood`` initiatives in each of the PLACES' wijken, made in PLACES' order."""
    ids = _places(session)
    for hood in _HOODS:
        factories.bulk_initiatives(
            session, NOW, per_hood, title=f"In {hood} {next(_names)}", neighbourhood_name=hood
        )
    return ids


def _oracle(session, direction: str, district_id: int | None, wijk_id: int | None) -> list[int]:
    """The order by the joined names, as the caseload sorted by place before 0034, and the
    filters by the ids."""
    keys = [_D.name, _N.name, _I.id]
    query = _joined().order_by(*[k.desc() if direction == "desc" else k for k in keys])
    if district_id is not None:
        query = query.where(_N.district_id == district_id)
    if wijk_id is not None:
        query = query.where(_I.neighbourhood_id == wijk_id)
    return [row.id for row in session.execute(query)]


#: (stadsdeel, wijk) filters → the rows they take: none, a stadsdeel, a wijk, both, a wijk of
#: another stadsdeel (seven initiatives a wijk)
FILTERS = {(None, None): 42, ("West", None): 14, (None, "Paddepoel"): 7, ("Zuid", "Helpman"): 7,
           ("Noord", "Paddepoel"): 0}  # fmt: skip


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize(("district", "wijk"), list(FILTERS))
def test_pages_sorted_by_place_follow_the_stadsdeel_the_wijk_and_the_id(
    session, direction, district, wijk
):
    ids = _fill(session, 7)
    # renamed after the wijken were filled: Zuid sorts first, Helpman before Corpus den Hoorn
    session.execute(update(District).where(_D.id == ids["Zuid"]).values(name="Centrum"))
    session.execute(update(Neighbourhood).where(_N.id == ids["Helpman"]).values(name="Als"))
    district_id = ids[district] if district else None
    wijk_id = ids[wijk] if wijk else None
    expected = _oracle(session, direction, district_id, wijk_id)
    assert len(expected) == FILTERS[district, wijk]
    seen, page = [], 1
    while True:
        filters = Filters(sort="place", direction=direction, page=page, per_page=10,
                          district_id=district_id, neighbourhood_id=wijk_id)  # fmt: skip
        result = caseload(session, filters, now=NOW)
        seen += [row.id for row in result.rows]
        if page >= result.pages:
            break
        page += 1
    assert seen == expected
    assert page == max(1, -(-len(expected) // 10))


# -- the plans --------------------------------------------------------------------------------


@pytest.fixture(scope="module", params=DB_KINDS)
def big_city(request, tmp_path_factory):
    """A city of its own with 3,000 initiatives and its statistics taken."""
    engine = prepared_database(request.param, tmp_path_factory.mktemp("place"), "placeplan")
    with make_session_factory(engine)() as session:
        ids = _fill(session, 500)
        session.commit()
    with engine.connect() as conn:
        conn.execute(text("ANALYZE"))
        conn.commit()
    yield engine, ids
    engine.dispose()


def _page_statements(engine, filters: Filters) -> list[tuple[str, object]]:
    sent: list[tuple[str, object]] = []

    def note(_conn, _cursor, statement, parameters, *_args) -> None:
        sent.append((statement, parameters))

    with make_session_factory(engine)() as session:
        event.listen(engine, "before_cursor_execute", note)
        try:
            assert caseload(session, filters, now=NOW).rows
        finally:
            event.remove(engine, "before_cursor_execute", note)
    return [(s, p) for s, p in sent if "chosen" in s]


def _sqlite_chosen(raw, statement, parameters) -> list[str]:
    """The steps of the plan inside the subquery that chooses the page's rows."""
    rows = list(raw.execute("EXPLAIN QUERY PLAN " + statement, parameters))
    inside, found = set(), False
    for node, parent, _, detail in rows:
        if "chosen" in detail and detail.split()[0] in ("CO-ROUTINE", "MATERIALIZE"):
            inside.add(node)
            found = True
        elif parent in inside:
            inside.add(node)
    assert found, rows
    return [detail for node, _, _, detail in rows if node in inside and "chosen" not in detail]


def _pg_nodes(plan: dict):
    yield plan
    for child in plan.get("Plans", []):
        yield from _pg_nodes(child)


@pytest.mark.parametrize("direction", ["asc", "desc"])
@pytest.mark.parametrize(("district", "wijk"), [(None, None), ("Zuid", None), (None, "Helpman")])
def test_the_rows_sorted_by_place_are_chosen_by_an_index_walk(big_city, direction, district, wijk):
    """Filtered by a stadsdeel or a wijk, the walk starts at its names: it does not walk the
    stadsdelen and wijken sorted before it (Zuid: the last)."""
    engine, ids = big_city
    filters = Filters(sort="place", direction=direction, page=3,
                      district_id=ids[district] if district else None,
                      neighbourhood_id=ids[wijk] if wijk else None)  # fmt: skip
    (page,) = _page_statements(engine, filters)
    bound = [] if not (district or wijk) else ["place_district"]
    bound += ["place_neighbourhood"] if wijk else []
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        if engine.dialect.name == "sqlite":
            steps = _sqlite_chosen(raw, *page)
            assert not [s for s in steps if "TEMP B-TREE" in s], steps
            walks = [
                s for s in steps if "initiatives USING" in s and "ix_initiatives_place_id" in s
            ]
            assert walks, steps
            assert all(f"{column}=?" in walks[0] for column in bound), walks
        else:
            (plan,) = raw.execute("EXPLAIN (FORMAT JSON) " + page[0], page[1]).fetchone()[0]
            (chosen,) = [n for n in _pg_nodes(plan["Plan"]) if n.get("Alias") == "chosen"]
            nodes = list(_pg_nodes(chosen))
            walks = [n for n in nodes if n.get("Index Name") == "ix_initiatives_place_id"]
            assert walks, json.dumps(chosen, indent=1)
            assert walks[0]["Scan Direction"] == ("Backward" if direction == "desc" else "Forward")
            assert all(column in walks[0].get("Index Cond", "") for column in bound), walks
            # no sort there, nor a walk of the whole table (the page then sorts its few rows)
            assert not [n for n in nodes if n["Node Type"] in ("Sort", "Incremental Sort")
                        or n["Node Type"] == "Seq Scan" and n["Relation Name"] == "initiatives"
                        ], json.dumps(chosen, indent=1)  # fmt: skip
