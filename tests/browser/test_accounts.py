"""Accounts in a real browser, in Dutch and English, with axe on every page and error state."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible, assert_focus_visible, tab_to
from tests.browser.pages import (
    PASSWORD,
    expect_flash,
    expect_lang,
    login,
    logout,
    main_form,
    register,
    submit,
    t,
    unique_email,
)


def test_register_log_out_and_log_in_again(open_page, lang):
    page = open_page(lang)
    page.goto("/")
    expect_lang(page, lang)
    assert_accessible(page, "home, anonymous")

    # an empty form comes back with errors tied to the fields, summarised at the top
    page.goto("/register")
    submit(page)
    summary = page.locator(".vb-error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#email")).to_have_attribute("aria-describedby", "email-error")
    assert_accessible(page, "register with errors")

    # passwords that differ are refused; what was typed stays
    email = unique_email()
    page.fill("#name", "Noor Hoekstra")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.fill("#confirm", PASSWORD + "x")
    submit(page)
    expect(page.locator("#confirm-error")).to_contain_text(
        t(lang, "De wachtwoorden verschillen.", "The passwords differ.")
    )
    expect(page.locator("#name")).to_have_value("Noor Hoekstra")
    assert_accessible(page, "register, passwords differ")

    register(page, lang, "Noor Hoekstra", email)
    assert_accessible(page, "home after registering")
    logout(page)
    expect_flash(page, t(lang, "Je bent uitgelogd.", "You are logged out."))
    assert_accessible(page, "home after logging out")

    # a wrong password says so without telling which part was wrong
    page.goto("/login")
    page.fill("#email", email)
    page.fill("#password", "niet-het-goede")
    submit(page)
    expect(page.locator(".vb-error-summary")).to_contain_text(
        t(
            lang,
            "Het e-mailadres of het wachtwoord klopt niet.",
            "The e-mail address or the password is not right.",
        )
    )
    expect(page.locator("#email")).to_have_value(email)
    assert_accessible(page, "login with a wrong password")

    login(page, email)
    expect_flash(page, t(lang, "Je bent ingelogd.", "You are logged in."))


def test_an_address_can_register_only_once_and_the_page_does_not_tell(open_page, live, lang):
    email = unique_email()
    first = open_page(lang)
    register(first, lang, "Sem Postma", email)
    other = open_page(lang)
    other.goto("/register")
    other.fill("#name", "Iemand Anders")
    other.fill("#email", email)
    other.fill("#password", PASSWORD)
    other.fill("#confirm", PASSWORD)
    submit(other)
    # the same words as for a new address; the owner gets a mail about it
    expect_flash(other, t(lang, f"We hebben een mail gestuurd naar {email}",
                          f"We sent a mail to {email}"))  # fmt: skip
    assert_accessible(other, "register, address taken")
    assert live.mail_link(email, r"/password/reset")


def test_password_reset_through_the_mailed_link(open_page, live, lang):
    email = unique_email("vergeten")
    page = open_page(lang)
    register(page, lang, "Jelle Dijkstra", email)
    logout(page)

    page.goto("/login")
    with page.expect_navigation():
        page.locator("main a[href$='/password/reset']").click()
    assert_accessible(page, "forgot password")
    submit(page)  # empty: an error, tied to the field
    expect(page.locator("#email")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "forgot password with an error")
    page.fill("#email", email)
    submit(page)
    expect_flash(page, email)
    assert_accessible(page, "login after asking for a link")

    link = live.mail_link(email, r"/password/new/")
    page.goto(link)
    expect_lang(page, lang)
    assert_accessible(page, "new password")
    page.fill("#password", "kort")
    page.fill("#confirm", "kort")
    submit(page)
    expect(page.locator("#password")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "new password too short")
    page.fill("#password", "een-nieuw-wachtwoord")
    page.fill("#confirm", "een-nieuw-wachtwoord")
    submit(page)
    expect_flash(
        page,
        t(lang, "Je nieuwe wachtwoord is ingesteld.", "Your new password is set."),
    )
    login(page, email, "een-nieuw-wachtwoord", check=False)

    # the link works once
    fresh = open_page(lang)
    fresh.goto(link)
    fresh.fill("#password", "nog-een-wachtwoord")
    fresh.fill("#confirm", "nog-een-wachtwoord")
    submit(fresh)
    assert fresh.url.endswith("/password/reset")
    expect(fresh.locator(".utrecht-alert--error")).to_be_visible()
    assert_accessible(fresh, "forgot password, link used")


def test_language_switch_keeps_the_page(open_page):
    page = open_page("nl")
    page.goto("/login")
    expect_lang(page, "nl")
    with page.expect_navigation():
        page.locator("a[hreflang='en']").click()
    expect_lang(page, "en")
    assert page.url.endswith("/login")
    expect(page.locator("h1")).to_have_text("Log in")
    with page.expect_navigation():
        page.locator("a[hreflang='nl']").click()
    expect_lang(page, "nl")
    expect(page.locator("h1")).to_have_text("Inloggen")


def test_not_found_page(open_page, lang):
    page = open_page(lang)
    response = page.goto("/deze-pagina-bestaat-niet")
    assert response.status == 404
    expect(page.locator("h1")).to_have_text(t(lang, "Pagina niet gevonden", "Page not found"))
    assert_accessible(page, "404")


def test_keyboard_only_skip_link_log_in_and_out(open_page, lang):
    """Tab, Enter and Space only: the skip link, the login form, the remember box, log out."""
    page = open_page(lang)
    page.goto("/")
    page.keyboard.press("Tab")
    first = assert_focus_visible(page)
    assert first["tag"] == "a" and first["text"] == t(lang, "Naar de inhoud", "Skip to content")
    assert page.locator(".vb-skip-link").bounding_box()["x"] >= 0  # shown when focused
    page.keyboard.press("Enter")
    assert page.url.endswith("#inhoud")
    assert page.evaluate("document.activeElement.id") == "inhoud"

    # from the main content, back up to the header's login link
    tab_to(page, "header a[href$='/login']", backwards=True)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    tab_to(page, "#email")
    page.keyboard.type("anna@example.nl")
    tab_to(page, "#password")
    page.keyboard.type("verbinding-demo")
    tab_to(page, "#remember")
    page.keyboard.press("Space")
    assert page.is_checked("#remember")
    tab_to(page, "main button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect_flash(page, "Je bent ingelogd.")  # Anna's account says Dutch
    if lang == "en":  # the switch in the header wins
        tab_to(page, "header a[hreflang=en]")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        expect_lang(page, "en")
    expect(page.locator("#mine")).to_be_visible()  # Anna's own initiatives
    assert_accessible(page, "home, logged in")

    tab_to(page, "form[action$='/logout'] button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("form[action$='/logout']")).to_have_count(0)


def test_form_errors_are_announced_and_reachable(open_page, lang):
    page = open_page(lang)
    page.goto("/login")
    submit(page)
    summary = page.locator(".vb-error-summary")
    # focused on load (autofocus, no JavaScript), named by its heading, "Error:" in the title
    expect(summary).to_be_focused()
    expect(summary.locator("h2")).to_have_text(t(lang, "Er is een probleem", "There is a problem"))
    assert page.title().startswith(t(lang, "Fout:", "Error:"))
    link = summary.locator("a[href='#email']")
    expect(link).to_have_count(1)
    link.click()
    assert page.evaluate("document.activeElement.id") == "email"
    assert main_form(page).count() == 1


def test_where_you_are_logged_in_a_new_password_and_log_out_everywhere(open_page, lang):
    email = unique_email("apparaten")
    page = open_page(lang)
    register(page, lang, "Fenna Bos", email)
    with page.expect_navigation():
        page.locator("header a[href$='/account']").click()
    with page.expect_navigation():
        page.locator("main a[href$='/account/sessions']").click()
    expect(page.locator("h1")).to_have_text(
        t(lang, "Waar je bent ingelogd", "Where you are logged in")
    )
    assert_accessible(page, "where you are logged in")
    form = page.locator("form[action$='/account/password']")
    form.locator("#current").fill("niet-het-goede")
    form.locator("#password").fill("nieuw-wachtwoord-1")
    form.locator("#confirm").fill("nieuw-wachtwoord-1")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    expect(page.locator("#current")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page, "new password, wrong current one")
    with page.expect_navigation():
        page.locator("form[action$='/account/sessions/end'] button").click()
    expect(page.locator("form[action$='/logout']")).to_have_count(0)
