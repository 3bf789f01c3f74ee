"""The caseload's sort by place walks an index: each initiative keeps its place's names.

The caseload sorted by place ordered by the stadsdeel's name, then the wijk's, then the id:
columns of two other tables, which no index on ``initiatives`` hands out, so PostgreSQL sorted
every initiative the coach may see for each page (wall 24 ms at 10,000 initiatives, 72 ms at
100,000). Each initiative now carries the names of its stadsdeel and its wijk
(``initiatives.place_district``, ``initiatives.place_neighbourhood``), and the index
``(place_district, place_neighbourhood, id)`` hands the caseload its rows in that order: it
stops at its page.

The database keeps the columns (never written from Python), so every way of writing stays
right (the ORM, Core inserts, set-based fills):

* a new initiative (or one moved to another wijk) takes its wijk's and stadsdeel's names
  (PostgreSQL: a BEFORE trigger sets them; SQLite: an AFTER trigger updates the new row);
* a wijk renamed or moved to another stadsdeel, and a stadsdeel renamed, rename the places of
  their initiatives.

The triggers' own updates set only the two columns, which no trigger watches (0025's and
0033's on ``initiatives`` watch ``neighbourhood_id``, ``workflow_version_id`` and ``state``):
nothing fires again. They are on ``initiatives``, ``neighbourhoods`` and ``districts``; a later
SQLite ``batch_alter_table`` that recreates one of those tables drops its triggers (see 0025):
such a migration must create them again. The columns are nullable: a copy the triggers fill,
not a value a writer must give.

Revision ID: 0034
Revises: 0033
"""

import sqlalchemy as sa
from alembic import op

revision = "0034"
down_revision = "0033"
branch_labels = None
depends_on = None


def _district_name(hood: str) -> str:
    """The name of the stadsdeel of the wijk ``hood`` (an id expression)."""
    return (
        "(SELECT d.name FROM neighbourhoods n JOIN districts d ON d.id = n.district_id "
        f"WHERE n.id = {hood})"
    )


def _hood_name(hood: str) -> str:
    return f"(SELECT name FROM neighbourhoods WHERE id = {hood})"


def _set_place(hood: str) -> str:
    """SET the kept names from the wijk ``hood``."""
    return f"place_district = {_district_name(hood)}, place_neighbourhood = {_hood_name(hood)}"


#: a wijk's initiatives take its (new) name and its (new) stadsdeel's
RENAME_NEIGHBOURHOOD = (
    "UPDATE initiatives SET "
    "place_district = (SELECT name FROM districts WHERE id = NEW.district_id), "
    "place_neighbourhood = NEW.name WHERE neighbourhood_id = NEW.id"
)
#: the initiatives of a stadsdeel's wijken take its new name
RENAME_DISTRICT = (
    "UPDATE initiatives SET place_district = NEW.name "
    "WHERE neighbourhood_id IN (SELECT id FROM neighbourhoods WHERE district_id = NEW.id)"
)


def sqlite_triggers() -> list[str]:
    return [
        f"""CREATE TRIGGER initiatives_place_insert AFTER INSERT ON initiatives
        BEGIN
            UPDATE initiatives SET {_set_place("NEW.neighbourhood_id")} WHERE id = NEW.id;
        END""",
        f"""CREATE TRIGGER initiatives_place_update AFTER UPDATE OF neighbourhood_id ON initiatives
        WHEN NEW.neighbourhood_id IS NOT OLD.neighbourhood_id
        BEGIN
            UPDATE initiatives SET {_set_place("NEW.neighbourhood_id")} WHERE id = NEW.id;
        END""",
        f"""CREATE TRIGGER neighbourhoods_place AFTER UPDATE OF name, district_id ON neighbourhoods
        WHEN NEW.name IS NOT OLD.name OR NEW.district_id IS NOT OLD.district_id
        BEGIN {RENAME_NEIGHBOURHOOD}; END""",
        f"""CREATE TRIGGER districts_place AFTER UPDATE OF name ON districts
        WHEN NEW.name IS NOT OLD.name
        BEGIN {RENAME_DISTRICT}; END""",
    ]


POSTGRES = [
    """CREATE FUNCTION initiatives_place() RETURNS trigger AS $$
BEGIN
    SELECT d.name, n.name INTO NEW.place_district, NEW.place_neighbourhood
    FROM neighbourhoods n JOIN districts d ON d.id = n.district_id
    WHERE n.id = NEW.neighbourhood_id;
    RETURN NEW;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER initiatives_place BEFORE INSERT OR UPDATE OF neighbourhood_id ON initiatives
FOR EACH ROW EXECUTE FUNCTION initiatives_place()""",
    f"""CREATE FUNCTION neighbourhoods_place() RETURNS trigger AS $$
BEGIN
    {RENAME_NEIGHBOURHOOD};
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER neighbourhoods_place AFTER UPDATE OF name, district_id ON neighbourhoods
FOR EACH ROW
WHEN (NEW.name IS DISTINCT FROM OLD.name OR NEW.district_id IS DISTINCT FROM OLD.district_id)
EXECUTE FUNCTION neighbourhoods_place()""",
    f"""CREATE FUNCTION districts_place() RETURNS trigger AS $$
BEGIN
    {RENAME_DISTRICT};
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER districts_place AFTER UPDATE OF name ON districts
FOR EACH ROW WHEN (NEW.name IS DISTINCT FROM OLD.name)
EXECUTE FUNCTION districts_place()""",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # not batch_alter_table: recreating initiatives on SQLite would drop the triggers on it
    # (0025's, 0033's); the lengths are districts.name's and neighbourhoods.name's
    op.add_column("initiatives", sa.Column("place_district", sa.String(100), nullable=True))
    op.add_column("initiatives", sa.Column("place_neighbourhood", sa.String(100), nullable=True))
    op.execute(f"UPDATE initiatives SET {_set_place('initiatives.neighbourhood_id')}")
    for statement in POSTGRES if dialect == "postgresql" else sqlite_triggers():
        op.execute(statement)
    # the caseload's sort by place walks it
    op.create_index(
        "ix_initiatives_place_id", "initiatives", ["place_district", "place_neighbourhood", "id"]
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_initiatives_place_id", table_name="initiatives")
    if dialect == "postgresql":
        for table, name in (
            ("districts", "districts_place"),
            ("neighbourhoods", "neighbourhoods_place"),
            ("initiatives", "initiatives_place"),
        ):
            op.execute(f"DROP TRIGGER {name} ON {table}")
            op.execute(f"DROP FUNCTION {name}()")
    else:
        for name in (
            "districts_place", "neighbourhoods_place",
            "initiatives_place_update", "initiatives_place_insert",
        ):  # fmt: skip
            op.execute(f"DROP TRIGGER {name}")
    # not batch_alter_table: recreating initiatives on SQLite would drop the triggers on it
    op.drop_column("initiatives", "place_neighbourhood")
    op.drop_column("initiatives", "place_district")
