"""Keyboard only (Tab, Shift+Tab, arrows, Enter, Space): start an initiative, plan and complete a
step, invite a neighbour. Every stop of the focus must be visible; axe checks every page."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.a11y import assert_accessible, assert_focus_visible, tab_to
from tests.browser.flows import unique_title
from tests.browser.pages import PASSWORD, confirm_address, expect_flash, t, unique_email

LIMIT = 250  # the initiative page has many controls; every stop is checked for visible focus


def press_enter_and_wait(page: Page, label: str) -> None:
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert_accessible(page, label)


def type_into(page: Page, selector: str, text: str) -> None:
    tab_to(page, selector, LIMIT)
    page.keyboard.type(text)


def arrow_to(page: Page, selector: str, key: str = "ArrowDown", limit: int = 10) -> None:
    """Move through a radio group with the arrow keys until ``selector`` is checked."""
    for _ in range(limit):
        if page.evaluate("s => document.activeElement.matches(s)", selector):
            assert page.is_checked(selector)
            return
        page.keyboard.press(key)
        assert_focus_visible(page)
    raise AssertionError(f"{selector} not reached with {key}")


def open_fold_out(page: Page, form: str) -> None:
    """If the form sits in a closed <details>, reach its summary and open it with Enter."""
    summary = page.evaluate(
        """s => { const d = document.querySelector(s).closest('details');
                  if (!d || d.open) return null;
                  if (getComputedStyle(d.querySelector(':scope > summary')).display === 'none')
                    return null;  // a fold for phones: open on a wide screen
                  d.querySelector('summary').setAttribute('data-kb', '1'); return true; }""",
        form,
    )
    if summary:
        tab_to(page, "summary[data-kb='1']", LIMIT)
        page.keyboard.press("Enter")
        assert page.evaluate("s => document.querySelector(s).closest('details').open", form)


def test_keyboard_only_start_plan_and_invite(open_page, live, lang):
    page = open_page(lang)
    page.goto("/register")
    email = unique_email("lieke")
    type_into(page, "#name", "Lieke Bos")
    type_into(page, "#email", email)
    type_into(page, "#password", PASSWORD)
    type_into(page, "#confirm", PASSWORD)
    tab_to(page, "main button[type=submit]")
    press_enter_and_wait(page, "the login page after registering (keyboard)")
    expect_flash(page, t(lang, f"We hebben een mail gestuurd naar {email}",
                         f"We sent a mail to {email}"))  # fmt: skip
    # the mailed link confirms the address; then sign in, by keyboard too
    confirm_address(page, lang, "Lieke Bos", email)
    type_into(page, "#email", email)
    type_into(page, "#password", PASSWORD)
    tab_to(page, "main button[type=submit]")
    press_enter_and_wait(page, "home after logging in (keyboard)")

    # start an initiative from the menu
    tab_to(page, "header a[href$='/initiatives/new']")
    press_enter_and_wait(page, "start an initiative (keyboard)")
    tab_to(page, "input[name=workflow]")
    arrow_to(page, "#workflow-vergroening")
    tab_to(page, "[name=neighbourhood]")
    page.keyboard.type("Paddepoel")
    assert (
        page.evaluate(
            "() => { const s = document.querySelector('[name=neighbourhood]');"
            " return s.options[s.selectedIndex].text }"
        )
        == "Paddepoel"
    )
    title = unique_title("Bankjes aan het Reitdiep")
    type_into(page, "[name=title]", title)
    type_into(page, "[name=description]", "Twee bankjes en plantenbakken aan het water.")
    tab_to(page, "main form button[type=submit]")
    press_enter_and_wait(page, "initiative page (keyboard)")
    expect(page.locator("h1")).to_have_text(title)

    # plan a step and complete it
    step = t(lang, "Foto's maken van de plek", "Take photos of the place")
    open_fold_out(page, "form#step-new-proposal")
    type_into(page, "form#step-new-proposal [name=title]", step)
    tab_to(page, "form#step-new-proposal button[type=submit]", LIMIT)
    press_enter_and_wait(page, "after adding a step (keyboard)")
    expect(page.locator(".vb-step__title", has_text=step)).to_have_count(1)
    tab_to(page, "form[id^=step-done-] button", LIMIT)
    press_enter_and_wait(page, "after completing a step (keyboard)")
    expect(page.locator(".vb-step--done .vb-step__title", has_text=step)).to_have_count(1)

    # invite a neighbour
    neighbour = unique_email("buur")
    open_fold_out(page, "form#invite")
    type_into(page, "form#invite [name=email]", neighbour)
    tab_to(page, "form#invite button[type=submit]", LIMIT)
    press_enter_and_wait(page, "after inviting (keyboard)")
    expect_flash(page, neighbour)
    live.mail_link(neighbour, r"/invitations/")  # the invitation went out
