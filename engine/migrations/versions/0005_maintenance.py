"""Zelfbeheer: association members, agreement, recurring tasks, rota, log.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    with op.batch_alter_table("associations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("updated_dt", UTC, nullable=True))
        batch_op.create_check_constraint(
            op.f("ck_associations_kvk_number"), "kvk_number IS NULL OR length(kvk_number) = 8"
        )

    op.create_table(
        "association_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("board_role", sa.String(length=20), nullable=True),
        sa.Column("joined_dt", UTC, nullable=False),
        sa.CheckConstraint(
            "board_role IS NULL OR board_role IN ('chair', 'secretary', 'treasurer', 'board')",
            name=op.f("ck_association_members_board_role"),
        ),
        _fk("association_members", "association_id", "associations"),
        _fk("association_members", "person_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_association_members")),
        sa.UniqueConstraint(
            "association_id",
            "person_id",
            name=op.f("uq_association_members_association_id_person_id"),
        ),
    )
    with op.batch_alter_table("association_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_association_members_association_id"), ["association_id"]
        )
        batch_op.create_index(batch_op.f("ix_association_members_person_id"), ["person_id"])

    op.create_table(
        "maintenance_agreements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("association_id", sa.Integer(), nullable=False),
        sa.Column("association_duties", sa.Text(), nullable=False),
        sa.Column("municipality_duties", sa.Text(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("review_date", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("last_reviewed_on", sa.Date(), nullable=True),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("confirmed_dt", UTC, nullable=True),
        sa.Column("confirmed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("updated_dt", UTC, nullable=False),
        sa.CheckConstraint(
            "status IN ('active', 'ended')", name=op.f("ck_maintenance_agreements_status")
        ),
        _fk("maintenance_agreements", "association_id", "associations"),
        _fk("maintenance_agreements", "confirmed_by_id", "people"),
        _fk("maintenance_agreements", "created_by_id", "people"),
        _fk("maintenance_agreements", "initiative_id", "initiatives"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_agreements")),
    )
    with op.batch_alter_table("maintenance_agreements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_maintenance_agreements_initiative_id"), ["initiative_id"]
        )
        batch_op.create_index(batch_op.f("ix_maintenance_agreements_review_date"), ["review_date"])
        batch_op.create_index(
            "uq_maintenance_agreements_active",
            ["initiative_id"],
            unique=True,
            sqlite_where=sa.text("status = 'active'"),
            postgresql_where=sa.text("status = 'active'"),
        )

    op.create_table(
        "maintenance_tasks",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("rrule", sa.String(length=500), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=True),
        sa.Column("materialised_until", sa.Date(), nullable=True),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        _fk("maintenance_tasks", "created_by_id", "people"),
        _fk("maintenance_tasks", "initiative_id", "initiatives"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_tasks")),
    )
    with op.batch_alter_table("maintenance_tasks", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maintenance_tasks_initiative_id"), ["initiative_id"])
        batch_op.create_index(
            batch_op.f("ix_maintenance_tasks_materialised_until"), ["materialised_until"]
        )

    op.create_table(
        "maintenance_rota_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("joined_dt", UTC, nullable=False),
        sa.Column("left_dt", UTC, nullable=True),
        _fk("maintenance_rota_members", "person_id", "people"),
        _fk("maintenance_rota_members", "task_id", "maintenance_tasks"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_rota_members")),
        sa.UniqueConstraint(
            "task_id", "person_id", name=op.f("uq_maintenance_rota_members_task_id_person_id")
        ),
    )
    with op.batch_alter_table("maintenance_rota_members", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maintenance_rota_members_task_id"), ["task_id"])

    op.create_table(
        "maintenance_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("resolved_dt", UTC, nullable=True),
        sa.Column("resolved_by_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", UTC, nullable=False),
        sa.CheckConstraint(
            "status IN ('planned', 'done', 'missed', 'skipped', 'cancelled')",
            name=op.f("ck_maintenance_occurrences_status"),
        ),
        _fk("maintenance_occurrences", "assignee_id", "people"),
        _fk("maintenance_occurrences", "initiative_id", "initiatives"),
        _fk("maintenance_occurrences", "resolved_by_id", "people"),
        _fk("maintenance_occurrences", "task_id", "maintenance_tasks"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_maintenance_occurrences")),
        sa.UniqueConstraint(
            "task_id", "due_date", name=op.f("uq_maintenance_occurrences_task_id_due_date")
        ),
    )
    with op.batch_alter_table("maintenance_occurrences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_maintenance_occurrences_assignee_id"), ["assignee_id"])
        batch_op.create_index(
            "ix_maintenance_occurrences_initiative_due", ["initiative_id", "due_date"]
        )
        batch_op.create_index(
            "ix_maintenance_occurrences_planned",
            ["due_date"],
            sqlite_where=sa.text("status = 'planned'"),
            postgresql_where=sa.text("status = 'planned'"),
        )


def downgrade() -> None:
    op.drop_table("maintenance_occurrences")
    op.drop_table("maintenance_rota_members")
    op.drop_table("maintenance_tasks")
    op.drop_table("maintenance_agreements")
    op.drop_table("association_members")
    with op.batch_alter_table("associations", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_associations_kvk_number"), type_="check")
        batch_op.drop_column("updated_dt")
