"""Zelfbeheer: a volunteer asks another to swap turns; the turns change only when they agree.

Revision ID: 0009
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)
PENDING = sa.text("status = 'pending'")


def _fk(column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_maintenance_swaps_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "maintenance_swaps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("other_occurrence_id", sa.Integer(), nullable=True),
        sa.Column("proposer_id", sa.Integer(), nullable=False),
        sa.Column("recipient_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("closed_dt", UTC, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'accepted', 'declined', 'withdrawn', 'expired')",
            name=op.f("ck_maintenance_swaps_status"),
        ),
        sa.CheckConstraint(
            "proposer_id <> recipient_id", name=op.f("ck_maintenance_swaps_two_people")
        ),
        sa.CheckConstraint(
            "other_occurrence_id IS NULL OR other_occurrence_id <> occurrence_id",
            name=op.f("ck_maintenance_swaps_two_turns"),
        ),
        _fk("initiative_id", "initiatives"),
        _fk("task_id", "maintenance_tasks"),
        _fk("occurrence_id", "maintenance_occurrences"),
        _fk("other_occurrence_id", "maintenance_occurrences"),
        _fk("proposer_id", "people"),
        _fk("recipient_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_swaps")),
    )
    with op.batch_alter_table("maintenance_swaps", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maintenance_swaps_recipient_id"), ["recipient_id"])
        batch_op.create_index(
            "uq_maintenance_swaps_pending",
            ["occurrence_id"],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )
        batch_op.create_index(
            "ix_maintenance_swaps_pending",
            ["initiative_id"],
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )


def downgrade() -> None:
    op.drop_table("maintenance_swaps")
