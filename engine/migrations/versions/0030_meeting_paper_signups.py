"""People the group signs up for a meeting from a paper list (the drop-in's sign-up sheet).

Revision ID: 0030
Revises: 0029
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0030"
down_revision = "0029"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "meeting_paper_signups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("people", sa.Integer(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=False),
        sa.Column("created_dt", UTC, nullable=False),
        sa.CheckConstraint("people > 0", name=op.f("ck_meeting_paper_signups_people_positive")),
        sa.ForeignKeyConstraint(
            ["meeting_id"], ["meetings.id"],
            name=op.f("fk_meeting_paper_signups_meeting_id_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"], ["people.id"],
            name=op.f("fk_meeting_paper_signups_entered_by_id_people"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_paper_signups")),
    )  # fmt: skip
    op.create_index("ix_meeting_paper_signups_meeting", "meeting_paper_signups", ["meeting_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_paper_signups_meeting", table_name="meeting_paper_signups")
    op.drop_table("meeting_paper_signups")
