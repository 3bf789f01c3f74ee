"""The overview's "answered on time" from a kept table, not every support request of the city.

* each support request keeps the local date it was answered (``answered_on``, set by the
  operation that answers it, which knows the city's time zone): answered on time when that
  date is not after its respond-by date;
* ``answer_tallies`` keeps, per neighbourhood, the number of requests answered on time, answered
  late, and still waiting by their respond-by date (triggers on ``support_requests``). Answered
  requests are counted under the date ``9999-12-31`` (their respond-by no longer matters), so
  the table holds two rows per neighbourhood plus one per respond-by date of the requests
  still waiting; whether a waiting one is late is decided when the overview reads it.

A later SQLite ``batch_alter_table`` that recreates ``support_requests`` drops these triggers
(and 0025's): such a migration must create them again.

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


def sqlite_triggers() -> list[str]:
    return [
        f"""CREATE TRIGGER support_requests_tally_insert AFTER INSERT ON support_requests
        BEGIN {_tally("sqlite", "NEW", "1")}; END""",
        f"""CREATE TRIGGER support_requests_tally_update
        AFTER UPDATE OF {COLUMNS} ON support_requests
        BEGIN {_tally("sqlite", "OLD", "-1")}; {_tally("sqlite", "NEW", "1")}; END""",
        f"""CREATE TRIGGER support_requests_tally_delete AFTER DELETE ON support_requests
        BEGIN {_tally("sqlite", "OLD", "-1")}; END""",
    ]


POSTGRES = [
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
    for statement in POSTGRES if dialect == "postgresql" else sqlite_triggers():
        op.execute(statement)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER support_requests_tally ON support_requests")
        op.execute("DROP FUNCTION support_requests_tally()")
    else:
        for name in ("delete", "update", "insert"):
            op.execute(f"DROP TRIGGER support_requests_tally_{name}")
    op.drop_table("answer_tallies")
    # not batch_alter_table: recreating support_requests on SQLite drops 0025's triggers
    op.drop_column("support_requests", "answered_on")
