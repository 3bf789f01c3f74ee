"""The API tokens page and the API reference in a real browser, Dutch and English: axe finds
nothing on the empty page, the error state, the page with a new token, and the reference."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible
from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.pages import expect_lang, login, t, use_language


def test_tokens_page_and_api_reference(open_page, lang):
    page = open_page(lang)
    login(page, "joost@example.nl", DEMO_PASSWORD, check=False)
    use_language(page, lang)
    page.goto("/account/tokens")
    expect_lang(page, lang)
    assert_accessible(page, "api tokens")

    page.locator("main form button[type=submit]").last.click()
    expect(page.locator(".vb-error-summary").first).to_be_visible()
    assert_accessible(page, "api tokens, no name")

    page.fill("#name", "Wijkdashboard")
    page.select_option("#scope", "write")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("#new-token code")).to_contain_text("vb_")
    assert_accessible(page, "api tokens, new token")

    page.locator("main details.vb-confirm summary").first.click()
    page.locator("main details.vb-confirm button[type=submit]").first.click()
    expect(page.locator("main")).to_contain_text(t(lang, "Je hebt geen sleutels.",
                                                   "You have no tokens."))  # fmt: skip

    page.goto("/api/v1/")
    expect_lang(page, lang)
    expect(page.locator("main")).to_contain_text("/api/v1/initiatives/{initiative_id}")
    assert_accessible(page, "api reference")
