"""The issue's big flow, in a real browser, in Dutch and in English, with axe on every page.

A resident registers, starts a greening initiative (template `vergroening`), plans and
completes steps, invites a neighbour who joins through the mailed link, and the group takes
the initiative from proposal to maintenance: a group decision, a design document, a consent
decision, a support request the municipality's coach answers, a residents' association, and
a maintenance task on the rota.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.flows import Resident, fill_date, in_days, unique_title
from tests.browser.pages import (
    confirm_address,
    login,
    register,
    submit,
    unique_email,
    use_language,
)

DESCRIPTION = (
    "Meer groen en bankjes op de kade van de Oosterhaven. We halen tegels weg, planten "
    "vaste planten die weinig water nodig hebben en onderhouden het samen."
)


def start_initiative(anna: Resident, title: str) -> None:
    page = anna.page
    anna.follow(page.locator("header a[href$='/initiatives/new']"), "start an initiative")
    submit(page)  # nothing chosen: every problem is named, tied to its field
    expect(page.locator(".vb-error-summary")).to_be_visible()
    anna.check("start an initiative, with errors")
    page.check("#workflow-vergroening")
    page.select_option("[name=neighbourhood]", label="Paddepoel")
    page.fill("[name=title]", title)
    page.fill("[name=description]", DESCRIPTION)
    page.check("input[name=visibility][value=public]")
    submit(page)
    expect(page.locator("h1")).to_have_text(title)
    anna.url = page.url
    anna.check("initiative page, just started")
    anna.expect_stage("proposal")


def join_through_mail(live, lang: str, bram: Resident, email: str, title: str) -> None:
    link = live.mail_link(email, r"/invitations/")
    page = bram.page
    bram.open(link, "invitation, not logged in")
    expect(page.locator("h1")).to_contain_text(title)
    bram.follow(page.locator("main a[href*='/register']"), "register from the invitation")
    page.fill("#name", bram.name)
    page.fill("#email", email)
    page.fill("#password", "wachtwoord-123")
    page.fill("#confirm", "wachtwoord-123")
    submit(page)
    # a new account confirms its address first (the mailed link), then signs in and goes
    # back to the invitation
    confirm_address(page, lang, bram.name, email)
    login(page, email, "wachtwoord-123", check=False)
    bram.open(link, "invitation, logged in")
    assert "/invitations/" in page.url, page.url
    bram.check("invitation, logged in")
    bram.send(page.locator("form[action$='/accept']"), "initiative page, just joined")
    expect(page.locator("h1")).to_have_text(title)
    bram.url = page.url


def test_greening_from_proposal_to_maintenance(open_page, live, lang):
    title = unique_title("Groen op de Oosterhaven")
    anna = Resident(open_page(lang), lang, "Noor Hoekstra")
    register(anna.page, lang, anna.name, unique_email("noor"))
    start_initiative(anna, title)

    # proposal: plan the first steps (one of the template's suggestions, one of their own)
    anna.add_suggested_step("proposal")
    anna.add_step("proposal", anna.t("Buren vragen wat ze willen", "Ask the neighbours"),
                  owner=anna.name, due=in_days(14))  # fmt: skip
    assert anna.complete_open_steps() == 2

    # a neighbour joins through the mailed link
    bram_email = unique_email("bram")
    anna.invite(bram_email)
    bram = Resident(open_page(lang), lang, "Bram Mulder")
    join_through_mail(live, lang, bram, bram_email, title)

    # proposal → visioning: the initiators decide, then the group moves on
    anna.open(label="initiative page, two members")
    anna.decide("start_design")
    anna.move_on("start_design", "visioning", anna.t("Besloten op de buurtavond.", "Agreed."))

    # visioning: a step, the design as a document of this stage, a consent decision
    anna.add_step("visioning", anna.t("Ontwerp tekenen", "Draw the design"), owner=bram.name)
    anna.change_step(anna.t("Ontwerp tekenen", "Draw the design"), due=in_days(21))
    bram.open(label="initiative page as member, visioning")
    assert bram.complete_open_steps() == 1
    bram.attach("ontwerp-oosterhaven.pdf", "visioning")
    anna.open()
    anna.decide("submit_design")
    bram.open(label="initiative page, consent decision open")
    bram.vote("submit_design")
    # the design is shown to the residents along the quay: two of them support it
    anna.support_plan()
    bram.support_plan()
    anna.open()
    anna.move_on("submit_design", "municipal_support")

    # municipal support: ask the municipality to take out the asphalt; a coach answers
    anna.follow(anna.page.locator("#support-heading ~ p a[href$='/support/new']"),
                "ask for support")  # fmt: skip
    submit(anna.page)
    anna.check("ask for support, with errors")
    anna.page.select_option("[name=kind]", "works")
    anna.page.fill("[name=description]", "Haal de stroken asfalt langs de kade weg.")
    submit(anna.page)
    anna.check("support request to check before sending")
    expect(anna.page.locator("#check")).to_contain_text("Haal de stroken asfalt langs de kade weg.")
    with anna.page.expect_navigation():
        anna.page.locator("main button[name=confirmed]").click()
    anna.check("after filing a support request")
    anna.page.goto(anna.url)
    request = anna.page.locator("#support-heading ~ ul a[href*='/support/']").first
    request_path = request.get_attribute("href")

    sanne = Resident(open_page(lang), lang, "Sanne Visser")
    login(sanne.page, "sanne@example.nl", DEMO_PASSWORD, check=False)
    use_language(sanne.page, lang)  # her account says Dutch; the switch wins
    sanne.follow(sanne.page.locator("header a[href$='/coach/']"), "coach: caseload")
    expect(sanne.page.locator("main")).to_contain_text(title)
    sanne.open("/support/", "coach: support inbox")
    sanne.follow(sanne.page.locator(f"main a[href='{request_path}']").first, "coach: the request")
    if sanne.page.locator("form[action$='/acknowledge']").count():
        sanne.send(sanne.page.locator("form[action$='/acknowledge']"), "coach: acknowledged")
    accept = sanne.page.locator("form[action$='/accept']")
    accept.locator("textarea").fill("We halen het asfalt over twee weken weg.")
    sanne.send(accept, "coach: accepted")
    deliver = sanne.page.locator("form[action$='/deliver']")
    deliver.locator("textarea").fill("Het asfalt is weg en er ligt goede grond.")
    sanne.send(deliver, "coach: delivered")

    anna.open(label="initiative page, support delivered")
    anna.add_suggested_step("municipal_support", 3)
    assert anna.complete_open_steps() == 1
    anna.move_on("start_planting", "execution")

    # execution: the residents' association that will look after the quay
    anna.add_step("execution", anna.t("Plantdag organiseren", "Organise a planting day"))
    assert anna.complete_open_steps() == 1
    # a step planned ahead for the stage after this one, on the page its link opens
    anna.add_step("maintenance", anna.t("Snoeiploeg vormen", "Form a pruning crew"))
    anna.follow(anna.page.locator("#maintenance a[href$='/maintenance']"), "self-management")
    anna.follow(anna.page.locator("main a[href$='/maintenance/association']").first, "association")
    anna.follow(anna.page.locator("main a[href$='/association/edit']"), "register association")
    page = anna.page
    page.fill("[name=name]", "Bewonersvereniging Oosterhaven")
    people = page.locator("select[name^=place_]")
    for i in range(people.count()):
        who = page.locator(f"label[for='{people.nth(i).get_attribute('id')}']").inner_text()
        people.nth(i).select_option("chair" if anna.name in who else "member")
    page.select_option("[name=contact_person]", label=anna.name)
    submit(page)
    anna.check("association registered")
    expect(page.locator("main")).to_contain_text("Bewonersvereniging Oosterhaven")

    anna.open(label="initiative page, association registered")
    anna.decide("hand_over_to_association")
    anna.move_on("hand_over_to_association", "maintenance")
    expect(anna.page.locator("#moves ~ p").first).to_be_visible()  # no next move

    # self-management: a task on the association's rota
    anna.follow(anna.page.locator("#maintenance a[href$='/maintenance']"), "self-management")
    anna.follow(anna.page.locator("main a[href$='/maintenance/tasks']").first, "tasks")
    anna.follow(anna.page.locator("main a[href$='/tasks/new']"), "new task")
    submit(page)
    anna.check("new task, with errors")
    task = anna.t("Plantenbakken water geven", "Water the planters")
    page.fill("[name=title]", task)
    fill_date(page, "starts_on", in_days(1))
    page.select_option("[name=freq]", "weekly")
    page.check("input[name=weekdays][value=SA]")
    for box in page.locator("input[name=volunteers]").all():
        box.check()
    submit(page)
    anna.check("task with its rota")
    expect(page.locator("h1")).to_contain_text(task)
    anna.open(label="initiative page, self-management with a task")
    expect(anna.page.locator("#maintenance")).to_contain_text(task)
