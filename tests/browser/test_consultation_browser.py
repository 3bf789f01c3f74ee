"""The neighbourhood's consultation in a real browser, in Dutch and English, on a phone and a
desktop, with axe on every page: Lotte, who is not in the Paddepoel group, goes from the public
initiative page to the consultation, logs in, is told plainly that an empty reaction cannot be
posted, posts one, supports a neighbour's idea and takes her support back."""

from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.flows import Resident
from tests.browser.pages import use_language

TITLE = "Wijkvisie Paddepoel"
#: Dutch on a desktop, English on a phone: both languages and both sizes, in two runs (axe
#: checks every state at 320 px as well)
SIZES = {"nl": (1280, 900), "en": (390, 844)}


def test_a_neighbour_reacts_and_supports_an_idea(open_page, live, lang):
    width, height = SIZES[lang]
    lotte = Resident(open_page(lang, width, height), lang, "Lotte Hoekstra")
    page = lotte.page
    page.goto("/")
    use_language(page, lang)
    lotte.follow(page.locator("main a", has_text=TITLE).first, "initiative page, public")
    panel = page.locator("section[aria-labelledby=consultation-heading]")
    lotte.follow(panel.locator("a[href$='/consultation']"), "consultation, public")
    expect(page.locator("main")).to_contain_text("buurttuin")
    with page.expect_navigation():
        page.locator("main a[href*='/login']").click()
    page.fill("#email", "lotte@example.nl")
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").first.click()
    use_language(page, lang)
    assert page.url.split("?")[0].endswith("/consultation"), page.url
    lotte.check("consultation, as a neighbour")

    form = lotte.form("form#post")
    form.locator("[name=kind][value=reaction]").check()
    lotte.send(form, "consultation, empty reaction refused")
    expect(page.locator("#post-body-error")).to_contain_text(
        lotte.t("Schrijf eerst iets.", "Write something first.")
    )
    said = lotte.t("Graag ook een bankje bij de bushalte", "A bench at the bus stop too, please")
    said = f"{said} ({uuid.uuid4().hex[:6]})"
    form = lotte.form("form#post")
    form.locator("[name=kind][value=reaction]").check()
    form.locator("textarea[name=body]").fill(said)
    lotte.send(form, "consultation, after posting")
    expect(page.locator("article.vb-message", has_text=said)).to_have_count(1)

    idea = page.locator("article.vb-message", has_text="speelplekken").first
    lotte.send(idea.locator("form[action$='/support']"), "consultation, after supporting")
    idea = page.locator("article.vb-message", has_text="speelplekken").first
    expect(idea).to_contain_text(lotte.t("2 buurtbewoners steunen", "2 neighbours support"))
    lotte.send(idea.locator("form[action$='/withdraw']"), "consultation, support withdrawn")
    idea = page.locator("article.vb-message", has_text="speelplekken").first
    expect(idea).to_contain_text(lotte.t("1 buurtbewoner steunt", "1 neighbour supports"))
    # what the group did with the garden idea, for everyone to read
    garden = page.locator("article.vb-message", has_text="buurttuin").first
    expect(garden).to_contain_text(
        lotte.t("De groep heeft dit idee opgenomen.", "The group took this idea up.")
    )
    # the most supported first, then Lotte changes her own reaction on its page and deletes it
    lotte.follow(page.locator("main a[href*='volgorde=steun']").first, "consultation, by support")
    newest = page.locator("main a", has_text=lotte.t("nieuwste eerst", "newest first"))
    lotte.follow(newest, "consultation, newest first")
    mine = page.locator("article.vb-message", has_text=said)
    lotte.follow(mine.locator("a.vb-standalone-link"), "own reaction, its page")
    form = lotte.form("main form[action$='/edit']")
    lotte.reveal(form)
    form.locator("textarea[name=body]").fill(f"{said}!")
    lotte.send(form, "own reaction, changed")
    expect(page.locator("main")).to_contain_text(lotte.t("bewerkt", "edited"))
    lotte.send(lotte.form("main form[action$='/delete']"), "own reaction, deleted")
    expect(page.locator("main")).to_contain_text(
        lotte.t("Dit bericht is verwijderd door de schrijver.",
                "This post was deleted by its author.")
    )  # fmt: skip
    expect(page.locator("main")).not_to_contain_text(said)
