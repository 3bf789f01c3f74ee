"""The public list of initiatives and its filters, on the Groningen demo data."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible, tab_to
from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.pages import expect_lang, login, t, use_language

PADDEPOEL = ("Wijkvisie Paddepoel", "Groen op de Voermanhaven")
HELPMAN = "Toekomstplan Coenderspark"


def _show(page) -> None:
    with page.expect_navigation():
        page.locator("form[role=search] button[type=submit]").click()


def test_filter_by_district_and_neighbourhood(open_page, lang):
    page = open_page(lang)
    page.goto("/")
    expect_lang(page, lang)
    expect(page.locator("h1")).to_have_text(
        t(
            lang,
            "Buurtinitiatieven in Gemeente Groningen",
            "Neighbourhood initiatives in Gemeente Groningen",
        )
    )
    listing = page.locator("section[aria-labelledby=all]")
    for title in (*PADDEPOEL, HELPMAN):
        expect(listing.get_by_text(title, exact=True)).to_be_visible()

    page.select_option("#stadsdeel", label="West")
    _show(page)
    assert "stadsdeel=" in page.url
    expect(page.locator("#stadsdeel option:checked")).to_have_text("West")
    for title in PADDEPOEL:
        expect(listing.get_by_text(title, exact=True)).to_be_visible()
    expect(listing.get_by_text(HELPMAN, exact=True)).to_have_count(0)
    assert_accessible(page, "home filtered by district")

    page.select_option("#stadsdeel", value="")
    page.select_option("#wijk", label="Helpman")
    _show(page)
    expect(listing.get_by_text(HELPMAN, exact=True)).to_be_visible()
    for title in PADDEPOEL:
        expect(listing.get_by_text(title, exact=True)).to_have_count(0)
    assert_accessible(page, "home filtered by neighbourhood")

    # a neighbourhood without initiatives says so
    page.select_option("#wijk", label="Haren")
    _show(page)
    expect(listing).to_contain_text(
        t(lang, "Hier nog geen initiatieven.", "No initiatives here yet.")
    )
    assert_accessible(page, "home, empty neighbourhood")


def test_filter_with_the_keyboard(open_page, lang):
    page = open_page(lang)
    page.goto("/")
    tab_to(page, "#stadsdeel")
    page.keyboard.press("ArrowDown")  # the first district in the list
    tab_to(page, "form[role=search] button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "stadsdeel=" in page.url and "stadsdeel=&" not in page.url


def test_own_initiatives_come_first(open_page, lang):
    page = open_page(lang)
    login(page, "anna@example.nl", DEMO_PASSWORD, check=False)
    use_language(page, lang)  # Anna's account says Dutch; the switch wins
    page.goto("/")
    mine = page.locator("section[aria-labelledby=mine]")
    expect(mine.locator("h2")).to_have_text(t(lang, "Jouw initiatieven", "Your initiatives"))
    for title in PADDEPOEL:  # Anna started the first and joined the second
        expect(mine.get_by_text(title, exact=True)).to_be_visible()
    expect(mine.get_by_text(HELPMAN, exact=True)).to_have_count(0)
    assert_accessible(page, "home with own initiatives")


def test_search_by_title_and_stage(open_page, lang):
    page = open_page(lang)
    page.goto("/")
    listing = page.locator("section[aria-labelledby=all]")
    page.fill("#q", "coenders")
    _show(page)
    assert "q=coenders" in page.url
    expect(listing.get_by_text(HELPMAN, exact=True)).to_be_visible()
    for title in PADDEPOEL:
        expect(listing.get_by_text(title, exact=True)).to_have_count(0)
    assert_accessible(page, "home searched by title")

    page.fill("#q", "")
    page.select_option("#fase", index=1)  # the first stage of a process
    page.select_option("#per_page", "12")
    _show(page)
    assert "fase=" in page.url and "per_page=12" in page.url
    expect(page.locator("#per_page option:checked")).to_have_text("12")
    assert_accessible(page, "home filtered by stage")
