"""The overview's "answered on time" from a kept table, and a district coach's feed without
probing the city's initiatives for each calendar entry.

* each support request keeps the local date it was answered (``answered_on``, set by the
  operation that answers it, which knows the city's time zone): answered on time when that
  date is not after its respond-by date;
* ``answer_tallies`` keeps, per neighbourhood, the number of requests answered on time, answered
  late, and still waiting by their respond-by date (triggers on ``support_requests``). Answered
  requests are counted under the date ``9999-12-31`` (their respond-by no longer matters), so
  the table holds two rows per neighbourhood plus one per respond-by date of the requests
  still waiting; whether a waiting one is late is decided when the overview reads it.

* each calendar entry keeps the stadsdeel of its initiative (``district_id``, null for an
  entry of no initiative; kept by triggers on ``calendar_entries`` and ``initiatives``), and the
  index a feed walks by date carries it and what a feed's conditions read: a district coach's
  feed walks that index alone, matching each entry against the coach's few districts,
  initiatives and memberships read once, never an initiative or neighbourhood per entry.

A later SQLite ``batch_alter_table`` that recreates ``support_requests``, ``calendar_entries``
or ``initiatives`` drops these triggers (and 0025's): such a migration must create them again.

Revision ID: 0031
Revises: 0030
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

ANSWERED = "9999-12-31"
WAITING = "status IN ('submitted', 'acknowledged')"


def _outcome(row: str) -> str:
    return (
        f"CASE WHEN {row}.answered_on IS NOT NULL THEN CASE WHEN {row}.answered_on > "
        f"{row}.respond_by_date THEN 'late' ELSE 'on_time' END "
        f"WHEN {row}.{WAITING} THEN 'waiting' END"
    )


def _tally(dialect: str, row: str, delta: str) -> str:
    """The UPSERT that counts one request (``row``: NEW or OLD) ``delta`` times."""
    answered = f"DATE '{ANSWERED}'" if dialect == "postgresql" else f"'{ANSWERED}'"
    return (
        "INSERT INTO answer_tallies (neighbourhood_id, respond_by_date, outcome, requests) "
        f"SELECT i.neighbourhood_id, CASE WHEN {row}.answered_on IS NOT NULL THEN {answered} "
        f"ELSE {row}.respond_by_date END, {_outcome(row)}, {delta} "
        f"FROM initiatives i WHERE i.id = {row}.initiative_id "
        f"AND {row}.respond_by_date IS NOT NULL AND ({_outcome(row)}) IS NOT NULL "
        "ON CONFLICT (neighbourhood_id, respond_by_date, outcome) "
        f"DO UPDATE SET requests = answer_tallies.requests + {delta}"
    )


COLUMNS = "status, respond_by_date, answered_on, initiative_id"


_DISTRICT_OF = (
    "(SELECT n.district_id FROM initiatives i JOIN neighbourhoods n ON n.id = i.neighbourhood_id "
    "WHERE i.id = {initiative})"
)
#: the feed's walk by date: every column its conditions read, so it reads the index alone
FEED_INDEX = ["entry_date", "id", "district_id", "initiative_id", "is_cancelled", "updated_dt"]


def sqlite_triggers() -> list[str]:
    entry = _DISTRICT_OF.format(initiative="NEW.initiative_id")
    return [
        f"""CREATE TRIGGER calendar_entries_district_insert AFTER INSERT ON calendar_entries
        WHEN NEW.initiative_id IS NOT NULL
        BEGIN UPDATE calendar_entries SET district_id = {entry} WHERE id = NEW.id; END""",
        f"""CREATE TRIGGER calendar_entries_district_update
        AFTER UPDATE OF initiative_id ON calendar_entries
        BEGIN UPDATE calendar_entries SET district_id = {entry} WHERE id = NEW.id; END""",
        f"""CREATE TRIGGER initiatives_entries_district
        AFTER UPDATE OF neighbourhood_id ON initiatives
        WHEN NEW.neighbourhood_id <> OLD.neighbourhood_id
        BEGIN UPDATE calendar_entries SET district_id = {_DISTRICT_OF.format(initiative="NEW.id")}
        WHERE initiative_id = NEW.id; END""",
        f"""CREATE TRIGGER support_requests_tally_insert AFTER INSERT ON support_requests
        BEGIN {_tally("sqlite", "NEW", "1")}; END""",
        f"""CREATE TRIGGER support_requests_tally_update
        AFTER UPDATE OF {COLUMNS} ON support_requests
        BEGIN {_tally("sqlite", "OLD", "-1")}; {_tally("sqlite", "NEW", "1")}; END""",
        f"""CREATE TRIGGER support_requests_tally_delete AFTER DELETE ON support_requests
        BEGIN {_tally("sqlite", "OLD", "-1")}; END""",
    ]


POSTGRES = [
    f"""CREATE FUNCTION calendar_entries_district() RETURNS trigger AS $$
BEGIN
    NEW.district_id := {_DISTRICT_OF.format(initiative="NEW.initiative_id")};
    RETURN NEW;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER calendar_entries_district BEFORE INSERT OR UPDATE OF initiative_id
    ON calendar_entries FOR EACH ROW EXECUTE FUNCTION calendar_entries_district()""",
    f"""CREATE FUNCTION initiatives_entries_district() RETURNS trigger AS $$
BEGIN
    IF NEW.neighbourhood_id <> OLD.neighbourhood_id THEN
        UPDATE calendar_entries SET district_id = {_DISTRICT_OF.format(initiative="NEW.id")}
        WHERE initiative_id = NEW.id;
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER initiatives_entries_district AFTER UPDATE OF neighbourhood_id
    ON initiatives FOR EACH ROW EXECUTE FUNCTION initiatives_entries_district()""",
    f"""CREATE FUNCTION support_requests_tally() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_tally("postgresql", "OLD", "-1")};
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {_tally("postgresql", "NEW", "1")};
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    f"""CREATE TRIGGER support_requests_tally AFTER INSERT OR DELETE OR UPDATE OF
    {COLUMNS} ON support_requests
FOR EACH ROW EXECUTE FUNCTION support_requests_tally()""",
]


def _backfill_answered_on(dialect: str) -> None:
    """The local answered date in the configured time zone (as the operation sets it)."""
    from engine.config import DEFAULT_TIMEZONE
    from engine.timeutil import local_date

    conn = op.get_bind()
    rows = conn.execute(
        sa.text("SELECT id, answered_dt FROM support_requests WHERE answered_dt IS NOT NULL")
    ).all()
    update = sa.text("UPDATE support_requests SET answered_on = :on WHERE id = :id")
    batch = []
    for request_id, answered in rows:
        if isinstance(answered, str):
            answered = datetime.fromisoformat(answered)
        if answered.tzinfo is None:
            answered = answered.replace(tzinfo=UTC)
        batch.append({"id": request_id, "on": local_date(answered, DEFAULT_TIMEZONE)})
        if len(batch) >= 5000:
            conn.execute(update, batch)
            batch = []
    if batch:
        conn.execute(update, batch)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    # not batch_alter_table: recreating support_requests on SQLite drops 0025's triggers
    op.add_column("support_requests", sa.Column("answered_on", sa.Date(), nullable=True))
    op.create_table(
        "answer_tallies",
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("respond_by_date", sa.Date(), nullable=False),
        sa.Column("outcome", sa.String(length=10), nullable=False),
        sa.Column("requests", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["neighbourhood_id"],
            ["neighbourhoods.id"],
            name=op.f("fk_answer_tallies_neighbourhood_id_neighbourhoods"),
        ),  # fmt: skip
        sa.PrimaryKeyConstraint(
            "neighbourhood_id", "respond_by_date", "outcome", name=op.f("pk_answer_tallies")
        ),
    )
    _backfill_answered_on(dialect)
    answered = f"DATE '{ANSWERED}'" if dialect == "postgresql" else f"'{ANSWERED}'"
    op.execute(
        "INSERT INTO answer_tallies (neighbourhood_id, respond_by_date, outcome, requests) "
        "SELECT neighbourhood_id, day, outcome, count(*) FROM ("
        f"SELECT i.neighbourhood_id, CASE WHEN r.answered_on IS NOT NULL THEN {answered} "
        f"ELSE r.respond_by_date END AS day, {_outcome('r')} AS outcome "
        "FROM support_requests r JOIN initiatives i ON i.id = r.initiative_id "
        "WHERE r.respond_by_date IS NOT NULL) AS counted "
        "WHERE outcome IS NOT NULL GROUP BY neighbourhood_id, day, outcome"
    )
    # not batch_alter_table: recreating calendar_entries on SQLite would need its indexes again
    op.add_column("calendar_entries", sa.Column("district_id", sa.Integer(), nullable=True))
    op.execute(
        "UPDATE calendar_entries SET district_id = "
        + _DISTRICT_OF.format(initiative="calendar_entries.initiative_id")
        + " WHERE initiative_id IS NOT NULL"
    )
    op.drop_index("ix_calendar_entries_date_id", table_name="calendar_entries")
    op.create_index("ix_calendar_entries_date_id", "calendar_entries", FEED_INDEX)
    for statement in POSTGRES if dialect == "postgresql" else sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER support_requests_tally ON support_requests")
        op.execute("DROP FUNCTION support_requests_tally()")
        op.execute("DROP TRIGGER initiatives_entries_district ON initiatives")
        op.execute("DROP FUNCTION initiatives_entries_district()")
        op.execute("DROP TRIGGER calendar_entries_district ON calendar_entries")
        op.execute("DROP FUNCTION calendar_entries_district()")
    else:
        for name in ("delete", "update", "insert"):
            op.execute(f"DROP TRIGGER support_requests_tally_{name}")
        for name in ("initiatives_entries_district", "calendar_entries_district_update",
                     "calendar_entries_district_insert"):  # fmt: skip
            op.execute(f"DROP TRIGGER {name}")
    op.drop_index("ix_calendar_entries_date_id", table_name="calendar_entries")
    op.create_index("ix_calendar_entries_date_id", "calendar_entries", ["entry_date", "id"])
    op.drop_column("calendar_entries", "district_id")
    op.drop_table("answer_tallies")
    # not batch_alter_table: recreating support_requests on SQLite drops 0025's triggers
    op.drop_column("support_requests", "answered_on")
