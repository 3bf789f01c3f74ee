"""The demo's survey: the Paddepoel wijkvisie asks the neighbourhood a few questions; some
neighbours answered online, the group typed in the paper forms from the library and the
shopping centre. One answer short of the 10 the wijkvisie asks before the draft goes to the
neighbourhood. Safe to run twice: an existing survey is left as it is.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Initiative, Neighbourhood, Person
from engine.surveys.answering import answer_survey, enter_paper_answer
from engine.surveys.building import add_question, open_survey, save_survey, survey_of

TITLE = "Wijkvisie Paddepoel"

QUESTIONS = (
    ("choice", "Wat moet de wijkvisie als eerste aanpakken?",
     "Meer groen\nVeilig fietsen en lopen\nPlekken om elkaar te ontmoeten\nSpelen voor kinderen",
     True),
    ("multiple", "Waar kom je graag in Paddepoel?",
     "Het winkelcentrum\nHet Paddepoelsterbos\nDe bibliotheek\nDe sportvelden", False),
    ("scale", "Hoe prettig woon je in Paddepoel?", "", False),
    ("text", "Wat wil je de schrijvers van de wijkvisie nog meegeven?", "", False),
)  # fmt: skip

#: (who answered online, or None for paper; first choice, places, score, text, wijk)
ANSWERS = (
    ("lotte@example.nl", 0, (1, 2), 4, "Meer bankjes langs het water.", "Paddepoel"),
    ("henk@example.nl", 2, (0,), 3, "", "Paddepoel"),
    ("willem@example.nl", 1, (0, 3), 4, "De oversteek bij de Zonnelaan is gevaarlijk.",
     "Paddepoel"),
    (None, 0, (1,), 5, "Laat het bos zoals het is.", "Paddepoel"),
    (None, 3, (0, 3), 3, "", "Selwerd"),
    (None, 2, (0, 2), 4, "Een buurtkamer in het winkelcentrum zou mooi zijn.", "Paddepoel"),
    (None, 1, (3,), 2, "", ""),
    (None, 0, (1, 2), 4, "", "Paddepoel"),
    (None, 2, (2,), 5, "Koffieochtenden in de bibliotheek!", "Selwerd"),
)  # fmt: skip


def load_survey(session: Session, people: dict[str, Person], now: datetime) -> str:
    item = session.scalar(select(Initiative).where(Initiative.title == TITLE))
    if item is None:
        return "no Paddepoel"
    if survey_of(session, item.id) is not None:
        return "already there"
    anna, fatima = people["anna@example.nl"], people["fatima@example.nl"]
    clock = max(now - timedelta(days=20), item.last_activity_dt + timedelta(hours=1))
    survey = save_survey(
        session, anna, initiative_id=item.id, title="Hoe woon je in Paddepoel?",
        intro=("Wij schrijven met buren een wijkvisie voor Paddepoel. Vertel ons in twee "
               "minuten wat jij belangrijk vindt. Alleen de groep en de procesbegeleider lezen "
               "je eigen woorden."),
        asks_wijk=True, now=clock,
    )  # fmt: skip
    for kind, text, options, required in QUESTIONS:
        add_question(session, anna, initiative_id=item.id, kind=kind, text=text,
                     options=options, is_required=required, now=clock)  # fmt: skip
    open_survey(session, anna, initiative_id=item.id, closes_on=None, now=clock)
    wijken = dict(session.execute(select(Neighbourhood.name, Neighbourhood.id)).all())
    q = survey.questions
    for n, (email, first, places, score, text, wijk) in enumerate(ANSWERS):
        raw = {
            f"q{q[0].id}": [str(q[0].options[first].id)],
            f"q{q[1].id}": [str(q[1].options[i].id) for i in places],
            f"q{q[2].id}": [str(score)],
            f"q{q[3].id}": [text],
            "wijk": [str(wijken[wijk])] if wijk in wijken else [],
        }
        when = clock + timedelta(days=1 + n)
        if email is None:
            enter_paper_answer(session, fatima, initiative_id=item.id, raw=raw, now=when)
        else:
            answer_survey(session, people[email], initiative_id=item.id, raw=raw, now=when)
    return f"a survey on {TITLE} with {len(ANSWERS)} answers"
