"""The scheduler's heartbeat: when each scheduler process last finished a sweep (/readyz).

Revision ID: 0027
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0027"
down_revision = "0025"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "heartbeats",
        sa.Column("process", sa.String(length=200), nullable=False),
        sa.Column("beat_dt", UTC, nullable=False),
        sa.Column("sweep_seconds", sa.Integer(), nullable=False),
        sa.Column("sweep_ms", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("process", name=op.f("pk_heartbeats")),
    )


def downgrade() -> None:
    op.drop_table("heartbeats")
