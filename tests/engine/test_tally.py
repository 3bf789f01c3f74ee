"""The rules of a group decision and its outcome in words, in Dutch and English."""

from __future__ import annotations

import pytest

from engine.i18n import translate
from engine.tally import Ballot, Tally, outcome, outcome_sentence, votes_needed


def _tally(rule: str, *choices: str | None, quorum: int | None = None) -> Tally:
    ballots = tuple(Ballot(n, f"Bewoner {n}", choice) for n, choice in enumerate(choices, 1))
    return Tally(rule, ballots, quorum)


@pytest.mark.parametrize(
    ("electorate", "quorum", "needed"),
    [(5, None, 3), (4, None, 3), (1, None, 1), (0, None, 1), (5, 80, 4), (3, 50, 2), (5, 1, 1)],
)
def test_the_quorum_in_votes(electorate, quorum, needed):
    assert votes_needed(electorate, quorum) == needed


def test_a_majority_waits_for_everyone_or_its_closing_moment():
    half_and_one = _tally("majority", "for", "for", "for", None, None)
    assert outcome(half_and_one, period_over=False, closing=False) is None
    assert outcome(half_and_one, period_over=True, closing=False) == "approved"
    everyone = _tally("majority", "for", "for", "against", "against", "for")
    assert outcome(everyone, period_over=False, closing=False) == "approved"
    tied = _tally("majority", "for", "against", "for", "against")
    assert outcome(tied, period_over=False, closing=False) == "rejected"
    too_few = _tally("majority", "for", "for", None, None, None)
    assert outcome(too_few, period_over=True, closing=False) == "rejected"
    enough_for_the_template = _tally("majority", "for", "for", None, None, None, quorum=40)
    assert outcome(enough_for_the_template, period_over=True, closing=False) == "approved"


def test_consent_one_objection_rejects_and_silence_consents():
    assert outcome(_tally("consent", "for", "object", None), period_over=False, closing=False) == (
        "rejected"
    )
    assert outcome(_tally("consent", "for", None), period_over=False, closing=False) is None
    assert outcome(_tally("consent", "for", None), period_over=True, closing=False) == "approved"
    assert outcome(_tally("consent", "for", "for"), period_over=False, closing=False) == (
        "approved"
    )
    # nobody left to ask: not adopted before the period ends
    assert outcome(_tally("consent"), period_over=False, closing=False) is None


def test_initiators_all_agree_or_it_is_rejected():
    assert outcome(_tally("initiators", "for", None), period_over=False, closing=False) is None
    assert outcome(_tally("initiators", "for", "for"), period_over=False, closing=False) == (
        "approved"
    )
    assert outcome(_tally("initiators", "against", None), period_over=False, closing=False) == (
        "rejected"
    )
    assert outcome(_tally("initiators", "for", None), period_over=False, closing=True) == (
        "rejected"
    )


@pytest.mark.parametrize(
    ("status", "tally", "nl", "en"),
    [
        (
            "approved",
            _tally("majority", "for", "for", "for", "against", None),
            "Aangenomen: 3 voor, 1 tegen, van 5 die beslissen.",
            "Adopted: 3 for, 1 against, of 5 who decide.",
        ),
        (
            "rejected",
            _tally("consent", "object", "for", None),
            "Verworpen: 1 bezwaar, 1 voor, van 3 die beslissen.",
            "Rejected: 1 objection, 1 in favour, of 3 who decide.",
        ),
        (
            "open",
            _tally("consent", "object", "object", "for"),
            "Tot nu toe: 2 bezwaren, 1 voor, van 3 die beslissen.",
            "So far: 2 objections, 1 in favour, of 3 who decide.",
        ),
        (
            "used",
            _tally("initiators", "for"),
            "Aangenomen: 1 voor, 0 tegen, van 1 die beslist.",
            "Adopted: 1 for, 0 against, of 1 who decides.",
        ),
    ],
)
def test_the_outcome_in_words(status, tally, nl, en):
    sentence = outcome_sentence(status, tally)
    assert translate(sentence, "nl") == nl
    assert translate(sentence, "en") == en
