"""The group's words inside the app's sentences carry their language (WCAG 3.1.2): on an English
page a Dutch step title in a history line, the title in a back link or a heading, a
notification; in an English mail's HTML body too. On a Dutch page nothing is marked."""

from __future__ import annotations

from engine.config import default_config
from engine.db import utcnow
from engine.notifications.mail import Shown, compose_mail
from engine.operations import add_step, fire_transition, open_decision, update_step
from engine.reminders.digests import Site
from tests.factories import browse_as, initiative_with_group

NL = '<span lang="nl">'


def _page(client, url: str) -> str:
    return client.get(url).get_data(as_text=True)


def _group_with_a_step(db_session):
    now = utcnow()
    item, (anna, bram) = initiative_with_group(db_session, now)
    step = add_step(db_session, anna, item.id, stage_key=item.state, title="Buren <vragen>",
                    now=now)  # fmt: skip
    update_step(db_session, anna, item.id, step.id, title="Buren bellen", owner_id=bram.id,
                due_date=None, now=now)  # fmt: skip
    db_session.commit()
    return item, anna, bram


def test_an_english_page_marks_dutch_words_inside_its_sentences(client, db_session):
    item, anna, _ = _group_with_a_step(db_session)
    browse_as(client, anna, locale="en")
    history = _page(client, f"/initiatives/{item.id}/history")
    # the step's title in history lines, escaped inside its span
    assert f"Anna de Vries added the step ‘{NL}Buren &lt;vragen&gt;</span>’" in history
    assert (
        f"Anna de Vries changed the step ‘{NL}Buren bellen</span>’: renamed it from "
        f"‘{NL}Buren &lt;vragen&gt;</span>’, gave it to Bram Bakker"
    ) in history
    # the initiative's title in a heading and in a back link
    assert f"History of “{NL}Groen op de Voermanhaven</span>”" in history
    assert f"Back to “{NL}Groen op de Voermanhaven</span>”" in history
    group = _page(client, f"/initiatives/{item.id}/members")
    assert f"The group of “{NL}Groen op de Voermanhaven</span>”</h1>" in group
    # the page's <title> cannot hold markup: the words stand there as they are
    assert "<title>History · Groen op de Voermanhaven · Verbinding</title>" in history


def test_a_dutch_page_marks_nothing(client, db_session):
    item, anna, _ = _group_with_a_step(db_session)
    browse_as(client, anna, locale="nl")
    history = _page(client, f"/initiatives/{item.id}/history")
    assert "lang=" not in history.split("<body", 1)[1].replace('lang="en" hreflang', "")
    assert "‘Buren bellen’" in history


def test_a_notification_marks_the_groups_words(client, db_session):
    now = utcnow()
    item, (anna, bram) = initiative_with_group(db_session, now)
    fire_transition(db_session, anna, item.id, "start", now)
    open_decision(db_session, anna, item.id, "plan", now, question="Zijn we klaar?")
    db_session.commit()
    browse_as(client, bram, locale="en")
    page = _page(client, "/notifications")
    assert f"Anna de Vries asks the group to decide: “{NL}Zijn we klaar?</span>”." in page
    assert f"{NL}Groen op de Voermanhaven</span> · <time" in page
    client.get("/language/nl?next=/")
    page = _page(client, "/notifications")
    assert "Anna de Vries vraagt de groep om een besluit: “Zijn we klaar?”." in page
    assert NL not in page


def test_a_notification_mail_marks_the_groups_words_in_its_html():
    site = Site(base_url="https://verbinding.example", secret="geheim")
    data = {"initiative": "Bankjes <aan> de kade", "actor": "Anna", "title": "Zijn we klaar?",
            "language": "nl"}  # fmt: skip
    shown = [Shown("decision_opened", 7, data, "/initiatives/7")]
    english = compose_mail(shown, "en", site, default_config(), digest=False)
    assert f"Anna asks the group to decide: “{NL}Zijn we klaar?</span>”." in english.html
    assert f"{NL}Bankjes &lt;aan&gt; de kade</span>" in english.html
    # a subject is plain text: no markup, the words as they are
    said = "Anna asks the group to decide: “Zijn we klaar?”."
    assert english.subject == f"Bankjes <aan> de kade: {said}"
    assert "<span" not in english.text
    dutch = compose_mail(shown, "nl", site, default_config(), digest=False)
    assert NL not in dutch.html and "Bankjes &lt;aan&gt; de kade" in dutch.html
    # an event recorded before the language was kept is shown unmarked
    old = [Shown("decision_opened", 7, {**data, "language": None}, "/initiatives/7")]
    assert NL not in compose_mail(old, "en", site, default_config(), digest=False).html


def test_the_event_keeps_the_language_its_words_are_written_in(db_session):
    from sqlalchemy import select

    from engine.models.notifications import NotificationEvent

    now = utcnow()
    item, (anna, _) = initiative_with_group(db_session, now)
    item.language = "en"
    fire_transition(db_session, anna, item.id, "start", now)
    open_decision(db_session, anna, item.id, "plan", now, question="Are we ready?")
    found = select(NotificationEvent).where(NotificationEvent.initiative_id == item.id)
    newest = db_session.scalars(found.order_by(NotificationEvent.id.desc())).first()
    assert newest.kind == "decision_opened" and newest.data["language"] == "en"
