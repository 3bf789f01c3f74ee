"""The accessibility statement, privacy statement and contact page, from the footer."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.pages import statement_pages, t


def test_the_footer_says_whose_site_it_is_and_leads_to_the_statements(open_page, lang):
    page = open_page(lang)
    page.goto("/")
    expect(page.locator("footer")).to_contain_text(
        t(lang, "Een website van Gemeente Groningen", "A site of Gemeente Groningen")
    )
    statement_pages(page, lang)
