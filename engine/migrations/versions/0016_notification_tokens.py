"""Mails fanned out at once: a random unsubscribe token per notification, and mail texts
shared by the outbox rows of one event's readers (one per language).

Revision ID: 0016
Revises: 0015
"""

import sqlalchemy as sa
from alembic import op

from engine.db import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications") as batch:
        batch.add_column(sa.Column("mail_token", sa.String(length=32), nullable=True))
    op.create_table(
        "outbox_bodies",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("headers", sa.JSON(), nullable=False),
        sa.Column("created_dt", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_bodies")),
    )
    with op.batch_alter_table("outbox") as batch:
        batch.add_column(sa.Column("body_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("fill", sa.String(length=60), nullable=True))
        batch.create_foreign_key(
            batch.f("fk_outbox_body_id_outbox_bodies"), "outbox_bodies", ["body_id"], ["id"]
        )


def downgrade() -> None:
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("fk_outbox_body_id_outbox_bodies", type_="foreignkey")
        batch.drop_column("fill")
        batch.drop_column("body_id")
    op.drop_table("outbox_bodies")
    with op.batch_alter_table("notifications") as batch:
        batch.drop_column("mail_token")
