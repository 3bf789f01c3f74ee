"""The decision on the initiative page: who decides, when it closes, and why someone cannot vote,
in Dutch and in English."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from engine.dates import show_moment
from engine.db import utcnow
from engine.models import Vote
from engine.operations import (
    cast_vote,
    fire_transition,
    open_decision,
    pause_initiative,
    resume_initiative,
)
from tests import factories
from tests.factories import browse_as, initiative_with_group, submit

DAY = timedelta(days=1)
ZONE = "Europe/Amsterdam"

WORDS = {
    "en": {
        "who": "Who decides: the 3 people in the group when this was asked: "
        "Anna de Vries, Bram Bakker, Cor Jansen",
        "until": "Objections are possible until {date}.",
        "cannot": "You cannot vote on this.",
        "late": "You joined the group after this decision was opened, so you do not vote on it: "
        "the people who were in the group then decide.",
        "so_far": "So far: 0 objections, 1 in favour, of 3 who decide.",
        "closes": "Voting closes on {date}, or as soon as everyone has voted.",
        "quorum": "At least 3 votes are needed for the outcome to count.",
        "paused": "Nothing of this decision runs while the group pauses",
        "resumed": "Anna de Vries resumed the initiative after 2 days; the closing moment of 1 "
        "open decision moved on by the time paused",
    },
    "nl": {
        "who": "Wie beslist: de 3 mensen die in de groep zaten toen het besluit begon: "
        "Anna de Vries, Bram Bakker, Cor Jansen",
        "until": "Bezwaar maken kan tot {date}.",
        "cannot": "Je kunt hier niet over stemmen.",
        "late": "Je deed mee nadat dit besluit was geopend. Daarom stem je er niet over: de mensen "
        "die toen in de groep zaten, beslissen.",
        "so_far": "Tot nu toe: 0 bezwaren, 1 voor, van 3 die beslissen.",
        "closes": "De stemming sluit op {date}, of zodra iedereen heeft gestemd.",
        "quorum": "Er zijn minstens 3 stemmen nodig om de uitkomst te laten tellen.",
        "paused": "Zolang de groep pauzeert, gebeurt er niets met dit besluit",
        "resumed": "Anna de Vries heeft het initiatief na 2 dagen hervat; het sluitmoment van 1 "
        "open besluit is opgeschoven met de tijd van de pauze",
    },
}


def _text(response) -> str:
    return response.get_data(as_text=True)


def _shown(value, locale: str) -> str:
    """A moment as the page shows it (white space folded, as :func:`_flat` does)."""
    return " ".join(show_moment(value, locale, ZONE).split())


def _flat(page: str) -> str:
    """The page's text with tags dropped and white space folded, as a reader sees it."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split()).replace(" .", ".").replace(" ,", ",")


def _consent_decision(db_session):
    """Anna, Bram and Cor asked at a consent decision five days ago; Bram agreed; Dewi joined
    today (the period ends in two days)."""
    now = utcnow()
    item, group = initiative_with_group(db_session, now - 6 * DAY, members=2)
    anna, bram, _ = group
    fire_transition(db_session, anna, item.id, "start", now - 6 * DAY)
    decision = open_decision(db_session, anna, item.id, "plan", now - 5 * DAY, question="Door?")
    cast_vote(db_session, bram, decision.id, "for", now - 5 * DAY)
    dewi = factories.newcomer(db_session, item, now, "Dewi Smit")
    db_session.commit()
    return item, group, dewi, decision


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_the_panel_says_who_decides_and_until_when(client, db_session, locale):
    item, (anna, *_), _, decision = _consent_decision(db_session)
    words = WORDS[locale]
    browse_as(client, anna, locale)
    page = _flat(_text(client.get(f"/initiatives/{item.id}")))
    assert words["who"] in page
    assert words["until"].format(date=_shown(decision.closes_dt, locale)) in page
    assert words["so_far"] in page
    assert words["cannot"] not in page


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_late_joiner_is_told_why_they_cannot_vote(client, db_session, locale):
    item, _, dewi, decision = _consent_decision(db_session)
    words = WORDS[locale]
    browse_as(client, dewi, locale)
    raw = _text(client.get(f"/initiatives/{item.id}"))
    page = _flat(raw)
    assert f"{words['cannot']} {words['late']}" in page
    vote_url = f"/initiatives/{item.id}/decisions/{decision.id}/vote"
    assert f'action="{vote_url}"' not in raw  # no form to vote with
    # sent anyway (an old page, a crafted post): refused, nothing counted
    response = submit(client, item.id, vote_url, {"choice": "object", "comment": "Nee"})
    assert response.status_code == 403
    assert words["late"] in _flat(_text(response))
    db_session.rollback()
    assert db_session.scalar(select(Vote.id).where(Vote.person_id == dewi.id)) is None


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_majority_vote_shows_its_closing_moment_and_quorum(client, db_session, locale):
    now = utcnow()
    item, (anna, bram, cor, dewi, eva) = initiative_with_group(db_session, now, members=4)
    fire_transition(db_session, anna, item.id, "start", now)
    consent = open_decision(db_session, anna, item.id, "plan", now)
    for p in (anna, bram, cor, dewi, eva):
        cast_vote(db_session, p, consent.id, "for", now)
    fire_transition(db_session, anna, item.id, "plan", now)
    vote = open_decision(db_session, anna, item.id, "hand_over", now)
    for p in (anna, bram, cor):
        cast_vote(db_session, p, vote.id, "for", now)
    db_session.commit()
    words = WORDS[locale]
    browse_as(client, bram, locale)
    page = _flat(_text(client.get(f"/initiatives/{item.id}")))
    assert words["closes"].format(date=_shown(vote.closes_dt, locale)) in page
    assert words["quorum"] in page
    so_far = {"en": "So far: 3 for, 0 against, of 5 who decide.",
              "nl": "Tot nu toe: 3 voor, 0 tegen, van 5 die beslissen."}  # fmt: skip
    assert so_far[locale] in page  # three of five for: still open


@pytest.mark.parametrize("locale", ["en", "nl"])
def test_a_paused_decision_takes_no_votes_and_its_moment_moves(client, db_session, locale):
    item, (anna, bram, cor), _, decision = _consent_decision(db_session)
    words = WORDS[locale]
    closes = decision.closes_dt
    now = utcnow()
    pause_initiative(db_session, anna, item.id, reason="Zomerstop", now=now - 2 * DAY)
    db_session.commit()
    browse_as(client, cor, locale)
    raw = _text(client.get(f"/initiatives/{item.id}"))
    assert words["paused"] in _flat(raw)
    assert f'action="/initiatives/{item.id}/decisions/{decision.id}/vote"' not in raw
    response = submit(
        client, item.id, f"/initiatives/{item.id}/decisions/{decision.id}/vote", {"choice": "for"}
    )
    assert response.status_code == 409
    resume_initiative(db_session, anna, item.id, now=now)
    db_session.commit()
    assert decision.closes_dt == closes + 2 * DAY
    page = _flat(_text(client.get(f"/initiatives/{item.id}")))
    assert words["until"].format(date=_shown(decision.closes_dt, locale)) in page
    assert words["resumed"] in page
