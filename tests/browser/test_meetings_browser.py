"""A neighbour who is not in the group, from the public initiative page: says they come to the
Saturday drop-in and puts their name under the plan; in Dutch and English, on a phone and on a
desktop, with axe on every page."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible
from tests.browser.pages import expect_flash, register, t, unique_email

SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


#: each language once and each size once: Dutch on a desktop, English on a phone (the pairs
#: are the parameters, so no run is skipped)
@pytest.mark.parametrize(("lang", "size"), [("nl", "desktop"), ("en", "phone")])
def test_a_neighbour_answers_a_meeting_and_supports_the_plan(open_page, live, lang, size):
    width, height = SIZES[size]
    page = open_page(lang, width=width, height=height)
    register(page, lang, "Noor Visser", unique_email("noor"))
    page.goto("/")
    with page.expect_navigation():
        page.get_by_role("link", name="Wijkvisie Paddepoel").first.click()
    initiative = page.url
    assert_accessible(page, f"initiative page as a neighbour ({size})")

    with page.expect_navigation():
        name = t(
            lang, "Bijeenkomsten: wijkavond, inloop", "Meetings: neighbourhood evening, drop-in"
        )
        page.get_by_role("link", name=name).click()
    assert_accessible(page, f"meetings ({size})")
    with page.expect_navigation():
        page.get_by_role("link", name="Inloop op zaterdag: praat mee over de wijkvisie").click()
    assert_accessible(page, f"a meeting to come ({size})")
    page.get_by_label(t(lang, "Ik kom", "I am going"), exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name=t(lang, "Mijn antwoord opslaan", "Save my answer")).click()
    expect_flash(page, t(lang, "Je antwoord is opgeslagen.", "Your answer is saved."))
    expect(page.locator("#answer ~ p, section[aria-labelledby=answer] p").first).to_contain_text(
        t(lang, "ik kom", "going")
    )
    assert_accessible(page, f"a meeting, answered ({size})")

    page.goto(initiative)
    with page.expect_navigation():
        page.get_by_role("link", name=t(lang, "Steun het plan", "Support the plan")).click()
    assert_accessible(page, f"support the plan ({size})")
    page.locator("#neighbourhood_id").select_option(label="Selwerd (West)")
    with page.expect_navigation():
        page.get_by_role("button", name=t(lang, "Ik steun dit plan", "I support this plan")).click()
    expect_flash(page, t(lang, "Dank je wel: je steun telt mee.",
                         "Thank you: your support is counted."))  # fmt: skip
    expect(page.locator("main")).to_contain_text(
        t(lang, "een bewoner uit Selwerd", "a resident of Selwerd")
    )
    assert_accessible(page, f"support the plan, supported ({size})")
