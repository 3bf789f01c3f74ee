"""Notifications: an event stored once, one small row per person told about it.

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)
UNREAD = sa.text("read_dt IS NULL")
MAIL_PENDING = sa.text("mail_status = 'pending'")


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "notification_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("subject_id", sa.Integer(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("created_dt", UTC, nullable=False),
        _fk("notification_events", "initiative_id", "initiatives"),
        _fk("notification_events", "actor_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_events")),
    )
    with op.batch_alter_table("notification_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_notification_events_initiative_id"), ["initiative_id"])
        batch_op.create_index("ix_notification_events_kind_subject", ["kind", "subject_id"])
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("read_dt", UTC, nullable=True),
        sa.Column("mail_mode", sa.String(length=10), nullable=False),
        sa.Column("mail_status", sa.String(length=10), nullable=False),
        sa.Column("mail_due_dt", UTC, nullable=True),
        sa.Column("mailed_dt", UTC, nullable=True),
        sa.CheckConstraint(
            "mail_status IN ('pending', 'sent', 'skipped')",
            name=op.f("ck_notifications_mail_status"),
        ),
        sa.CheckConstraint(
            "mail_mode IN ('immediate', 'daily', 'weekly', 'off')",
            name=op.f("ck_notifications_mail_mode"),
        ),
        _fk("notifications", "event_id", "notification_events"),
        _fk("notifications", "person_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint(
            "event_id", "person_id", name=op.f("uq_notifications_event_id_person_id")
        ),
    )
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.create_index("ix_notifications_person", ["person_id", "id"])
        batch_op.create_index(
            "ix_notifications_unread", ["person_id"], sqlite_where=UNREAD, postgresql_where=UNREAD
        )
        batch_op.create_index(
            "ix_notifications_mail_due",
            ["mail_due_dt"],
            sqlite_where=MAIL_PENDING,
            postgresql_where=MAIL_PENDING,
        )


def downgrade() -> None:
    op.drop_table("notifications")
    op.drop_table("notification_events")
