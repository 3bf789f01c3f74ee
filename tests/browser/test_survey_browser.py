"""The survey in a real browser, in Dutch and English, on a phone and a desktop, with axe on
every page: Pieter, who is not in the Paddepoel group, goes from the public initiative page to
the survey, is told what is missing, answers it; Anna of the group types in a paper answer and
reads the results as chart and table."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.flows import Resident
from tests.browser.pages import login, use_language

TITLE = "Wijkvisie Paddepoel"
SIZES = {"phone": (390, 844), "desktop": (1280, 900)}


def _resident(open_page, lang: str, size: str, email: str, name: str) -> Resident:
    width, height = SIZES[size]
    who = Resident(open_page(lang, width=width, height=height), lang, name)
    # the shared test machine can be slow to answer; a wait is not what is tested here
    who.page.set_default_timeout(30_000)
    who.page.set_default_navigation_timeout(30_000)
    login(who.page, email, DEMO_PASSWORD, check=False)
    use_language(who.page, lang)
    who.page.goto("/")
    who.follow(who.page.locator("main a", has_text=TITLE).first, "initiative page")
    return who


@pytest.mark.parametrize("size", sorted(SIZES))
def test_a_neighbour_answers_the_survey_from_the_initiative_page(open_page, live, lang, size):
    pieter = _resident(open_page, lang, size, "pieter@example.nl", "Pieter")
    panel = pieter.page.locator("section[aria-labelledby=survey-heading]")
    pieter.follow(panel.locator("a[href$='/survey']"), "the survey, to answer")
    form = pieter.form("form#survey")
    first = form.locator("fieldset").first
    # the first time, a needed answer left open: told at the question, nothing saved
    if first.locator("input:checked").count() == 0:
        pieter.send(form, "the survey, a needed answer missing")
        expect(pieter.page.locator(".vb-error-summary")).to_contain_text(
            pieter.t("Geef antwoord op deze vraag.", "Answer this question.")
        )
        form = pieter.form("form#survey")
        first = form.locator("fieldset").first
    first.locator("label").nth(1).click()
    form.locator("fieldset").nth(1).locator("label").first.click()
    form.locator("fieldset").nth(2).locator("label", has_text="4").click()
    said = pieter.t("Meer bomen bij de school.", "More trees by the school.")
    form.locator("textarea").fill(said)
    form.locator("select[name=wijk]").select_option(label="Paddepoel")
    pieter.send(form, "the survey, answered")
    expect(pieter.page.locator(".vb-flashes")).to_contain_text(
        pieter.t("Je antwoord is opgeslagen", "Your answer is saved")
    )
    pieter.open(pieter.page.url.split("#")[0], "the survey, answered before")
    expect(pieter.page.locator("main")).to_contain_text(
        pieter.t("Je hebt al geantwoord", "You answered already")
    )


@pytest.mark.parametrize("size", sorted(SIZES))
def test_the_group_types_in_a_paper_answer_and_reads_the_results(open_page, live, lang, size):
    anna = _resident(open_page, lang, size, "anna@example.nl", "Anna de Vries")
    panel = anna.page.locator("section[aria-labelledby=survey-heading]")
    anna.follow(panel.locator("a[href$='/survey/paper']"), "typing in a paper answer")
    form = anna.form("form#survey")
    form.locator("fieldset").first.locator("label").first.click()
    form.locator("fieldset").nth(2).locator("label", has_text="5").click()
    form.locator("select[name=wijk]").select_option(label="Selwerd")
    anna.send(form, "after typing in a paper answer")
    expect(anna.page.locator(".vb-flashes")).to_contain_text(
        anna.t("Het antwoord van papier is opgeslagen", "The paper answer is saved")
    )
    anna.follow(
        anna.page.locator("main a", has_text=anna.t("Vragenlijst maken", "Build and manage")).first,
        "building the survey, with answers",
    )
    expect(anna.page.locator("main")).to_contain_text(
        anna.t("kun je de vragen niet meer veranderen", "its questions can no longer change")
    )
    anna.follow(
        anna.page.locator("main a", has_text=anna.t("Uitkomsten", "Results")).first,
        "results of the survey",
    )
    main = anna.page.locator("main")
    expect(main.locator("svg.vb-chart").first).to_be_visible()
    expect(main.locator("table").first).to_contain_text(anna.t("Aantal", "How many"))
    expect(main).to_contain_text(anna.t("op papier", "on paper"))
    expect(main.locator(".vb-open-answers").first).to_be_visible()  # the group reads them
