"""Caseload counters: each initiative keeps the earliest due date of its open steps.

The caseload's "overdue" order and the stalled filter read a page of rows by an index instead
of the whole city. ``initiatives.earliest_open_due`` is the earliest due date of the
initiative's open steps (not done, not closed), ``9999-12-31`` when none has one: "overdue as
of today" is ``earliest_open_due < today``, so time passing changes nothing stored. The
database keeps it itself (a trigger on ``steps``), so no operation, bulk update or cascade can
forget it. The stalled filter walks a new index on (is_paused, last_activity_dt, id).

Revision ID: 0017
Revises: 0016
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

NONE = "9999-12-31"

_OPEN = "is_done = {false} AND closed_dt IS NULL AND due_date IS NOT NULL"


def _recompute(dialect: str, which: str) -> str:
    """The UPDATE that sets one initiative's kept date from its steps (``which``: NEW or OLD)."""
    false = "false" if dialect == "postgresql" else "0"
    none = f"DATE '{NONE}'" if dialect == "postgresql" else f"'{NONE}'"
    return (
        f"UPDATE initiatives SET earliest_open_due = (SELECT coalesce(min(due_date), {none}) "
        f"FROM steps WHERE initiative_id = {which}.initiative_id AND "
        f"{_OPEN.format(false=false)}) WHERE id = {which}.initiative_id"
    )


SQLITE_TRIGGERS = [
    # a new open dated step can only bring the date forward
    """CREATE TRIGGER steps_open_due_insert AFTER INSERT ON steps
    WHEN NEW.due_date IS NOT NULL AND NEW.is_done = 0 AND NEW.closed_dt IS NULL
    BEGIN
        UPDATE initiatives SET earliest_open_due = NEW.due_date
        WHERE id = NEW.initiative_id AND earliest_open_due > NEW.due_date;
    END""",
    f"""CREATE TRIGGER steps_open_due_update
    AFTER UPDATE OF due_date, is_done, closed_dt, initiative_id ON steps
    BEGIN
        {_recompute("sqlite", "NEW")};
        {_recompute("sqlite", "OLD")} AND OLD.initiative_id <> NEW.initiative_id;
    END""",
    f"""CREATE TRIGGER steps_open_due_delete AFTER DELETE ON steps
    WHEN OLD.due_date IS NOT NULL AND OLD.is_done = 0 AND OLD.closed_dt IS NULL
    BEGIN
        {_recompute("sqlite", "OLD")};
    END""",
]

POSTGRES_FUNCTION = f"""
CREATE FUNCTION steps_keep_open_due() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.due_date IS NOT NULL AND NOT NEW.is_done AND NEW.closed_dt IS NULL THEN
            UPDATE initiatives SET earliest_open_due = NEW.due_date
            WHERE id = NEW.initiative_id AND earliest_open_due > NEW.due_date;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW.due_date IS NOT DISTINCT FROM OLD.due_date AND NEW.is_done = OLD.is_done
           AND (NEW.closed_dt IS NULL) = (OLD.closed_dt IS NULL)
           AND NEW.initiative_id = OLD.initiative_id THEN
            RETURN NULL;
        END IF;
        {_recompute("postgresql", "NEW")};
        IF NEW.initiative_id = OLD.initiative_id THEN
            RETURN NULL;
        END IF;
    END IF;
    IF OLD.due_date IS NOT NULL AND NOT OLD.is_done AND OLD.closed_dt IS NULL THEN
        {_recompute("postgresql", "OLD")};
    END IF;
    RETURN NULL;
END
$$ LANGUAGE plpgsql"""

POSTGRES_TRIGGER = """
CREATE TRIGGER steps_open_due AFTER INSERT OR DELETE OR UPDATE OF
    due_date, is_done, closed_dt, initiative_id ON steps
FOR EACH ROW EXECUTE FUNCTION steps_keep_open_due()"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("earliest_open_due", sa.Date(), nullable=False, server_default=NONE)
        )
    # the backfill: every initiative's date from its steps as they stand
    false = "false" if dialect == "postgresql" else "0"
    none = f"DATE '{NONE}'" if dialect == "postgresql" else f"'{NONE}'"
    op.execute(
        f"UPDATE initiatives SET earliest_open_due = (SELECT coalesce(min(due_date), {none}) "
        f"FROM steps WHERE steps.initiative_id = initiatives.id AND {_OPEN.format(false=false)})"
    )
    if dialect == "postgresql":
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)
    else:
        for statement in SQLITE_TRIGGERS:
            op.execute(statement)
    op.create_index("ix_initiatives_open_due", "initiatives", ["earliest_open_due", "id"])
    op.create_index(
        "ix_initiatives_paused_activity", "initiatives", ["is_paused", "last_activity_dt", "id"]
    )


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_initiatives_paused_activity", table_name="initiatives")
    op.drop_index("ix_initiatives_open_due", table_name="initiatives")
    if dialect == "postgresql":
        op.execute("DROP TRIGGER steps_open_due ON steps")
        op.execute("DROP FUNCTION steps_keep_open_due()")
    else:
        for name in ("insert", "update", "delete"):
            op.execute(f"DROP TRIGGER steps_open_due_{name}")
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.drop_column("earliest_open_due")
