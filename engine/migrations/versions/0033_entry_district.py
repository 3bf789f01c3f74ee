"""A district coach's calendar feed walks its stadsdeel's entries by date, not the city's.

A coach of a stadsdeel follows every initiative in its wijken: the feed read the city's
entries in date order and probed each for a membership, an assignment or the district of its
initiative's wijk, so it visited about seven entries for each one it kept, and more as the
city grew (issue 17). Each entry now carries its district (``calendar_entries.district_id``:
the stadsdeel of its initiative's wijk; null for an entry without initiative), and the index
``(district_id, entry_date, id)`` hands the feed a district's entries in the order it shows
them: it stops at its limit.

The database keeps the column (never written from Python), so every way of writing stays
right (the ORM, Core inserts, set-based fills):

* a new entry (or one moved to another initiative) takes the district of its initiative's wijk
  (PostgreSQL: a BEFORE trigger sets it; SQLite: an AFTER trigger updates the new row);
* an initiative moved to another wijk, and a wijk moved to another stadsdeel, move their
  entries along.

The triggers are on ``calendar_entries``, ``initiatives`` and ``neighbourhoods``; a later SQLite
``batch_alter_table`` that recreates one of those tables drops its triggers (see 0025): such a
migration must create them again. The column has no foreign key: it is a copy the triggers
keep, and SQLite cannot add one to an existing table without recreating it.

Revision ID: 0033
Revises: 0032
"""

import sqlalchemy as sa
from alembic import op

revision = "0033"
down_revision = "0032"
branch_labels = None
depends_on = None


def _district_of(row: str) -> str:
    """The district of an entry's initiative's wijk (``row``: NEW, or the table)."""
    return (
        "(SELECT n.district_id FROM initiatives i JOIN neighbourhoods n "
        f"ON n.id = i.neighbourhood_id WHERE i.id = {row}.initiative_id)"
    )


#: an initiative's entries take the district of its (new) wijk
MOVE_INITIATIVE = (
    "UPDATE calendar_entries SET district_id = "
    "(SELECT district_id FROM neighbourhoods WHERE id = NEW.neighbourhood_id) "
    "WHERE initiative_id = NEW.id"
)
#: a wijk's initiatives' entries take its (new) district
MOVE_NEIGHBOURHOOD = (
    "UPDATE calendar_entries SET district_id = NEW.district_id "
    "WHERE initiative_id IN (SELECT id FROM initiatives WHERE neighbourhood_id = NEW.id)"
)


def sqlite_triggers() -> list[str]:
    return [
        f"""CREATE TRIGGER calendar_entries_district_insert AFTER INSERT ON calendar_entries
        BEGIN
            UPDATE calendar_entries SET district_id = {_district_of("NEW")} WHERE id = NEW.id;
        END""",
        f"""CREATE TRIGGER calendar_entries_district_update
        AFTER UPDATE OF initiative_id ON calendar_entries
        WHEN NEW.initiative_id IS NOT OLD.initiative_id
        BEGIN
            UPDATE calendar_entries SET district_id = {_district_of("NEW")} WHERE id = NEW.id;
        END""",
        f"""CREATE TRIGGER initiatives_entry_district
        AFTER UPDATE OF neighbourhood_id ON initiatives
        WHEN NEW.neighbourhood_id IS NOT OLD.neighbourhood_id
        BEGIN {MOVE_INITIATIVE}; END""",
        f"""CREATE TRIGGER neighbourhoods_entry_district
        AFTER UPDATE OF district_id ON neighbourhoods
        WHEN NEW.district_id IS NOT OLD.district_id
        BEGIN {MOVE_NEIGHBOURHOOD}; END""",
    ]


POSTGRES = [
    f"""CREATE FUNCTION calendar_entries_district() RETURNS trigger AS $$
BEGIN
    NEW.district_id := {_district_of("NEW")};
    RETURN NEW;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER calendar_entries_district BEFORE INSERT OR UPDATE OF initiative_id
    ON calendar_entries
FOR EACH ROW EXECUTE FUNCTION calendar_entries_district()""",
    f"""CREATE FUNCTION initiatives_entry_district() RETURNS trigger AS $$
BEGIN
    {MOVE_INITIATIVE};
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER initiatives_entry_district AFTER UPDATE OF neighbourhood_id ON initiatives
FOR EACH ROW WHEN (NEW.neighbourhood_id IS DISTINCT FROM OLD.neighbourhood_id)
EXECUTE FUNCTION initiatives_entry_district()""",
    f"""CREATE FUNCTION neighbourhoods_entry_district() RETURNS trigger AS $$
BEGIN
    {MOVE_NEIGHBOURHOOD};
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER neighbourhoods_entry_district AFTER UPDATE OF district_id ON neighbourhoods
FOR EACH ROW WHEN (NEW.district_id IS DISTINCT FROM OLD.district_id)
EXECUTE FUNCTION neighbourhoods_entry_district()""",
]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # not batch_alter_table: recreating calendar_entries on SQLite would drop triggers on it
    op.add_column("calendar_entries", sa.Column("district_id", sa.Integer(), nullable=True))
    op.execute(
        f"UPDATE calendar_entries SET district_id = {_district_of('calendar_entries')} "
        "WHERE initiative_id IS NOT NULL"
    )
    for statement in POSTGRES if dialect == "postgresql" else sqlite_triggers():
        op.execute(statement)
    # a district coach's feed walks its stadsdeel's entries by date
    op.create_index(
        "ix_calendar_entries_district_date_id", "calendar_entries",
        ["district_id", "entry_date", "id"],
    )  # fmt: skip


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_calendar_entries_district_date_id", table_name="calendar_entries")
    if dialect == "postgresql":
        for table, name in (
            ("neighbourhoods", "neighbourhoods_entry_district"),
            ("initiatives", "initiatives_entry_district"),
            ("calendar_entries", "calendar_entries_district"),
        ):
            op.execute(f"DROP TRIGGER {name} ON {table}")
            op.execute(f"DROP FUNCTION {name}()")
    else:
        for name in (
            "neighbourhoods_entry_district", "initiatives_entry_district",
            "calendar_entries_district_update", "calendar_entries_district_insert",
        ):  # fmt: skip
            op.execute(f"DROP TRIGGER {name}")
    # not batch_alter_table: recreating calendar_entries on SQLite would drop triggers on it
    op.drop_column("calendar_entries", "district_id")
