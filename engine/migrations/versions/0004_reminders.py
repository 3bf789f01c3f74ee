"""Reminders, preferences, calendar feeds.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

UTC_DT = engine.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=250), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("deadline_key", sa.String(length=150), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("offset_days", sa.Integer(), nullable=False),
        sa.Column("deadline_date", sa.Date(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("due_dt", UTC_DT, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("outbox_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", UTC_DT, nullable=False),
        sa.Column("handled_dt", UTC_DT, nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'sent', 'skipped', 'cancelled')",
            name=op.f("ck_reminders_status"),
        ),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_reminders_initiative_id_initiatives"),
        ),
        sa.ForeignKeyConstraint(
            ["outbox_id"], ["outbox.id"], name=op.f("fk_reminders_outbox_id_outbox")
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_reminders_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminders")),
        sa.UniqueConstraint("key", name=op.f("uq_reminders_key")),
    )
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reminders_initiative_id"), ["initiative_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_reminders_person_id"), ["person_id"], unique=False)
        batch_op.create_index(
            "ix_reminders_due",
            ["due_dt"],
            unique=False,
            sqlite_where=sa.text("status = 'pending'"),
            postgresql_where=sa.text("status = 'pending'"),
        )

    op.create_table(
        "reminder_preferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("updated_dt", UTC_DT, nullable=False),
        sa.CheckConstraint(
            "mode IN ('immediate', 'daily', 'weekly', 'off')",
            name=op.f("ck_reminder_preferences_mode"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_reminder_preferences_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reminder_preferences")),
    )
    with op.batch_alter_table("reminder_preferences", schema=None) as batch_op:
        batch_op.create_index(
            "uq_reminder_preferences_person_kind", ["person_id", "kind"], unique=True
        )

    op.create_table(
        "calendar_feeds",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", UTC_DT, nullable=False),
        sa.Column("revoked_dt", UTC_DT, nullable=True),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_calendar_feeds_initiative_id_initiatives"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("fk_calendar_feeds_person_id_people")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_feeds")),
        sa.UniqueConstraint("token", name=op.f("uq_calendar_feeds_token")),
    )
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_feeds_person_id"), ["person_id"], unique=False
        )
        batch_op.create_index(
            "uq_calendar_feeds_live_person",
            ["person_id"],
            unique=True,
            sqlite_where=sa.text("initiative_id IS NULL AND revoked_dt IS NULL"),
            postgresql_where=sa.text("initiative_id IS NULL AND revoked_dt IS NULL"),
        )
        batch_op.create_index(
            "uq_calendar_feeds_live_initiative",
            ["person_id", "initiative_id"],
            unique=True,
            sqlite_where=sa.text("initiative_id IS NOT NULL AND revoked_dt IS NULL"),
            postgresql_where=sa.text("initiative_id IS NOT NULL AND revoked_dt IS NULL"),
        )

    op.create_table(
        "calendar_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=150), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("link", sa.String(length=500), nullable=False),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("is_cancelled", sa.Boolean(), nullable=False),
        sa.Column("created_dt", UTC_DT, nullable=False),
        sa.Column("updated_dt", UTC_DT, nullable=False),
        sa.ForeignKeyConstraint(
            ["initiative_id"],
            ["initiatives.id"],
            name=op.f("fk_calendar_entries_initiative_id_initiatives"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_calendar_entries")),
        sa.UniqueConstraint("key", name=op.f("uq_calendar_entries_key")),
    )
    with op.batch_alter_table("calendar_entries", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_calendar_entries_initiative_id"), ["initiative_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("calendar_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_calendar_entries_initiative_id"))
    op.drop_table("calendar_entries")
    with op.batch_alter_table("calendar_feeds", schema=None) as batch_op:
        batch_op.drop_index("uq_calendar_feeds_live_initiative")
        batch_op.drop_index("uq_calendar_feeds_live_person")
        batch_op.drop_index(batch_op.f("ix_calendar_feeds_person_id"))
    op.drop_table("calendar_feeds")
    with op.batch_alter_table("reminder_preferences", schema=None) as batch_op:
        batch_op.drop_index("uq_reminder_preferences_person_kind")
    op.drop_table("reminder_preferences")
    with op.batch_alter_table("reminders", schema=None) as batch_op:
        batch_op.drop_index("ix_reminders_due")
        batch_op.drop_index(batch_op.f("ix_reminders_person_id"))
        batch_op.drop_index(batch_op.f("ix_reminders_initiative_id"))
    op.drop_table("reminders")
