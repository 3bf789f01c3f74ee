"""Zelfbeheer in a real browser on the demo's Voermanhaven: every page passes axe, a task is
made with the friendly form, a turn is recorded, and bad input is explained at its field."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import expect
from sqlalchemy import select

from engine.models import Initiative
from tests.browser.a11y import assert_accessible
from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.pages import expect_flash, login

QUAY = "Groen op de Voermanhaven"


def _quay_id(live) -> int:
    with live.sessions() as session:
        return session.scalar(select(Initiative.id).where(Initiative.title == QUAY))


def _as_pieter(open_page, lang):
    page = open_page(lang)
    login(page, "pieter@example.nl", DEMO_PASSWORD, check=False)
    page.goto(f"/language/{lang}?next=/")
    return page


def _go(page, path):
    with page.expect_navigation():
        page.goto(path)


def test_every_maintenance_page_is_accessible(open_page, live, lang):
    page = _as_pieter(open_page, lang)
    base = f"/initiatives/{_quay_id(live)}/maintenance"
    page.goto(f"/initiatives/{_quay_id(live)}")
    panel = page.locator("section#maintenance")
    expect(panel).to_contain_text("Bewonersvereniging Voermanhaven")
    with page.expect_navigation():
        panel.locator(f"a[href='{base}']").click()
    expect(page.locator("nav.vb-subnav a[aria-current=page]")).to_have_count(1)
    assert_accessible(page, "maintenance overview")
    for path in (
        "/association", "/association/edit", "/agreement", "/agreement/edit",
        "/agreement/review", "/tasks", "/tasks/new", "/log",
    ):  # fmt: skip
        page.goto(base + path)
        expect(page.locator("h1")).to_have_count(1)
        assert_accessible(page, f"maintenance {path}")
    page.goto(base + "/tasks")
    with page.expect_navigation():
        page.get_by_role("link", name="Afvoerput bij de kade schoonmaken").click()
    expect(page.locator("h1")).to_have_text("Afvoerput bij de kade schoonmaken")
    assert_accessible(page, "maintenance task")
    with page.expect_navigation():
        page.locator("a[href$='/rota']").click()
    assert_accessible(page, "maintenance rota")


def test_a_task_from_the_friendly_form_and_a_turn_recorded(open_page, live, lang):
    page = _as_pieter(open_page, lang)
    base = f"/initiatives/{_quay_id(live)}/maintenance"
    title = f"Bankjes schoonmaken {uuid.uuid4().hex[:4]}"
    page.goto(base + "/tasks/new")
    page.fill("#title", title)
    page.select_option("#freq", "daily")
    page.fill("#interval", "1")
    page.check("label:has-text('Fatima El Amrani') >> xpath=preceding-sibling::input")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("h1")).to_have_text(title)
    if lang == "en":  # the Dutch words come with the catalogue
        expect(page.locator(".vb-lead")).to_contain_text("Every day")
    assert_accessible(page, "new task")
    # Fatima's turn today: Pieter records it for her, with a note
    row = page.locator("table.vb-turns tbody tr").first
    row.locator("input[name=note]").fill("Alle bankjes afgenomen.")
    with page.expect_navigation():
        row.locator("button[value=done]").click()
    expect(page.locator(".vb-flashes [role=status]")).to_have_count(1)
    if lang == "en":
        expect_flash(page, "Recorded as done")
    page.goto(base + "/log")
    expect(page.locator("table")).to_contain_text("Alle bankjes afgenomen.")
    assert_accessible(page, "maintenance log")


def test_bad_input_is_explained_at_its_field(open_page, live, lang):
    page = _as_pieter(open_page, lang)
    base = f"/initiatives/{_quay_id(live)}/maintenance"
    page.goto(base + "/association/edit")
    page.fill("#kvk_number", "1234")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    field = page.locator("#kvk_number")
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", re.compile("kvk_number-error"))
    expect(page.locator("#kvk_number-error")).to_contain_text("8")
    assert_accessible(page, "association with a bad KvK number")
    page.goto(base + "/tasks/new")
    page.fill("#title", "Onmogelijk")
    page.locator("details.vb-details summary").click()
    page.fill("#advanced", "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30")
    with page.expect_navigation():
        page.locator("main form button[type=submit]").click()
    expect(page.locator("#advanced")).to_have_attribute("aria-invalid", "true")
    expect(page.locator(".vb-error-summary")).to_be_visible()
    assert_accessible(page, "task with an impossible rule")


def _as(open_page, lang, email):
    page = open_page(lang)
    login(page, email, DEMO_PASSWORD, check=False)
    page.goto(f"/language/{lang}?next=/")
    return page


def test_a_member_asks_to_swap_and_the_other_says_yes(open_page, live, lang):
    """Fatima (a plain member) asks Anna (treasurer) to swap; only Anna's yes moves the turns;
    a page of the board answers Fatima with 403 and says whom to ask."""
    base = f"/initiatives/{_quay_id(live)}/maintenance"
    pieter = _as_pieter(open_page, lang)
    title = f"Stoep vegen {uuid.uuid4().hex[:4]}"
    pieter.goto(base + "/tasks/new")
    pieter.fill("#title", title)
    pieter.select_option("#freq", "daily")
    for name in ("Fatima El Amrani", "Anna de Vries"):
        pieter.check(f"label:has-text('{name}') >> xpath=preceding-sibling::input")
    with pieter.expect_navigation():
        pieter.locator("main form button[type=submit]").click()
    task_url = pieter.url.split("#")[0]

    fatima = _as(open_page, lang, "fatima@example.nl")
    fatima.goto(task_url)
    mine = fatima.locator("table.vb-turns tbody tr", has_text="Fatima El Amrani").first
    my_row = mine.get_attribute("id")
    with fatima.expect_navigation():
        mine.locator("a.vb-turn-form__swap").click()
    assert_accessible(fatima, "ask to swap a turn")
    other = fatima.locator("input[name=other][value^='turn-']").first
    other_row = other.get_attribute("value")  # turn-<id>, as the rows are named
    other.check()
    fatima.fill("#note", "Ik ben dan op familiebezoek.")
    with fatima.expect_navigation():
        fatima.locator("main form button[type=submit]").click()
    expect(fatima.locator("#swaps")).to_be_visible()
    assert_accessible(fatima, "maintenance overview with my question")
    fatima.goto(base + "/tasks/new")
    expect(fatima.locator("h1")).to_have_count(1)
    expect(fatima.locator("main")).to_contain_text("Pieter Smit")
    assert_accessible(fatima, "a page for the board only")

    anna = _as(open_page, lang, "anna@example.nl")
    anna.goto(f"/initiatives/{_quay_id(live)}")
    with anna.expect_navigation():
        anna.locator("section#maintenance .vb-notice a").click()
    question = anna.locator(".vb-swaps li", has_text="Fatima El Amrani").first
    expect(question).to_contain_text("Ik ben dan op familiebezoek.")
    assert_accessible(anna, "a question waits for my answer")
    with anna.expect_navigation():
        question.locator("form").first.locator("button").click()
    if lang == "en":
        expect_flash(anna, "the turns have changed hands")
    else:
        expect_flash(anna, "de beurten zijn overgegaan")
    anna.goto(task_url)
    expect(anna.locator(f"tr#{my_row}")).to_contain_text("Anna de Vries")
    expect(anna.locator(f"tr#{other_row}")).to_contain_text("Fatima El Amrani")
