"""A survey with one question of each kind, as a group would build it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from engine.models import Initiative, Person
from engine.models.surveys import Survey, SurveyAnswer, SurveyResponse
from engine.surveys.building import add_question, open_survey, save_survey

QUESTIONS = (
    ("choice", "Wat vind je het belangrijkst?", "Groen\nSpelen\nParkeren", True),
    ("multiple", "Waar kom je graag?", "Het park\nDe kade\nHet winkelcentrum", False),
    ("scale", "Hoe tevreden ben je over de buurt?", "", False),
    ("text", "Wat wil je ons nog meegeven?", "", False),
)


def survey(
    session: Session,
    item: Initiative,
    initiator: Person,
    now: datetime,
    *,
    opened: bool = True,
    asks_wijk: bool = True,
) -> Survey:
    found = save_survey(
        session, initiator, initiative_id=item.id, title="Hoe woon je in Paddepoel?",
        intro="Vijf minuten, anoniem.", asks_wijk=asks_wijk, now=now,
    )  # fmt: skip
    for kind, text, options, required in QUESTIONS:
        add_question(
            session, initiator, initiative_id=item.id, kind=kind, text=text, options=options,
            is_required=required, now=now,
        )  # fmt: skip
    if opened:
        open_survey(session, initiator, initiative_id=item.id, closes_on=None, now=now)
    return found


def answers_for(found: Survey, choice: int = 0, scale: int = 4, text: str = "") -> dict:
    """Form values answering every question: option ``choice``, 1 and 2 of the multiple one."""
    q = found.questions
    values = {
        f"q{q[0].id}": [str(q[0].options[choice].id)],
        f"q{q[1].id}": [str(q[1].options[0].id), str(q[1].options[1].id)],
        f"q{q[2].id}": [str(scale)],
    }
    if text:
        values[f"q{q[3].id}"] = [text]
    return values


def bulk_answers(
    session: Session, found: Survey, count: int, entered_by: Person, now: datetime,
    wijken: list[int] | tuple = (),
) -> None:  # fmt: skip
    """``count`` paper answers, inserted in bulk (for pages and benchmarks at scale)."""
    q = found.questions
    responses = [
        {"survey_id": found.id, "person_id": None, "is_paper": True,
         "entered_by_id": entered_by.id, "created_dt": now, "updated_dt": now,
         "neighbourhood_id": wijken[i % len(wijken)] if wijken else None}
        for i in range(count)
    ]  # fmt: skip
    session.execute(SurveyResponse.__table__.insert(), responses)
    ids = session.scalars(
        SurveyResponse.__table__.select()
        .with_only_columns(SurveyResponse.id)
        .where(SurveyResponse.survey_id == found.id)
        .order_by(SurveyResponse.id.desc())
        .limit(count)
    ).all()
    rows = []
    for i, rid in enumerate(ids):
        base = {"response_id": rid, "survey_id": found.id, "value": None, "text": None}
        rows.append(dict(base, question_id=q[0].id, option_id=q[0].options[i % 3].id))
        rows.append(dict(base, question_id=q[1].id, option_id=q[1].options[i % 2].id))
        rows.append(dict(base, question_id=q[2].id, option_id=None, value=1 + i % 5))
        if i % 4 == 0:
            rows.append(dict(base, question_id=q[3].id, option_id=None, text=f"Antwoord {i}"))
    session.execute(SurveyAnswer.__table__.insert(), rows)
