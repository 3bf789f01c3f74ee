"""Nothing a Dutch reader gets is left in English: mails, the calendar feed and the main pages.

Every message id whose Dutch translation differs from it (and that has at least three words, so
that ids like "OK" or "Status" make no noise) is looked for in Dutch output. A sentence that is
built from a variable, or a translation that is missing from the compiled catalogue, shows up
here as English in a Dutch page — the way the issue found "Step “…” was due 36 dagen geleden".
"""

from __future__ import annotations

import html
import re
from datetime import timedelta
from html.parser import HTMLParser

import pytest

from engine.db import utcnow
from engine.discussions.operations import post_message
from engine.i18n_tools import PARTS, read_catalog
from engine.models import CoachAssignment
from engine.operations import add_step, set_target_date
from engine.timeutil import local_date
from tests import factories
from tests.engine.reminders.mail_samples import SAMPLES, rendered
from tests.support import login

MIN_WORDS = 3
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*\d*(?:\.\d+)?[a-zA-Z%]")


def _english_ids() -> dict[str, re.Pattern[str]]:
    """English message ids that Dutch says differently, as patterns over one line of text."""
    found: dict[str, re.Pattern[str]] = {}
    for part in PARTS.values():
        for message in read_catalog(part.po("nl"), "nl"):
            if not message.id:
                continue
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else list(message.string)
            for msgid in ids:
                if msgid in strings:
                    continue
                pieces = PLACEHOLDER.split(" ".join(msgid.replace("%%", "%").split()))
                if sum(len(p.split()) for p in pieces) < MIN_WORDS:
                    continue
                pattern = r"[^\n]+?".join(re.escape(p) for p in pieces)
                found[msgid] = re.compile(pattern)
    return found


ENGLISH = _english_ids()


class _Text(HTMLParser):
    """The text a reader sees, one line per block, without scripts and styles."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        for name, value in attrs:  # what a screen reader or a hover reads
            if name in ("title", "aria-label", "alt", "placeholder") and value:
                self.parts.append(f"\n{value}\n")
        self.parts.append("\n" if tag in ("p", "li", "div", "tr", "h1", "h2", "h3", "br") else " ")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        self.parts.append(" ")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _Text()
    parser.feed(page)
    lines = ("".join(parser.parts)).splitlines()
    return "\n".join(" ".join(line.split()) for line in lines if line.strip())


def english_in(text: str) -> list[str]:
    flat = "\n".join(" ".join(html.unescape(line).split()) for line in text.splitlines())
    return sorted(msgid for msgid, pattern in ENGLISH.items() if pattern.search(flat))


def test_the_check_finds_english_in_a_dutch_sentence():
    """The very sentence the issue reported is caught; its Dutch is not."""
    assert english_in("- Step “Foto's maken” was due 36 dagen geleden, op 22 oktober 2026.")
    assert not english_in("- De deadline van stap “Foto's maken” was 36 dagen geleden.")
    assert len(ENGLISH) > 200


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_dutch_mail_and_feed_have_no_english(name):
    assert english_in(rendered(name, "nl")) == []


@pytest.fixture(scope="module")
def place(web_app):
    """A group with a member, an initiator and a partner; a step past due; a stage target;
    a support request waiting for the municipality; and the coach who follows them."""
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    try:
        people = factories.people_in_every_role(session, now - timedelta(days=40))
        item = factories.initiative_for_roles(session, now - timedelta(days=40), people)
        member, initiator = people["member"], people["initiator"]
        today = local_date(now)
        add_step(
            session, initiator, item.id, stage_key=item.state, title="Foto's maken van de kade",
            owner_id=member.id, due_date=today - timedelta(days=3), now=now,
        )  # fmt: skip
        set_target_date(session, initiator, item.id, stage_key=item.state,
                        target_date=today + timedelta(days=20), now=now)  # fmt: skip
        request = factories.filed_request(session, item, member, now)
        session.add(CoachAssignment(coach_id=people["coach"].id, initiative_id=item.id,
                                    created_dt=now))  # fmt: skip
        session.flush()
        said = post_message(session, member, initiative_id=item.id, now=now,
                            body="Wie helpt zaterdag?")  # fmt: skip
        post_message(session, people["coach"], initiative_id=item.id, now=now, body="Ik!",
                     parent_id=said.id)  # fmt: skip
        post_message(session, people["coach"], initiative_id=item.id, now=now, body="Apart",
                     channel="coaches")  # fmt: skip
        session.commit()
        return {
            "item": item.id,
            "request": request.id,
            "member": member.email,
            "coach": people["coach"].email,
        }
    finally:
        session.close()


def _dutch(web_app, email: str):
    client = web_app.test_client()
    login(client, email, factories.PASSWORD)
    client.get("/language/nl")
    return client


PAGES = {
    "member": [
        "/",
        "/initiatives/{item}",
        "/initiatives/{item}/history",
        "/initiatives/{item}/stages/execution/steps/new",
        "/initiatives/{item}/support/{request}",
        "/initiatives/{item}/discussion",
        "/reminders/preferences",
    ],
    "coach": [
        "/",
        "/initiatives/{item}",
        "/initiatives/{item}/support/{request}",
        "/coach/",
        "/coach/initiatives/{item}",
        "/initiatives/{item}/discussion",
        "/initiatives/{item}/discussion/coaches",
        "/support/",
        "/reminders/preferences",
    ],
}


@pytest.mark.parametrize("who", sorted(PAGES))
def test_dutch_pages_have_no_english(web_app, place, who):
    client = _dutch(web_app, place[who])
    problems = {}
    for url in PAGES[who]:
        url = url.format(**place)
        response = client.get(url)
        assert response.status_code == 200, url
        page = response.get_data(as_text=True)
        assert '<html lang="nl"' in page, url
        found = english_in(visible_text(page))
        if found:
            problems[url] = found
    assert problems == {}


def test_the_check_reads_pages(web_app, place):
    """The same page in English is full of the ids the Dutch pages are checked for."""
    client = _dutch(web_app, place["member"])
    client.get("/language/en")
    page = client.get("/initiatives/{item}".format(**place)).get_data(as_text=True)
    assert len(english_in(visible_text(page))) > 10
