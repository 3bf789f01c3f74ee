"""City-scale pages read a few rows: kept figures for the caseload's sorts and the overview.

* a calendar feed walks its window's entries by date (index on entry_date, id);
* the caseload's sorts by stage and by days in the stage walk new indexes, and the index the
  stalled filter walks carries the stage too (its count of stalled initiatives, capped, reads
  that index alone);
* each initiative keeps its number of waiting support requests and their earliest respond-by
  date (``9999-12-31`` when none waits), so the sorts by them walk an index instead of counting
  every initiative's requests; the database keeps both (triggers on ``support_requests``);
* ``stage_counts`` keeps the number of initiatives per neighbourhood, template version and
  stage (triggers on ``initiatives``), and ``stage_stays`` the number of finished stays per
  template version, stage and length in tenths of a day (a trigger on ``events``: a
  ``transition`` ends the stay that began at the previous one, or at the initiative's
  creation). The coach overview reads these instead of every initiative and all history.

The triggers are on ``support_requests``, ``initiatives`` and ``events``; a later SQLite
``batch_alter_table`` that recreates one of those tables drops its triggers (as it would drop
0017's on ``steps``): such a migration must create them again.

Revision ID: 0025
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

revision = "0025"
down_revision = "0023"
branch_labels = None
depends_on = None

NONE = "9999-12-31"
WAITING = "status IN ('submitted', 'acknowledged')"


def _keep_requests(dialect: str, which: str) -> str:
    """The UPDATE that sets one initiative's kept request figures (``which``: NEW or OLD)."""
    none = f"DATE '{NONE}'" if dialect == "postgresql" else f"'{NONE}'"
    of = f"FROM support_requests WHERE initiative_id = {which}.initiative_id AND {WAITING}"
    return (
        f"UPDATE initiatives SET waiting_requests = (SELECT count(*) {of}), "
        f"earliest_respond_by = (SELECT coalesce(min(respond_by_date), {none}) {of}) "
        f"WHERE id = {which}.initiative_id"
    )


def _count(which: str, delta: str) -> str:
    return (
        "INSERT INTO stage_counts (neighbourhood_id, workflow_version_id, state, initiatives) "
        f"VALUES ({which}.neighbourhood_id, {which}.workflow_version_id, {which}.state, {delta}) "
        "ON CONFLICT (neighbourhood_id, workflow_version_id, state) "
        f"DO UPDATE SET initiatives = stage_counts.initiatives + {delta}"
    )


def _tenths(dialect: str, start: str, end: str) -> str:
    if dialect == "postgresql":
        return f"greatest(0, round(extract(epoch from ({end} - {start})) / 8640.0))::integer"
    return f"max(0, CAST(round((julianday({end}) - julianday({start})) * 10) AS INTEGER))"


def _stay(dialect: str) -> str:
    """The INSERT that counts the stay a new transition event ends."""
    previous = (
        "(SELECT e.created_dt FROM events e WHERE e.initiative_id = NEW.initiative_id "
        "AND e.kind = 'transition' AND e.id <> NEW.id AND (e.created_dt < NEW.created_dt OR "
        "(e.created_dt = NEW.created_dt AND e.id < NEW.id)) "
        "ORDER BY e.created_dt DESC, e.id DESC LIMIT 1)"
    )
    tenths = _tenths(dialect, f"coalesce({previous}, i.created_dt)", "NEW.created_dt")
    return (
        "INSERT INTO stage_stays (workflow_version_id, stage_key, tenths, stays) "
        f"SELECT i.workflow_version_id, coalesce(NEW.from_stage, ''), {tenths}, 1 "
        "FROM initiatives i WHERE i.id = NEW.initiative_id AND 1 = 1 "
        "ON CONFLICT (workflow_version_id, stage_key, tenths) "
        "DO UPDATE SET stays = stage_stays.stays + 1"
    )


def sqlite_triggers() -> list[str]:
    return [
        f"""CREATE TRIGGER support_requests_kept_insert AFTER INSERT ON support_requests
        WHEN NEW.{WAITING}
        BEGIN {_keep_requests("sqlite", "NEW")}; END""",
        f"""CREATE TRIGGER support_requests_kept_update
        AFTER UPDATE OF status, respond_by_date, initiative_id ON support_requests
        BEGIN
            {_keep_requests("sqlite", "NEW")};
            {_keep_requests("sqlite", "OLD")} AND OLD.initiative_id <> NEW.initiative_id;
        END""",
        f"""CREATE TRIGGER support_requests_kept_delete AFTER DELETE ON support_requests
        WHEN OLD.{WAITING}
        BEGIN {_keep_requests("sqlite", "OLD")}; END""",
        f"""CREATE TRIGGER initiatives_stage_count_insert AFTER INSERT ON initiatives
        BEGIN {_count("NEW", "1")}; END""",
        f"""CREATE TRIGGER initiatives_stage_count_update
        AFTER UPDATE OF neighbourhood_id, workflow_version_id, state ON initiatives
        WHEN NEW.neighbourhood_id <> OLD.neighbourhood_id OR NEW.state <> OLD.state
          OR NEW.workflow_version_id <> OLD.workflow_version_id
        BEGIN {_count("OLD", "-1")}; {_count("NEW", "1")}; END""",
        f"""CREATE TRIGGER initiatives_stage_count_delete AFTER DELETE ON initiatives
        BEGIN {_count("OLD", "-1")}; END""",
        f"""CREATE TRIGGER events_stage_stay AFTER INSERT ON events
        WHEN NEW.kind = 'transition'
        BEGIN {_stay("sqlite")}; END""",
    ]


POSTGRES = [
    f"""CREATE FUNCTION support_requests_keep() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_keep_requests("postgresql", "NEW")};
    END IF;
    IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND OLD.initiative_id <> NEW.initiative_id) THEN
        {_keep_requests("postgresql", "OLD")};
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER support_requests_kept AFTER INSERT OR DELETE OR UPDATE OF
    status, respond_by_date, initiative_id ON support_requests
FOR EACH ROW EXECUTE FUNCTION support_requests_keep()""",
    f"""CREATE FUNCTION initiatives_count_stage() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND NEW.neighbourhood_id = OLD.neighbourhood_id
       AND NEW.workflow_version_id = OLD.workflow_version_id AND NEW.state = OLD.state THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_count("OLD", "-1")};
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        {_count("NEW", "1")};
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER initiatives_stage_count AFTER INSERT OR DELETE OR UPDATE OF
    neighbourhood_id, workflow_version_id, state ON initiatives
FOR EACH ROW EXECUTE FUNCTION initiatives_count_stage()""",
    f"""CREATE FUNCTION events_count_stay() RETURNS trigger AS $$
BEGIN
    IF NEW.kind = 'transition' THEN
        {_stay("postgresql")};
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql""",
    """CREATE TRIGGER events_stage_stay AFTER INSERT ON events
FOR EACH ROW EXECUTE FUNCTION events_count_stay()""",
]


def _backfill(dialect: str) -> None:
    none = f"DATE '{NONE}'" if dialect == "postgresql" else f"'{NONE}'"
    of = f"FROM support_requests r WHERE r.initiative_id = initiatives.id AND r.{WAITING}"
    op.execute(
        f"UPDATE initiatives SET waiting_requests = (SELECT count(*) {of}), "
        f"earliest_respond_by = (SELECT coalesce(min(r.respond_by_date), {none}) {of}) "
        f"WHERE EXISTS (SELECT 1 {of})"
    )
    op.execute(
        "INSERT INTO stage_counts (neighbourhood_id, workflow_version_id, state, initiatives) "
        "SELECT neighbourhood_id, workflow_version_id, state, count(*) FROM initiatives "
        "GROUP BY neighbourhood_id, workflow_version_id, state"
    )
    entered = (
        "coalesce(lag(e.created_dt) OVER (PARTITION BY e.initiative_id "
        "ORDER BY e.created_dt, e.id), i.created_dt)"
    )
    op.execute(
        "INSERT INTO stage_stays (workflow_version_id, stage_key, tenths, stays) "
        "SELECT version, stage_key, tenths, count(*) FROM ("
        f"SELECT i.workflow_version_id AS version, coalesce(e.from_stage, '') AS stage_key, "
        f"{_tenths(dialect, entered, 'e.created_dt')} AS tenths "
        "FROM events e JOIN initiatives i ON i.id = e.initiative_id "
        "WHERE e.kind = 'transition') AS stays GROUP BY version, stage_key, tenths"
    )


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.add_column(
        "initiatives",
        sa.Column("waiting_requests", sa.Integer(), nullable=False, server_default="0"),
    )
    op.add_column(
        "initiatives",
        sa.Column("earliest_respond_by", sa.Date(), nullable=False, server_default=NONE),
    )
    op.create_table(
        "stage_counts",
        sa.Column("neighbourhood_id", sa.Integer(), nullable=False),
        sa.Column("workflow_version_id", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=100), nullable=False),
        sa.Column("initiatives", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["neighbourhood_id"],
            ["neighbourhoods.id"],
            name=op.f("fk_stage_counts_neighbourhood_id_neighbourhoods"),
        ),  # fmt: skip
        sa.ForeignKeyConstraint(
            ["workflow_version_id"],
            ["workflow_versions.id"],
            name=op.f("fk_stage_counts_workflow_version_id_workflow_versions"),
        ),  # fmt: skip
        sa.PrimaryKeyConstraint(
            "neighbourhood_id", "workflow_version_id", "state", name=op.f("pk_stage_counts")
        ),
    )
    op.create_table(
        "stage_stays",
        sa.Column("workflow_version_id", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(length=100), nullable=False),
        sa.Column("tenths", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("stays", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["workflow_version_id"],
            ["workflow_versions.id"],
            name=op.f("fk_stage_stays_workflow_version_id_workflow_versions"),
        ),  # fmt: skip
        sa.PrimaryKeyConstraint(
            "workflow_version_id", "stage_key", "tenths", name=op.f("pk_stage_stays")
        ),
    )
    _backfill(dialect)
    for statement in POSTGRES if dialect == "postgresql" else sqlite_triggers():
        op.execute(statement)
    op.create_index("ix_initiatives_state_id", "initiatives", ["state", "id"])
    # a feed walks its window's entries by date, a page at a time
    op.create_index("ix_calendar_entries_date_id", "calendar_entries", ["entry_date", "id"])
    # the stalled filter's index also carries the stage: its count reads the index alone
    op.drop_index("ix_initiatives_paused_activity", table_name="initiatives")
    op.create_index(
        "ix_initiatives_paused_activity", "initiatives",
        ["is_paused", "last_activity_dt", "id", "workflow_version_id", "state"],
    )  # fmt: skip
    op.create_index("ix_initiatives_stage_entered_id", "initiatives", ["stage_entered_dt", "id"])
    op.create_index("ix_initiatives_waiting_id", "initiatives", ["waiting_requests", "id"])
    op.create_index("ix_initiatives_respond_by_id", "initiatives", ["earliest_respond_by", "id"])


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for name in ("respond_by", "waiting", "stage_entered", "state"):
        op.drop_index(f"ix_initiatives_{name}_id", table_name="initiatives")
    op.drop_index("ix_calendar_entries_date_id", table_name="calendar_entries")
    op.drop_index("ix_initiatives_paused_activity", table_name="initiatives")
    op.create_index(
        "ix_initiatives_paused_activity", "initiatives", ["is_paused", "last_activity_dt", "id"]
    )
    if dialect == "postgresql":
        op.execute("DROP TRIGGER events_stage_stay ON events")
        op.execute("DROP FUNCTION events_count_stay()")
        op.execute("DROP TRIGGER initiatives_stage_count ON initiatives")
        op.execute("DROP FUNCTION initiatives_count_stage()")
        op.execute("DROP TRIGGER support_requests_kept ON support_requests")
        op.execute("DROP FUNCTION support_requests_keep()")
    else:
        for name in (
            "events_stage_stay", "initiatives_stage_count_delete",
            "initiatives_stage_count_update", "initiatives_stage_count_insert",
            "support_requests_kept_delete", "support_requests_kept_update",
            "support_requests_kept_insert",
        ):  # fmt: skip
            op.execute(f"DROP TRIGGER {name}")
    op.drop_table("stage_stays")
    op.drop_table("stage_counts")
    # not batch_alter_table: recreating initiatives on SQLite breaks 0017's triggers on steps
    op.drop_column("initiatives", "earliest_respond_by")
    op.drop_column("initiatives", "waiting_requests")
