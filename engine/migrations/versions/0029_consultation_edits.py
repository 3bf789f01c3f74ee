"""Authors change (for 15 minutes) and delete their own ideas, reactions and replies in a
consultation: when it was changed, and when it was deleted ("deleted" stays in its place).

Revision ID: 0029
Revises: 0027
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0029"
down_revision = "0027"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("consultation_posts") as batch:
        batch.add_column(sa.Column("edited_dt", UTC, nullable=True))
        batch.add_column(sa.Column("deleted_dt", UTC, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("consultation_posts") as batch:
        batch.drop_column("deleted_dt")
        batch.drop_column("edited_dt")
