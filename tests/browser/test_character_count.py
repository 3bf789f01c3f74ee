"""A field with a limit counts down as you type (the GOV.UK character count), in the page's
language; a screen reader hears it politely, after a pause; without JavaScript the hint alone
says the limit and the browser keeps to it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible
from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.pages import login, t, use_language


def _description(page):
    """The initiative's description on the form to start one: a text area with a limit."""
    field = page.locator(".vb-field[data-count-max]").filter(has=page.locator("textarea")).first
    return field, field.locator("textarea"), int(field.get_attribute("data-count-max"))


def test_the_count_goes_down_and_then_says_how_many_too_many(open_page, lang):
    page = open_page(lang)
    login(page, "pieter@example.nl", DEMO_PASSWORD, check=False)
    use_language(page, lang)
    page.goto("/initiatives/new")
    field, box, limit = _description(page)
    # the hint stays; the count comes under the field, for the eye only
    expect(field.locator(".vb-limit")).to_have_text(
        t(lang, f"Maximaal {limit} tekens.", f"At most {limit} characters.")
    )
    count = field.locator(".vb-count")
    expect(count).to_have_attribute("aria-hidden", "true")
    expect(count).to_have_text(
        t(lang, f"Je hebt nog {limit} tekens over", f"You have {limit} characters left")
    )
    status = field.locator("[aria-live=polite]")
    expect(status).to_have_text("")  # nothing said before anyone typed
    box.fill("x" * (limit - 1))
    one_left = t(lang, "Je hebt nog 1 teken over", "You have 1 character left")
    expect(count).to_have_text(one_left)
    expect(status).to_have_text(one_left)  # a second after typing stopped
    # a line break is two characters, as the form sends it (CR LF) and the server counts it
    box.fill("x" * (limit - 3) + "\n")
    expect(count).to_have_text(one_left)
    # no maxlength any more: a longer text is not cut off but counted
    box.fill("x" * (limit + 3))
    too_many = t(lang, "Je hebt 3 tekens te veel", "You have 3 characters too many")
    expect(count).to_have_text(too_many)
    expect(count).to_have_class("utrecht-form-field-description vb-count vb-count--over")
    expect(status).to_have_text(too_many)
    assert_accessible(page, "a text area over its limit")


def test_without_javascript_the_hint_says_the_limit(browser, live, lang):
    context = browser.new_context(
        base_url=live.url, java_script_enabled=False, locale={"nl": "nl-NL", "en": "en-GB"}[lang]
    )
    try:
        page = context.new_page()
        page.goto(f"/language/{lang}?next=/register")
        field = page.locator(".vb-field[data-count-max]").first
        limit = field.get_attribute("data-count-max")
        expect(field.locator("input")).to_have_attribute("maxlength", limit)
        expect(field.locator(".vb-limit")).to_have_text(
            t(lang, f"Maximaal {limit} tekens.", f"At most {limit} characters.")
        )
        expect(field.locator(".vb-count")).to_have_count(0)
    finally:
        context.close()
