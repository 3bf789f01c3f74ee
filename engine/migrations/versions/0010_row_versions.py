"""Finer concurrency: steps, documents and maintenance tasks get their own version counter.

Two people editing different steps of one initiative no longer collide on the initiative's
version; two edits of the same step still do, on the step's.

Revision ID: 0010
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

TABLES = ("steps", "documents", "maintenance_tasks")


def upgrade() -> None:
    for table in TABLES:
        # existing rows start at version 1; the default is dropped again below
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column("version", sa.Integer(), nullable=False, server_default=sa.text("1"))
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column("version", existing_type=sa.Integer(), server_default=None)


def downgrade() -> None:
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column("version")
