"""Meetings with the neighbourhood (time, place, capacity, answers, minutes), residents who
support the plan, and calendar entries with a time and a place.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str, **kwargs):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), **kwargs
    )


def upgrade() -> None:
    op.create_table(
        "meetings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("start_dt", UTC, nullable=False),
        sa.Column("end_dt", UTC, nullable=False),
        sa.Column("place", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=True),
        sa.Column("accessibility", sa.Text(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("cancelled_dt", UTC, nullable=True),
        sa.Column("minutes_document_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("end_dt > start_dt", name=op.f("ck_meetings_ends_after_start")),
        sa.CheckConstraint(
            "capacity IS NULL OR capacity > 0", name=op.f("ck_meetings_capacity_positive")
        ),
        _fk("meetings", "initiative_id", "initiatives"),
        _fk("meetings", "created_by_id", "people"),
        _fk("meetings", "minutes_document_id", "documents", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meetings")),
    )
    op.create_index("ix_meetings_initiative_start", "meetings", ["initiative_id", "start_dt"])
    op.create_table(
        "meeting_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("answer", sa.String(length=10), nullable=False),
        sa.Column("updated_dt", UTC, nullable=False),
        sa.CheckConstraint(
            "answer IN ('going', 'maybe', 'not')", name=op.f("ck_meeting_answers_answer")
        ),
        _fk("meeting_answers", "meeting_id", "meetings"),
        _fk("meeting_answers", "person_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_answers")),
        sa.UniqueConstraint(
            "meeting_id", "person_id", name=op.f("uq_meeting_answers_meeting_id_person_id")
        ),
    )
    op.create_index(
        op.f("ix_meeting_answers_person_id"), "meeting_answers", ["person_id"], unique=False
    )
    op.create_table(
        "supporters",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=True),
        sa.Column("show_name", sa.Boolean(), nullable=False),
        sa.Column("created_dt", UTC, nullable=False),
        _fk("supporters", "initiative_id", "initiatives"),
        _fk("supporters", "person_id", "people"),
        _fk("supporters", "neighbourhood_id", "neighbourhoods"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_supporters")),
        sa.UniqueConstraint(
            "initiative_id", "person_id", name=op.f("uq_supporters_initiative_id_person_id")
        ),
    )
    op.create_index(op.f("ix_supporters_person_id"), "supporters", ["person_id"], unique=False)
    with op.batch_alter_table("calendar_entries", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_dt", UTC, nullable=True))
        batch_op.add_column(sa.Column("end_dt", UTC, nullable=True))
        batch_op.add_column(sa.Column("location", sa.String(length=500), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("calendar_entries", schema=None) as batch_op:
        batch_op.drop_column("location")
        batch_op.drop_column("end_dt")
        batch_op.drop_column("start_dt")
    op.drop_index(op.f("ix_supporters_person_id"), table_name="supporters")
    op.drop_table("supporters")
    op.drop_index(op.f("ix_meeting_answers_person_id"), table_name="meeting_answers")
    op.drop_table("meeting_answers")
    op.drop_index("ix_meetings_initiative_start", table_name="meetings")
    op.drop_table("meetings")
