"""The words of docs/woordenlijst.md hold in both catalogues and on the pages people read."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from babel.support import Translations

from engine.db import utcnow
from engine.i18n_tools import PARTS, read_catalog
from tests import factories
from tests.factories import browse_as
from tests.web.conftest import make_app

GLOSSARY = (Path(__file__).parents[3] / "docs" / "woordenlijst.md").read_text(encoding="utf-8")

#: Dutch the issue found wrong, and what the glossary says instead: pattern → why
BAD_DUTCH = {
    r"\brunnen\b": "leiden",
    r"\bcaseload\b": "werkoverzicht",
    r"\bovergang(en)?\b": "overstap",
    r"\btoezeg|toegezegd": "goedkeuren / aannemen",
    r"\bhoogstens\b": "niet meer dan",
    r"\bde bewoners wordt\b": "actief: we vragen de bewoners",
    r"beurt is nog niet aan de beurt": "nog niet geweest",
    r"\bright to challenge\b": "uitdaagrecht",
    r"^consent\b|\bconsent:": "instemming",
    r"Procesjabloon: Kies een procesjabloon": "een melding die zelf zegt wat er moet",
    r"\bbeheerafspraak": "onderhoudsafspraak",
}
#: officialese (ambtelijke taal) that B1 Dutch says plainly: pattern → the plain word
OFFICIALESE = {
    r"\bindien\b": "als",
    r"\bdien(t|en) te\b": "moet",
    r"\bteneinde\b": "om",
    r"\bbetreffende\b": "over",
    r"\bmiddels\b": "met",
    r"\balsmede\b": "en",
    r"\breeds\b": "al",
    r"\bthans\b": "nu",
    r"\bderhalve\b": "daarom",
    r"\binzake\b": "over",
    r"\bten behoeve van\b": "voor",
    r"\bgelieve\b": "wil je",
    r"\bdan wel\b": "of",
    r"\bu\b|\buw\b": "je, jouw",
}


def _dutch_strings():
    for name, part in PARTS.items():
        for message in read_catalog(part.po("nl"), "nl"):
            if not message.id:
                continue
            strings = [message.string] if isinstance(message.string, str) else message.string
            for text in strings:
                yield name, message.id, text or ""


def test_no_dutch_message_uses_a_word_the_glossary_rules_out():
    found = [
        (name, msgid, text, instead)
        for name, msgid, text in _dutch_strings()
        for pattern, instead in BAD_DUTCH.items()
        if re.search(pattern, text, re.I)
    ]
    assert found == []
    # the glossary lists the words it rules out, so translators find them there
    for word in ("runnen", "caseload", "overgang", "toezeggen", "hoogstens", "uitdaagrecht"):
        assert word in GLOSSARY.lower(), word


def test_no_dutch_message_is_officialese():
    found = [
        (name, msgid, text, instead)
        for name, msgid, text in _dutch_strings()
        for pattern, instead in OFFICIALESE.items()
        if re.search(pattern, text, re.I)
    ]
    assert found == []
    samples = ["Indien je wilt", "Je dient te bevestigen", "Dit is reeds gedaan",
               "middels deze link", "Vul uw naam in"]  # fmt: skip
    for sample in samples:
        assert any(re.search(p, sample, re.I) for p in OFFICIALESE), sample


#: Dutch words an English sentence used instead of the English one (the glossary's column)
DUTCH_IN_ENGLISH = re.compile(
    r"\b(wijk|wijken|wijkavond|stadsdeel|gemeente|bewoners?|zelfbeheer)\b", re.I
)


def test_no_english_message_uses_a_dutch_word():
    """English pages say "neighbourhood", not "wijk" ("Your wijk", "Supporters per wijk")."""
    found = []
    for part in PARTS.values():
        for message in read_catalog(part.po("en"), "en"):
            if not message.id:
                continue
            ids = [message.id] if isinstance(message.id, str) else list(message.id)
            strings = [message.string] if isinstance(message.string, str) else message.string
            for text in [*ids, *strings]:
                # an example of a Dutch title or place is the user's own words, not the UI's
                words = re.sub(r"%\(\w+\)\w", "", text or "")
                if "for example" not in words.lower() and DUTCH_IN_ENGLISH.search(words):
                    found.append(text)
    assert found == []


def test_the_check_catches_what_the_issue_found():
    samples = ["Hier runnen bewoners", "Caseload", "Volgende overgangen", "Toezeggen",
               "Hoogstens 200 tekens.", "Deze beurt is nog niet aan de beurt",
               "consent: aangenomen"]  # fmt: skip
    for sample in samples:
        assert any(re.search(p, sample, re.I) for p in BAD_DUTCH), sample


# --- plural forms ---------------------------------------------------------------------------

#: a number right before a noun that changes with it ("1 dagen")
COUNTED = re.compile(
    r"%\(\w+\)[sd] (days?|weeks?|months?|years?|hours?|members?|steps?|objections?|votes?|events?|"
    r"requests?|turns?|times|working days?|stages?|documents?|tasks?|people|initiatives?)\b"
)
#: numbers that can never be 1 here, or that are not whole numbers
NEVER_ONE = {
    "More than %(num)d initiatives",  # more than 10,000
    "You need at least %(count)s members to get going.",  # shown only above 1
    "%(stage)s: median %(median)s days, quartiles %(q1)s to %(q3)s",  # a decimal figure
    "This rule does not happen in the next %(years)d years.",  # the horizon of the rule check
}


def test_a_number_meets_its_noun_through_plural_forms():
    single = []
    for part in PARTS.values():
        with part.pot.open("rb") as f:
            for message in read_po(f):
                if isinstance(message.id, str) and message.id and message.id not in NEVER_ONE:
                    if COUNTED.search(message.id):
                        single.append(message.id)
    assert single == [], "use ngettext / nmsg for these"


@pytest.mark.parametrize(
    ("part", "singular", "plural", "one", "two"),
    [
        ("web", "The whole history (%(num)d event)", "The whole history (%(num)d events)",
         "De hele geschiedenis (1 gebeurtenis)", "De hele geschiedenis (2 gebeurtenissen)"),
        ("web", "The template counts on about %(num)d day.",
         "The template counts on about %(num)d days.",
         "Het procesjabloon rekent op ongeveer 1 dag.",
         "Het procesjabloon rekent op ongeveer 2 dagen."),
        ("engine", "%(num)d objection", "%(num)d objections", "1 bezwaar", "2 bezwaren"),
        ("engine", "Accept the invitation within %(num)d day with this link:",
         "Accept the invitation within %(num)d days with this link:",
         "Neem de uitnodiging binnen 1 dag aan met deze link:",
         "Neem de uitnodiging binnen 2 dagen aan met deze link:"),
    ],
)  # fmt: skip
def test_one_and_more_in_dutch(part, singular, plural, one, two):
    dutch = Translations.load(str(PARTS[part].pot.parent), ["nl"])
    assert dutch.ngettext(singular, plural, 1) % {"num": 1} == one
    assert dutch.ngettext(singular, plural, 2) % {"num": 2} == two


def test_one_day_on_a_page(web_app, tmp_path, smtp_sink):
    """A setting of 1 reads "1 dag", not "1 dagen" (the caseload's stalled days)."""
    app = make_app(
        web_app.config["VERBINDING"].database_url, tmp_path / "instance", smtp_sink.url,
        VERBINDING_STALLED_DAYS="1",
    )  # fmt: skip
    session = app.extensions["verbinding"].sessions()
    coach = factories.staff(session, utcnow())
    session.commit()
    client = app.test_client()
    browse_as(client, coach, locale="nl")
    page = client.get("/coach/").get_data(as_text=True)
    session.close()
    app.extensions["verbinding"].close()
    assert "Een initiatief waar 1 dag niets gebeurt" in page and "1 dagen" not in page


# --- words in the wrong language on a page --------------------------------------------------


class _Visible(HTMLParser):
    """The page's text and labels, leaving out what is marked as another language (user
    content with lang, the language switch) and scripts."""

    def __init__(self, page_lang: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_lang, self.stack, self.parts = page_lang, [], []

    VOID = {"br", "img", "input", "meta", "link", "hr", "source", "col", "area", "wbr"}

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
            return
        given = dict(attrs).get("lang")
        other = bool(given and given != self.page_lang) or tag in ("script", "style")
        self.stack.append(other or (self.stack[-1] if self.stack else False))

    def handle_endtag(self, tag):
        if tag not in self.VOID and self.stack:
            self.stack.pop()

    def handle_data(self, data):
        if not (self.stack and self.stack[-1]):
            self.parts.append(data)

    @classmethod
    def text(cls, page: str, lang: str) -> str:
        parser = cls(lang)
        parser.feed(page)
        return " ".join(" ".join(parser.parts).split())


#: English words that must not appear on a Dutch page, and Dutch ones on an English page
ENGLISH_WORDS = ("Caseload", "Right to challenge", "consent", "Look soon", "Template", "Submit",
                 "Stage", "Step", "Due", "Overdue", "Stalled", "Dashboard", "the")  # fmt: skip
DUTCH_WORDS = ("wijk", "stadsdeel", "procesbegeleider", "zelfbeheer", "initiatiefnemer",
               "Werkoverzicht", "het", "een")  # fmt: skip


@pytest.fixture(scope="module")
def sample(web_app):
    session = web_app.extensions["verbinding"].sessions()
    now = utcnow()
    try:
        coach = factories.staff(session, now)
        item, (anna, _) = factories.initiative_with_group(session, now, workflow="vergroening")
        session.commit()
        return {"coach": coach, "anna": anna, "item": item.id}
    finally:
        session.close()


SAMPLE_PAGES = {
    "anna": ["/", "/initiatives/{item}", "/initiatives/{item}/history", "/initiatives/new"],
    "coach": ["/coach/", "/coach/overview", "/support/", "/initiatives/{item}"],
    None: ["/toegankelijkheidsverklaring", "/privacy", "/contact", "/login", "/register"],
}


@pytest.mark.parametrize(("lang", "words"), [("nl", ENGLISH_WORDS), ("en", DUTCH_WORDS)])
@pytest.mark.parametrize("who", ["anna", "coach", None])
def test_no_words_of_the_other_language_on_a_page(web_app, sample, who, lang, words):
    client = web_app.test_client()
    browse_as(client, sample[who] if who else None, locale=lang)
    found = {}
    for url in SAMPLE_PAGES[who]:
        url = url.format(**sample)
        response = client.get(url)
        assert response.status_code == 200, url
        text = _Visible.text(response.get_data(as_text=True), lang)
        hits = [w for w in words if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text)]
        if hits:
            found[url] = hits
    assert found == {}
