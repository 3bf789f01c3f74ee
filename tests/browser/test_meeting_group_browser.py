"""The group's side of a meeting in a real browser, Dutch on a desktop and English on a phone,
with axe on every page: Anna plans a wijkavond from 20:00 to half past midnight (the page shows
the end on the next day), enters a line of the drop-in's paper sign-up list, sees it counted
and marked as paper, and takes it off again."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.flows import Resident, fill_date
from tests.browser.pages import expect_flash, login, use_language

TITLE = "Wijkvisie Paddepoel"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.mark.parametrize(("lang", "size"), [("nl", "desktop"), ("en", "phone")])
def test_the_group_plans_an_evening_past_midnight_and_enters_the_paper_list(
    open_page, live, lang, size
):
    width, height = SIZES[size]
    anna = Resident(open_page(lang, width=width, height=height), lang, "Anna de Vries")
    page = anna.page
    page.set_default_timeout(30_000)
    page.set_default_navigation_timeout(30_000)
    login(page, "anna@example.nl", DEMO_PASSWORD, check=False)
    use_language(page, lang)
    page.goto("/")
    anna.follow(page.locator("main a", has_text=TITLE).first, f"initiative page ({size})")
    anna.follow(page.get_by_role("link", name=anna.t("Bijeenkomsten: wijkavond, inloop",
                                                     "Meetings: neighbourhood evening, drop-in")),
                f"meetings, as the group ({size})")  # fmt: skip
    anna.follow(page.get_by_role("link", name=anna.t("Plan een bijeenkomst", "Plan a meeting")),
                f"plan a meeting ({size})")  # fmt: skip
    title = f"Wijkavond laat {uuid.uuid4().hex[:4]}"
    day = date.today() + timedelta(days=20)
    page.locator("#title").fill(title)
    fill_date(page, "day", day.isoformat())
    page.locator("#starts").fill("20:00")
    page.locator("#ends").fill("00:30")
    page.locator("#place").fill("Buurthuis De Paddepoel")
    page.locator("#address").fill("Pop Dijkemaweg 9, Groningen")
    page.locator("#capacity").fill("30")
    anna.send(page.locator("main form"), f"a meeting past midnight ({size})")
    expect_flash(page, anna.t("De bijeenkomst is gepland.", "The meeting is planned."))
    nextday = day + timedelta(days=1)
    facts = page.locator("dl.vb-facts")
    expect(facts).to_contain_text("20:00")
    expect(facts).to_contain_text(f"{nextday.day} ")
    expect(facts).to_contain_text("00:30")

    form = anna.form("form[action$='/paper']")
    form.locator("[name=name]").fill("Familie El Idrissi")
    form.locator("[name=people]").fill("3")
    anna.send(form, f"the paper list, a line added ({size})")
    expect_flash(page, anna.t("De naam van de papieren lijst is toegevoegd.",
                              "The sign-up from the paper list is added."))  # fmt: skip
    paper = page.locator("section[aria-labelledby=paper]")
    expect(paper.locator("tr", has_text="Familie El Idrissi")).to_contain_text(
        anna.t("papier", "paper"))  # fmt: skip
    expect(facts).to_contain_text(anna.t("van wie 3 op papier", "of whom 3 signed up on paper"))
    anna.send(paper.locator("tr", has_text="Familie El Idrissi").locator("form"),
              f"the paper list, the line removed ({size})")  # fmt: skip
    expect(page.locator("section[aria-labelledby=paper] tr", has_text="Familie")).to_have_count(0)
