"""The group is the group: a join policy per initiative, join requests, on-behalf starts.

Existing initiatives get the join policy ``approval`` (the new default): from now on an
initiator decides on each newcomer, unless the group opens itself again.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)
PENDING = sa.text("status = 'pending'")


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        # existing rows get the defaults; the server defaults are dropped again below
        batch_op.add_column(
            sa.Column(
                "join_policy",
                sa.String(length=20),
                nullable=False,
                server_default=sa.text("'approval'"),
            )
        )
        batch_op.add_column(
            sa.Column("is_on_behalf", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.create_check_constraint(
            op.f("ck_initiatives_join_policy"), "join_policy IN ('open', 'approval')"
        )
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.alter_column("join_policy", existing_type=sa.String(20), server_default=None)
        batch_op.alter_column("is_on_behalf", existing_type=sa.Boolean(), server_default=None)

    op.create_table(
        "join_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=True),
        sa.Column("message", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("decided_dt", UTC, nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint("role IN ('member', 'partner')", name=op.f("ck_join_requests_role")),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'declined', 'withdrawn')",
            name=op.f("ck_join_requests_status"),
        ),
        _fk("join_requests", "initiative_id", "initiatives"),
        _fk("join_requests", "person_id", "people"),
        _fk("join_requests", "decided_by_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_join_requests")),
    )
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_join_requests_initiative_id"), ["initiative_id"])
        batch_op.create_index(batch_op.f("ix_join_requests_person_id"), ["person_id"])
        batch_op.create_index(
            "uq_join_requests_pending",
            ["initiative_id", "person_id"],
            unique=True,
            sqlite_where=PENDING,
            postgresql_where=PENDING,
        )


def downgrade() -> None:
    with op.batch_alter_table("join_requests", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_join_requests_pending", sqlite_where=PENDING, postgresql_where=PENDING
        )
        batch_op.drop_index(batch_op.f("ix_join_requests_person_id"))
        batch_op.drop_index(batch_op.f("ix_join_requests_initiative_id"))
    op.drop_table("join_requests")
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_initiatives_join_policy"), type_="check")
        batch_op.drop_column("is_on_behalf")
        batch_op.drop_column("join_policy")
