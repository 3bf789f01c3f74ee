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
