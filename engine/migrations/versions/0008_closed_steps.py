"""Steps the group leaves behind: closed without being done, or taken along to the next stage.

Revision ID: 0008
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.add_column(sa.Column("closed_dt", UTC, nullable=True))
        batch_op.add_column(sa.Column("closed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("carried_from", sa.String(length=100), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_steps_closed_by_id_people"), "people", ["closed_by_id"], ["id"]
        )
        batch_op.create_check_constraint(
            op.f("ck_steps_done_or_closed"), "NOT (is_done AND closed_dt IS NOT NULL)"
        )


def downgrade() -> None:
    with op.batch_alter_table("steps", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_steps_done_or_closed"), type_="check")
        batch_op.drop_constraint(op.f("fk_steps_closed_by_id_people"), type_="foreignkey")
        batch_op.drop_column("carried_from")
        batch_op.drop_column("closed_by_id")
        batch_op.drop_column("closed_dt")
