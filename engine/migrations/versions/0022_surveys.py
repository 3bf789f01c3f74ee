"""Surveys: an initiative's short questionnaire, answered online or typed in from paper.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

import engine.db

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None

UTC = engine.db.UTCDateTime(timezone=True)


def _fk(table: str, column: str, target: str):
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}")
    )


def _pk(table: str):
    return sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}"))


def upgrade() -> None:
    op.create_table(
        "surveys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("initiative_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("intro", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("asks_wijk", sa.Boolean(), nullable=False),
        sa.Column("publishes_open_answers", sa.Boolean(), nullable=False),
        sa.Column("closes_dt", UTC, nullable=True),
        sa.Column("opened_dt", UTC, nullable=True),
        sa.Column("closed_dt", UTC, nullable=True),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('draft', 'open', 'closed')", name=op.f("ck_surveys_status")),
        _fk("surveys", "initiative_id", "initiatives"),
        _fk("surveys", "created_by_id", "people"),
        _pk("surveys"),
        sa.UniqueConstraint("initiative_id", name=op.f("uq_surveys_initiative_id")),
    )
    op.create_table(
        "survey_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("is_required", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "kind IN ('choice', 'multiple', 'scale', 'text')", name=op.f("ck_survey_questions_kind")
        ),
        _fk("survey_questions", "survey_id", "surveys"),
        _pk("survey_questions"),
    )
    op.create_index(op.f("ix_survey_questions_survey_id"), "survey_questions", ["survey_id"])
    op.create_table(
        "survey_options",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        _fk("survey_options", "question_id", "survey_questions"),
        _pk("survey_options"),
    )
    op.create_index(op.f("ix_survey_options_question_id"), "survey_options", ["question_id"])
    op.create_table(
        "survey_responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=True),
        sa.Column("is_paper", sa.Boolean(), nullable=False),
        sa.Column("entered_by_id", sa.Integer(), nullable=True),
        sa.Column("neighbourhood_id", sa.Integer(), nullable=True),
        sa.Column("created_dt", UTC, nullable=False),
        sa.Column("updated_dt", UTC, nullable=False),
        sa.CheckConstraint(
            "(is_paper AND person_id IS NULL AND entered_by_id IS NOT NULL)"
            " OR (NOT is_paper AND person_id IS NOT NULL)",
            name=op.f("ck_survey_responses_paper_or_person"),
        ),
        _fk("survey_responses", "survey_id", "surveys"),
        _fk("survey_responses", "person_id", "people"),
        _fk("survey_responses", "entered_by_id", "people"),
        _fk("survey_responses", "neighbourhood_id", "neighbourhoods"),
        _pk("survey_responses"),
        sa.UniqueConstraint(
            "survey_id", "person_id", name=op.f("uq_survey_responses_survey_id_person_id")
        ),
    )
    op.create_table(
        "survey_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("option_id", sa.Integer(), nullable=True),
        sa.Column("value", sa.Integer(), nullable=True),
        sa.Column("text", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "value IS NULL OR value BETWEEN 1 AND 5", name=op.f("ck_survey_answers_scale")
        ),
        _fk("survey_answers", "response_id", "survey_responses"),
        _fk("survey_answers", "survey_id", "surveys"),
        _fk("survey_answers", "question_id", "survey_questions"),
        _fk("survey_answers", "option_id", "survey_options"),
        _pk("survey_answers"),
    )
    op.create_index(op.f("ix_survey_answers_response_id"), "survey_answers", ["response_id"])
    op.create_index(
        "ix_survey_answers_results",
        "survey_answers",
        ["survey_id", "question_id", "option_id", "value"],
    )


def downgrade() -> None:
    op.drop_index("ix_survey_answers_results", table_name="survey_answers")
    op.drop_index(op.f("ix_survey_answers_response_id"), table_name="survey_answers")
    op.drop_table("survey_answers")
    op.drop_table("survey_responses")
    op.drop_index(op.f("ix_survey_options_question_id"), table_name="survey_options")
    op.drop_table("survey_options")
    op.drop_index(op.f("ix_survey_questions_survey_id"), table_name="survey_questions")
    op.drop_table("survey_questions")
    op.drop_table("surveys")
