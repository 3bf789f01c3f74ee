"""Support requests in full, coach assignments, notes and concerns.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)
KINDS = "kind IN ('advice', 'permit', 'funding', 'works', 'materials', 'right_to_challenge')"
ONE_TARGET = (
    "(initiative_id IS NULL AND district_id IS NOT NULL) OR "
    "(initiative_id IS NOT NULL AND district_id IS NULL)"
)


def _support_request_columns() -> None:
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.add_column(sa.Column("respond_by_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("assigned_to_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("answer", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("delivered_note", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("withdraw_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("acknowledged_dt", UTC, nullable=True))
        batch_op.add_column(sa.Column("answered_dt", UTC, nullable=True))
        batch_op.add_column(sa.Column("answered_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("delivered_dt", UTC, nullable=True))
        batch_op.add_column(sa.Column("withdrawn_dt", UTC, nullable=True))
        batch_op.add_column(sa.Column("updated_dt", UTC, nullable=True))
        # existing rows start at version 1; the default is dropped again below
        batch_op.add_column(
            sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_support_requests_assigned_to_id_people"),
            "people",
            ["assigned_to_id"],
            ["id"],
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_support_requests_answered_by_id_people"),
            "people",
            ["answered_by_id"],
            ["id"],
        )
        batch_op.create_check_constraint(batch_op.f("ck_support_requests_kind"), KINDS)
        batch_op.create_index(
            "ix_support_requests_initiative_status",
            ["initiative_id", "status", "respond_by_date"],
            unique=False,
        )
        batch_op.create_index(
            "ix_support_requests_status_respond", ["status", "respond_by_date"], unique=False
        )
    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.alter_column("version", existing_type=sa.Integer(), server_default=None)


def _coach_tables() -> None:
    op.create_table(
        "coach_assignments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coach_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("district_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint(ONE_TARGET, name=op.f("ck_coach_assignments_one_target")),
        sa.ForeignKeyConstraint(
            ["coach_id"], ["people.id"], name=op.f("fk_coach_assignments_coach_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["people.id"], name=op.f("fk_coach_assignments_created_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["district_id"],
            ["districts.id"],
            name=op.f("fk_coach_assignments_district_id_districts"),
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_coach_assignments_initiative_id_initiatives"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_assignments")),
        sa.UniqueConstraint(
            "coach_id", "district_id", name=op.f("uq_coach_assignments_coach_id_district_id")
        ),
        sa.UniqueConstraint(
            "coach_id", "initiative_id", name=op.f("uq_coach_assignments_coach_id_initiative_id")
        ),
    )
    with op.batch_alter_table("coach_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coach_assignments_coach_id"), ["coach_id"])
        batch_op.create_index(batch_op.f("ix_coach_assignments_district_id"), ["district_id"])
        batch_op.create_index(batch_op.f("ix_coach_assignments_initiative_id"), ["initiative_id"])

    op.create_table(
        "coach_notes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_dt", UTC, nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("fk_coach_notes_author_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_coach_notes_initiative_id_initiatives"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coach_notes")),
    )
    with op.batch_alter_table("coach_notes", schema=None) as batch_op:
        batch_op.create_index(
            "ix_coach_notes_initiative_created", ["initiative_id", "created_dt"], unique=False
        )

    op.create_table(
        "concerns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("raised_by_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("raised_dt", UTC, nullable=False),
        sa.Column("cleared_dt", UTC, nullable=True),
        sa.Column("cleared_by_id", sa.Integer(), nullable=True),
        sa.Column("clear_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["cleared_by_id"], ["people.id"], name=op.f("fk_concerns_cleared_by_id_people")
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_concerns_initiative_id_initiatives"),
        ),
        sa.ForeignKeyConstraint(
            ["raised_by_id"], ["people.id"], name=op.f("fk_concerns_raised_by_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_concerns")),
    )
    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.create_index(
            "uq_concerns_live",
            ["initiative_id"],
            unique=True,
            sqlite_where=sa.text("cleared_dt IS NULL"),
            postgresql_where=sa.text("cleared_dt IS NULL"),
        )


def upgrade() -> None:
    _support_request_columns()
    _coach_tables()
    # what the caseload and the city overview read on other concepts' tables
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.create_index(
            "ix_steps_initiative_open_due", ["initiative_id", "is_done", "due_date"], unique=False
        )
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_events_transitions",
            ["initiative_id", "created_dt"],
            unique=False,
            sqlite_where=sa.text("kind = 'transition'"),
            postgresql_where=sa.text("kind = 'transition'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("events", schema=None) as batch_op:
        batch_op.drop_index("ix_events_transitions")
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_index("ix_steps_initiative_open_due")

    with op.batch_alter_table("concerns", schema=None) as batch_op:
        batch_op.drop_index("uq_concerns_live")
    op.drop_table("concerns")
    with op.batch_alter_table("coach_notes", schema=None) as batch_op:
        batch_op.drop_index("ix_coach_notes_initiative_created")
    op.drop_table("coach_notes")
    with op.batch_alter_table("coach_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coach_assignments_initiative_id"))
        batch_op.drop_index(batch_op.f("ix_coach_assignments_district_id"))
        batch_op.drop_index(batch_op.f("ix_coach_assignments_coach_id"))
    op.drop_table("coach_assignments")

    with op.batch_alter_table("support_requests", schema=None) as batch_op:
        batch_op.drop_index("ix_support_requests_status_respond")
        batch_op.drop_index("ix_support_requests_initiative_status")
        batch_op.drop_constraint(batch_op.f("ck_support_requests_kind"), type_="check")
        batch_op.drop_constraint(
            batch_op.f("fk_support_requests_answered_by_id_people"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_support_requests_assigned_to_id_people"), type_="foreignkey"
        )
        for column in (
            "version",
            "updated_dt",
            "withdrawn_dt",
            "delivered_dt",
            "answered_by_id",
            "answered_dt",
            "acknowledged_dt",
            "withdraw_reason",
            "delivered_note",
            "answer",
            "assigned_to_id",
            "respond_by_date",
        ):
            batch_op.drop_column(column)
