"""The neighbourhood's consultation on a stage: ideas, reactions, replies, supports, what the
group did with each idea, and reports of posts.

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)
OPEN = sa.text("status = 'open'")
UNDEALT = sa.text("closed_dt IS NULL")


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def upgrade() -> None:
    op.create_table(
        "consultations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("stage_key", sa.String(length=100), nullable=False),
        sa.Column("question", sa.Text(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("closes_dt", UTC, nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_by_id", sa.Integer(), nullable=False),
        sa.Column("opened_dt", UTC, nullable=False),
        sa.Column("closed_dt", UTC, nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name=op.f("ck_consultations_status")),
        _fk("consultations", "initiative_id", "initiatives"),
        _fk("consultations", "opened_by_id", "people"),
        _fk("consultations", "closed_by_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultations")),
        sa.UniqueConstraint(
            "initiative_id", "stage_key", name=op.f("uq_consultations_initiative_id_stage_key")
        ),
    )
    op.create_index(
        "ix_consultations_open_closes",
        "consultations",
        ["closes_dt"],
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    )
    op.create_table(
        "consultation_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("consultation_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("author_id", sa.Integer(), nullable=False),
        sa.Column("is_from_group", sa.Boolean(), nullable=False),
        sa.Column("is_from_coach", sa.Boolean(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("photo_name", sa.String(length=255), nullable=True),
        sa.Column("photo_type", sa.String(length=40), nullable=True),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("hidden_dt", UTC, nullable=True),
        sa.Column("hidden_by_id", sa.Integer(), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("outcome", sa.String(length=12), nullable=True),
        sa.Column("outcome_reason", sa.Text(), nullable=True),
        sa.Column("outcome_by_id", sa.Integer(), nullable=True),
        sa.Column("outcome_dt", UTC, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('idea', 'reaction', 'reply')", name=op.f("ck_consultation_posts_kind")
        ),
        sa.CheckConstraint(
            "(kind = 'reply') = (parent_id IS NOT NULL)",
            name=op.f("ck_consultation_posts_reply_has_parent"),
        ),
        sa.CheckConstraint(
            "outcome IS NULL OR outcome IN ('adopted', 'not_adopted')",
            name=op.f("ck_consultation_posts_outcome"),
        ),
        _fk("consultation_posts", "consultation_id", "consultations"),
        _fk("consultation_posts", "initiative_id", "initiatives"),
        _fk("consultation_posts", "parent_id", "consultation_posts"),
        _fk("consultation_posts", "author_id", "people"),
        _fk("consultation_posts", "hidden_by_id", "people"),
        _fk("consultation_posts", "outcome_by_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_posts")),
        sa.UniqueConstraint("photo_name", name=op.f("uq_consultation_posts_photo_name")),
    )
    op.create_index(
        "ix_consultation_posts_page", "consultation_posts", ["consultation_id", "parent_id", "id"]
    )
    op.create_index(op.f("ix_consultation_posts_parent_id"), "consultation_posts", ["parent_id"])
    op.create_table(
        "consultation_supports",
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("created_dt", UTC, nullable=False),
        _fk("consultation_supports", "post_id", "consultation_posts"),
        _fk("consultation_supports", "person_id", "people"),
        sa.PrimaryKeyConstraint("post_id", "person_id", name=op.f("pk_consultation_supports")),
    )
    op.create_table(
        "consultation_reports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("reporter_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("closed_dt", UTC, nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        _fk("consultation_reports", "post_id", "consultation_posts"),
        _fk("consultation_reports", "initiative_id", "initiatives"),
        _fk("consultation_reports", "reporter_id", "people"),
        _fk("consultation_reports", "closed_by_id", "people"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consultation_reports")),
        sa.UniqueConstraint(
            "post_id", "reporter_id", name=op.f("uq_consultation_reports_post_id_reporter_id")
        ),
    )
    op.create_index(
        "ix_consultation_reports_open",
        "consultation_reports",
        ["initiative_id"],
        sqlite_where=UNDEALT,
        postgresql_where=UNDEALT,
    )


def downgrade() -> None:
    op.drop_table("consultation_reports")
    op.drop_table("consultation_supports")
    op.drop_table("consultation_posts")
    op.drop_table("consultations")
