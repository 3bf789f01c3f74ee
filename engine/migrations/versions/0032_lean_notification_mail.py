"""A notification's mail row carries only what differs per reader: its notification's id
(Message-ID and unsubscribe token, read when it is sent), its address, name and language's
text; the subject and the Message-ID's pattern live once per language on the shared text.
A notification's mail has no idempotency key (the unique index skips it), and the outbox's
person index, which no query used, goes (issue 11: fan-out ≤ 3× a bare insert).

Revision ID: 0032
Revises: 0031
"""

import sqlalchemy as sa
from alembic import op

revision = "0032"
down_revision = "0031"
branch_labels = None
depends_on = None

#: the stand-in for the notification's id in a shared Message-ID (engine.mail.outbox)
NOTIFICATION = "\ue000id\ue000"


def upgrade() -> None:
    with op.batch_alter_table("outbox_bodies") as batch:
        batch.add_column(sa.Column("subject", sa.String(length=300), nullable=True))
        batch.add_column(sa.Column("message_id", sa.String(length=250), nullable=True))
    op.drop_index("ix_outbox_person_id", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_constraint("uq_outbox_idempotency_key", type_="unique")
        batch.alter_column("idempotency_key", existing_type=sa.String(length=200), nullable=True)
        batch.alter_column("message_id", existing_type=sa.String(length=250), nullable=True)
        batch.alter_column("subject", existing_type=sa.String(length=300), nullable=True)
        batch.add_column(sa.Column("notification_id", sa.Integer(), nullable=True))
    op.create_index(
        "uq_outbox_idempotency_key", "outbox", ["idempotency_key"], unique=True,
        sqlite_where=sa.text("idempotency_key IS NOT NULL"),
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )  # fmt: skip


def downgrade() -> None:
    # rows queued since: their key, subject, Message-ID and token written out as before
    op.execute(
        "UPDATE outbox SET idempotency_key = 'notification:' || CAST(notification_id AS TEXT), "
        "subject = (SELECT b.subject FROM outbox_bodies b WHERE b.id = outbox.body_id), "
        "message_id = replace((SELECT b.message_id FROM outbox_bodies b "
        f"WHERE b.id = outbox.body_id), '{NOTIFICATION}', CAST(notification_id AS TEXT)), "
        "fill = 'n' || CAST(notification_id AS TEXT) || '-' || (SELECT n.mail_token "
        "FROM notifications n WHERE n.id = outbox.notification_id) "
        "WHERE notification_id IS NOT NULL AND idempotency_key IS NULL"
    )
    op.drop_index("uq_outbox_idempotency_key", table_name="outbox")
    with op.batch_alter_table("outbox") as batch:
        batch.drop_column("notification_id")
        batch.alter_column("subject", existing_type=sa.String(length=300), nullable=False)
        batch.alter_column("message_id", existing_type=sa.String(length=250), nullable=False)
        batch.alter_column("idempotency_key", existing_type=sa.String(length=200), nullable=False)
        batch.create_unique_constraint("uq_outbox_idempotency_key", ["idempotency_key"])
    op.create_index("ix_outbox_person_id", "outbox", ["person_id"])
    with op.batch_alter_table("outbox_bodies") as batch:
        batch.drop_column("message_id")
        batch.drop_column("subject")
