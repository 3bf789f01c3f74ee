"""What a person does in the browser, as small steps the flow tests combine."""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_accessible

PASSWORD = "wachtwoord-123"
#: the served app (conftest's ``live`` puts it here), for the links in the mail it sends
LIVE: list = []


#: whether the element sits in a closed fold-out (``<details>``) that shows its summary (a fold
#: for phones, ``vb-fold``, hides its summary and stays open on a wide screen)
CLOSED_FOLD = """el => { const d = el.closest('details');
  if (!d || d.open) return false;
  return getComputedStyle(d.querySelector(':scope > summary')).display !== 'none' }"""


def t(lang: str, nl: str, en: str) -> str:
    """The text a reader sees in their language."""
    return nl if lang == "nl" else en


def unique_email(prefix: str = "bewoner") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}@example.nl"


def main_form(page: Page):
    """The (first) form with a submit button inside the main content."""
    return page.locator("main form:has(button[type=submit])").first


def submit(page: Page) -> None:
    with page.expect_navigation():
        main_form(page).locator("button[type=submit]").first.click()


def expect_lang(page: Page, lang: str) -> None:
    expect(page.locator("html")).to_have_attribute("lang", lang)


def expect_flash(page: Page, text: str) -> None:
    expect(page.locator(".vb-flashes")).to_contain_text(text)


def use_language(page: Page, lang: str) -> None:
    """Switch the site's language with the link in the header (it wins over the account's)."""
    link = page.locator(f"header a[hreflang='{lang}']")
    if link.count():
        with page.expect_navigation():
            link.click()
    expect_lang(page, lang)


def register(page: Page, lang: str, name: str, email: str, password: str = PASSWORD) -> None:
    page.goto("/register")
    expect_lang(page, lang)
    assert_accessible(page, "register")
    page.fill("#name", name)
    page.fill("#email", email)
    page.fill("#password", password)
    page.fill("#confirm", password)
    submit(page)
    expect_flash(page, t(lang, f"We hebben een mail gestuurd naar {email}",
                         f"We sent a mail to {email}"))  # fmt: skip
    confirm_address(page, lang, name, email)
    login(page, email, password, check=False)


def confirm_address(page: Page, lang: str, name: str, email: str) -> None:
    """Open the link in the mail that confirms the address."""
    page.goto(LIVE[0].mail_link(email, r"/register/confirm/"))
    expect_flash(page, t(lang, f"Dank je, {name}: je e-mailadres is bevestigd.",
                         f"Thank you, {name}: your e-mail address is confirmed."))  # fmt: skip


def login(page: Page, email: str, password: str = PASSWORD, check: bool = True) -> None:
    page.goto("/login")
    if check:
        assert_accessible(page, "login")
    page.fill("#email", email)
    page.fill("#password", password)
    submit(page)
    expect(page.locator("form[action$='/logout']")).to_have_count(1)


def logout(page: Page) -> None:
    with page.expect_navigation():
        page.locator("form[action$='/logout'] button").click()
    expect(page.locator("form[action$='/logout']")).to_have_count(0)


#: the pages every municipal site has, reached from the footer: path → heading (nl, en)
STATEMENT_PAGES = {
    "/toegankelijkheidsverklaring": ("Toegankelijkheidsverklaring", "Accessibility statement"),
    "/privacy": ("Privacyverklaring", "Privacy statement"),
    "/contact": ("Contact", "Contact"),
}


def statement_pages(page: Page, lang: str) -> None:
    """Follow each footer link to its page: the right heading, and nothing axe objects to."""
    for path, (nl, en) in STATEMENT_PAGES.items():
        page.goto("/")
        with page.expect_navigation():
            page.locator(f"footer a[href='{path}']").click()
        expect(page.locator("h1")).to_have_text(t(lang, nl, en))
        assert_accessible(page, path)


def write_message(page: Page, form_selector: str, text: str, label: str) -> None:
    """Write ``text`` in a discussion's form (opening its fold-out first), send it, check the
    page that follows with axe."""
    form = page.locator(form_selector).first
    closed = form.evaluate(CLOSED_FOLD)
    if closed:
        form.locator("xpath=ancestor::details[1]/summary").click()
    form.locator("textarea[name=body]").fill(text)
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()
    assert_accessible(page, label)


def notifications(page: Page, lang: str, expected: str) -> None:
    """Open /notifications from the header's link (with its unread count); see ``expected``."""
    link = page.locator("header a[href='/notifications']")
    expect(link.locator(".vb-badge")).to_be_visible()
    with page.expect_navigation():
        link.click()
    expect(page.locator("h1")).to_have_text(t(lang, "Meldingen", "Notifications"))
    expect(page.locator("main .vb-notifications")).to_contain_text(expected)
    assert_accessible(page, "notifications")
