"""Bounded pages: indexes for the public list's pages and the calendar feeds' windows.

Revision ID: 0015
Revises: 0014
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_initiatives_title_id", "initiatives", ["title", "id"])
    op.create_index(
        "ix_calendar_entries_initiative_date", "calendar_entries", ["initiative_id", "entry_date"]
    )


def downgrade() -> None:
    op.drop_index("ix_calendar_entries_initiative_date", table_name="calendar_entries")
    op.drop_index("ix_initiatives_title_id", table_name="initiatives")
