"""Account privacy: a new address waiting for confirmation, and deleted accounts.

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UTCDateTime

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(sa.Column("pending_email", sa.String(254), nullable=True))
        batch.add_column(sa.Column("pending_email_token_hash", sa.String(64), nullable=True))
        batch.add_column(sa.Column("deleted_dt", UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.drop_column("deleted_dt")
        batch.drop_column("pending_email_token_hash")
        batch.drop_column("pending_email")
