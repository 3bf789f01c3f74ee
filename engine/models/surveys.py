"""A short survey per initiative: the group's questions, and the answers of residents, given
online by themselves or typed in from paper by the group."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base, UTCDateTime

#: choice: one option; multiple: any options; scale: 1 to 5; text: open answer
QUESTION_KINDS = ("choice", "multiple", "scale", "text")
SURVEY_STATUSES = ("draft", "open", "closed")


class Survey(Base):
    """The survey of an initiative (one each): built as a draft, opened, closed."""

    __tablename__ = "surveys"
    __table_args__ = (CheckConstraint("status IN ('draft', 'open', 'closed')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    initiative_id: Mapped[int] = mapped_column(ForeignKey("initiatives.id"), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    #: a few words above the questions: what it is for, who reads the answers
    intro: Mapped[str] = mapped_column(Text, default="")
    #: draft (being built), open (answered), closed (results only)
    status: Mapped[str] = mapped_column(String(10), default="draft")
    #: ask which wijk the respondent lives in
    asks_wijk: Mapped[bool] = mapped_column(default=False)
    #: the group shows the open answers to everyone (else the group and the coaches only)
    publishes_open_answers: Mapped[bool] = mapped_column(default=False)
    #: when it closes by itself, if the group set an end
    closes_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_dt: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    #: optimistic-concurrency counter of the survey
    version: Mapped[int] = mapped_column(default=1)

    questions: Mapped[list[SurveyQuestion]] = relationship(
        order_by="SurveyQuestion.position", cascade="all, delete-orphan", lazy="selectin"
    )

    __mapper_args__ = {"version_id_col": version}


class SurveyQuestion(Base):
    __tablename__ = "survey_questions"
    __table_args__ = (
        CheckConstraint("kind IN ('choice', 'multiple', 'scale', 'text')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str] = mapped_column(String(500))
    #: an answer is needed before the survey can be sent
    is_required: Mapped[bool] = mapped_column(default=False)

    options: Mapped[list[SurveyOption]] = relationship(
        order_by="SurveyOption.position", cascade="all, delete-orphan", lazy="selectin"
    )


class SurveyOption(Base):
    __tablename__ = "survey_options"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"), index=True)
    position: Mapped[int]
    label: Mapped[str] = mapped_column(String(200))


class SurveyResponse(Base):
    """One person's answers: online (their own, changeable while open) or typed from paper."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        # one online answer per person; paper answers have no person and are all kept
        UniqueConstraint("survey_id", "person_id"),
        CheckConstraint(
            "(is_paper AND person_id IS NULL AND entered_by_id IS NOT NULL)"
            " OR (NOT is_paper AND person_id IS NOT NULL)",
            name="paper_or_person",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    #: who answered online; null for a paper answer
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    is_paper: Mapped[bool] = mapped_column(default=False)
    #: the member of the group who typed a paper answer in
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    #: the wijk the respondent said they live in, if asked and given
    neighbourhood_id: Mapped[int | None] = mapped_column(ForeignKey("neighbourhoods.id"))
    created_dt: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_dt: Mapped[datetime] = mapped_column(UTCDateTime)

    entered_by = relationship("Person", foreign_keys=[entered_by_id])


class SurveyAnswer(Base):
    """One answer to one question: an option chosen, a point on the scale, or text."""

    __tablename__ = "survey_answers"
    __table_args__ = (
        CheckConstraint("value IS NULL OR value BETWEEN 1 AND 5", name="scale"),
        # the results: counts per question and option (or point), per wijk
        Index("ix_survey_answers_results", "survey_id", "question_id", "option_id", "value"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id"), index=True)
    #: the survey and the question, so results are counted without a join
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id"))
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id"))
    option_id: Mapped[int | None] = mapped_column(ForeignKey("survey_options.id"))
    #: 1 to 5 on a scale question
    value: Mapped[int | None]
    text: Mapped[str | None] = mapped_column(Text)
