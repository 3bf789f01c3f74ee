"""The required pages say whose site it is, from the settings, in Dutch and in English."""

from __future__ import annotations

import re

import pytest

from tests.factories import browse_as
from tests.web.conftest import make_app

PAGES = ("/toegankelijkheidsverklaring", "/privacy", "/contact")


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split())


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "nl",
            {
                "/toegankelijkheidsverklaring": [
                    "Toegankelijkheidsverklaring",
                    "voldoet gedeeltelijk",
                    "axe-core",
                    "met alleen het toetsenbord",
                    "30 november 2026",
                    "verbinding@groningen.nl",
                ],
                "/privacy": [
                    "Privacyverklaring",
                    "Wat we bewaren",
                    "7 jaar na",
                    "privacy@groningen.nl",
                    "Autoriteit Persoonsgegevens",
                ],
                "/contact": ["Contact", "14 050", "Kreupelstraat 1, 9712 HW Groningen"],
            },
        ),
        (
            "en",
            {
                "/toegankelijkheidsverklaring": [
                    "Accessibility statement",
                    "meets the requirements in part",
                    "axe-core",
                    "keyboard only",
                    "30 November 2026",
                    "verbinding@groningen.nl",
                ],
                "/privacy": [
                    "Privacy statement",
                    "What we keep",
                    "7 years after",
                    # the sweeper's periods, at their defaults (engine.privacy.retention)
                    "The text of an e-mail we sent: 30 days.",
                    "and an invitation: 7 days.",
                    "A notification: 365 days.",
                ],
                "/contact": ["Contact", "14 050", "Kreupelstraat 1"],
            },
        ),
    ],
)
def test_each_page_in_each_language(client, locale, expected):
    browse_as(client, locale=locale)
    for path, words in expected.items():
        response = client.get(path)
        assert response.status_code == 200
        text = _text(response)
        missing = [w for w in words if w not in text]
        assert not missing, (path, missing)
        # and the footer on every page leads to all three
        page = response.get_data(as_text=True)
        footer = page[page.index("<footer") :]
        assert all(f'href="{p}"' in footer for p in PAGES)
        assert "Gemeente Groningen" in footer


def test_another_municipality_runs_the_same_pages(web_app, tmp_path, smtp_sink):
    other = make_app(
        web_app.config["VERBINDING"].database_url,
        tmp_path / "instance",
        smtp_sink.url,
        VERBINDING_MUNICIPALITY_NAME="Gemeente Westerkwartier",
        VERBINDING_CONTACT_EMAIL="loket@westerkwartier.example",
        VERBINDING_CONTACT_PHONE="0594 123 456",
        VERBINDING_CONTACT_ADDRESS="Hooiweg 8, Zuidhorn",
        VERBINDING_PRIVACY_CONTACT="fg@westerkwartier.example",
        VERBINDING_RETENTION_YEARS="1",
        VERBINDING_ACCESSIBILITY_STATUS="full",
        VERBINDING_ACCESSIBILITY_CHECKED="2027-02-01",
    )
    client = other.test_client()
    browse_as(client, locale="nl")
    statement = _text(client.get("/toegankelijkheidsverklaring"))
    assert "voldoet volledig" in statement and "1 februari 2027" in statement
    assert "Gemeente Westerkwartier" in statement and "Groningen" not in statement
    privacy = _text(client.get("/privacy"))
    assert "fg@westerkwartier.example" in privacy and "1 jaar na" in privacy
    contact = _text(client.get("/contact"))
    assert "0594 123 456" in contact and "Hooiweg 8, Zuidhorn" in contact
    home = client.get("/").get_data(as_text=True)
    heading = home[home.index("<h1") : home.index("</h1>")]
    assert "Buurtinitiatieven in Gemeente Westerkwartier" in heading
    other.extensions["verbinding"].close()


def test_the_pages_read_the_settings_themselves(web_app):
    """One source: what the statements say comes from the running settings, not a copy of
    some of their fields (a new setting needs no second place to show)."""
    with web_app.test_request_context("/privacy"):
        context: dict = {}
        web_app.update_template_context(context)
    assert context["site"] is web_app.config["VERBINDING"]
