"""Conversation: messages and replies on an initiative and its decisions, the initiators' private
thread with the area's coaches, and reports of messages.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)
OPEN = sa.text("closed_dt IS NULL")


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("decision_id", sa.Integer(), nullable=True),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("is_from_coach", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("edited_dt", UTC, nullable=True),
        sa.Column("deleted_dt", UTC, nullable=True),
        sa.Column("hidden_dt", UTC, nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("channel IN ('group', 'coaches')", name=op.f("ck_messages_channel")),
        sa.CheckConstraint(
            "channel = 'group' OR decision_id IS NULL", name=op.f("ck_messages_coaches_no_decision")
        ),
        _fk("messages", "initiative_id", "initiatives"),
        _fk("messages", "decision_id", "decisions"),
        _fk("messages", "parent_id", "messages"),
        _fk("messages", "author_id", "people"),
        _fk("messages", "hidden_by_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_messages")),
    )
    with op.batch_alter_table("messages", schema=None) as batch_op:
        batch_op.create_index(
            "ix_messages_thread", ["initiative_id", "channel", "decision_id", "parent_id", "id"]
        )
        batch_op.create_index(batch_op.f("ix_messages_parent_id"), ["parent_id"])

    op.create_table(
        "message_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("closed_dt", UTC, nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        _fk("message_reports", "message_id", "messages"),
        _fk("message_reports", "initiative_id", "initiatives"),
        _fk("message_reports", "reporter_id", "people"),
        _fk("message_reports", "closed_by_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_reports")),
        sa.UniqueConstraint(
            "message_id", "reporter_id", name=op.f("uq_message_reports_message_id_reporter_id")
        ),
    )
    with op.batch_alter_table("message_reports", schema=None) as batch_op:
        batch_op.create_index(
            "ix_message_reports_open",
            ["initiative_id"],
            sqlite_where=OPEN,
            postgresql_where=OPEN,
        )


def downgrade() -> None:
    op.drop_table("message_reports")
    op.drop_table("messages")
