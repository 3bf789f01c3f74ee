"""Bounded pages: indexes for the public list's pages, calendar windows and caseload sorts.

Revision ID: 0015
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0010"
branch_labels = None
depends_on = None

_OPEN = "is_done = false AND closed_dt IS NULL"


def upgrade() -> None:
    op.create_index("ix_initiatives_title_id", "initiatives", ["title", "id"])
    op.create_index(
        "ix_initiatives_paused_activity", "initiatives", ["is_paused", "last_activity_dt"]
    )
    op.create_index(
        "ix_calendar_entries_initiative_date", "calendar_entries", ["initiative_id", "entry_date"]
    )
    op.create_index(
        "ix_steps_open_due",
        "steps",
        ["due_date", "initiative_id"],
        sqlite_where=sa.text(_OPEN.replace("false", "0")),
        postgresql_where=sa.text(_OPEN),
    )


def downgrade() -> None:
    op.drop_index("ix_steps_open_due", table_name="steps")
    op.drop_index("ix_calendar_entries_initiative_date", table_name="calendar_entries")
    op.drop_index("ix_initiatives_paused_activity", table_name="initiatives")
    op.drop_index("ix_initiatives_title_id", table_name="initiatives")
