"""The language an initiative's own content is written in (its title, description, steps).

Pages in the other language mark that content with ``lang`` (WCAG 3.1.2); existing initiatives
were all started in Dutch.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("language", sa.String(length=5), nullable=False, server_default="nl")
        )
        batch_op.create_check_constraint(
            op.f("ck_initiatives_language"), "language IN ('nl', 'en')"
        )


def downgrade() -> None:
    with op.batch_alter_table("initiatives", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("ck_initiatives_language"), type_="check")
        batch_op.drop_column("language")
