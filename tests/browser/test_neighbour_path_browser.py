"""A neighbour who is not in the group, the whole way in one go: registers, opens the public
initiative page, posts a reaction in the consultation, answers the survey, says they come to
the Saturday drop-in and puts their name under the plan — each from the initiative page, the
way a person moves through the site. Dutch on a desktop and English on a phone, with axe on
every page. (Each part is tested more closely in its own file; this is the seams between them.)
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.browser.flows import Resident
from tests.browser.pages import expect_flash, register, unique_email, use_language

TITLE = "Wijkvisie Paddepoel"
SIZES = {"desktop": (1280, 900), "phone": (390, 844)}


@pytest.mark.parametrize(("lang", "size"), [("nl", "desktop"), ("en", "phone")])
def test_a_neighbour_reacts_answers_the_survey_comes_and_supports(open_page, live, lang, size):
    width, height = SIZES[size]
    sanne = Resident(open_page(lang, width=width, height=height), lang, "Sanne Mulder")
    page = sanne.page
    page.set_default_timeout(30_000)  # the shared test machine can be slow to answer
    page.set_default_navigation_timeout(30_000)
    register(page, lang, sanne.name, unique_email("sanne"))
    use_language(page, lang)
    page.goto("/")
    sanne.follow(page.locator("main a", has_text=TITLE).first, f"initiative page ({size})")
    sanne.url = page.url

    # 1. a reaction in the consultation
    panel = page.locator("section[aria-labelledby=consultation-heading]")
    sanne.follow(panel.locator("a[href$='/consultation']"), f"consultation ({size})")
    said = sanne.t("Een watertappunt bij het speelveld", "A water tap by the playing field")
    said = f"{said} ({uuid.uuid4().hex[:6]})"
    form = sanne.form("form#post")
    form.locator("[name=kind][value=reaction]").check()
    form.locator("textarea[name=body]").fill(said)
    sanne.send(form, f"consultation, reacted ({size})")
    expect(page.locator("article.vb-message", has_text=said)).to_have_count(1)

    # 2. the survey
    sanne.open(sanne.url, f"initiative page again ({size})")
    panel = page.locator("section[aria-labelledby=survey-heading]")
    sanne.follow(panel.locator("a[href$='/survey']"), f"the survey ({size})")
    form = sanne.form("form#survey")
    form.locator("fieldset").first.locator("label").nth(1).click()
    form.locator("fieldset").nth(1).locator("label").first.click()
    form.locator("fieldset").nth(2).locator("label", has_text="4").click()
    form.locator("textarea").fill(sanne.t("Meer bankjes.", "More benches."))
    form.locator("select[name=wijk]").select_option(label="Paddepoel")
    sanne.send(form, f"the survey, answered ({size})")
    expect(page.locator(".vb-flashes")).to_contain_text(
        sanne.t("Je antwoord is opgeslagen", "Your answer is saved")
    )

    # 3. going to the Saturday drop-in
    sanne.open(sanne.url, f"initiative page again ({size})")
    sanne.follow(page.get_by_role("link", name=sanne.t("Bijeenkomsten: wijkavond, inloop",
                                                       "Meetings: neighbourhood evening, drop-in")),
                 f"meetings ({size})")  # fmt: skip
    sanne.follow(page.get_by_role("link", name="Inloop op zaterdag: praat mee over de wijkvisie"),
                 f"the drop-in ({size})")  # fmt: skip
    page.get_by_label(sanne.t("Ik kom", "I am going"), exact=True).check()
    with page.expect_navigation():
        page.get_by_role("button", name=sanne.t("Mijn antwoord opslaan", "Save my answer")).click()
    expect_flash(page, sanne.t("Je antwoord is opgeslagen.", "Your answer is saved."))
    sanne.check(f"the drop-in, answered ({size})")

    # 4. support for the plan
    sanne.open(sanne.url, f"initiative page again ({size})")
    sanne.follow(page.get_by_role("link", name=sanne.t("Steun het plan", "Support the plan")),
                 f"support the plan ({size})")  # fmt: skip
    page.locator("#neighbourhood_id").select_option(label="Paddepoel (West)")
    with page.expect_navigation():
        page.get_by_role("button", name=sanne.t("Ik steun dit plan", "I support this plan")).click()
    expect_flash(page, sanne.t("Dank je wel: je steun telt mee.",
                               "Thank you: your support is counted."))  # fmt: skip
    sanne.check(f"support the plan, supported ({size})")
