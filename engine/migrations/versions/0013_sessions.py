"""Sessions kept on the server, rate-limit counters, confirmed addresses, secret mail bodies.

Everyone who has an account already counts as confirmed (demo and test accounts included):
they registered before the address was checked, and locking them out would help nobody.

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "login_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("secret_hash", sa.String(length=64), nullable=False),
        sa.Column("is_remembered", sa.Boolean(), nullable=False),
        sa.Column("created_dt", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_dt", engine.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("ended_dt", engine.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("user_agent", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("fk_login_sessions_person_id_people"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_sessions")),
    )
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_login_sessions_person_id"), ["person_id"])
    op.create_table(
        "rate_limits",
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("window_start", sa.BigInteger(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_rate_limits")),
    )
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("email_confirmed_dt", engine.db.UTCDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(sa.Column("confirm_token_hash", sa.String(length=64), nullable=True))
    op.execute("UPDATE people SET email_confirmed_dt = created_dt")
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("is_secret", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.alter_column("is_secret", existing_type=sa.Boolean(), server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("is_secret")
    with op.batch_alter_table("people", schema=None) as batch_op:
        batch_op.drop_column("confirm_token_hash")
        batch_op.drop_column("email_confirmed_dt")
    op.drop_table("rate_limits")
    with op.batch_alter_table("login_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_sessions_person_id"))
    op.drop_table("login_sessions")
