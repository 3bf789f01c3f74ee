"""The group, in a real browser with axe on every page: a neighbour asks to join Wijkvisie
Paddepoel (an initiator approves each request there), Anna lets her in on the members page,
and later removes her again with a reason, after being told that a reason is needed."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.flows import Resident
from tests.browser.pages import expect_flash, login, register, unique_email, use_language

TITLE = "Wijkvisie Paddepoel"


def test_a_neighbour_asks_to_join_is_let_in_and_removed_with_a_reason(open_page, live, lang):
    ilse = Resident(open_page(lang), lang, f"Ilse de Wit {unique_email()[8:12]}")
    register(ilse.page, lang, ilse.name, unique_email("ilse"))
    ilse.page.goto("/")
    ilse.follow(ilse.page.locator("main a", has_text=TITLE).first, "initiative page, outsider")
    ilse.url = ilse.page.url
    form = ilse.form("form#ask")
    ilse.reveal(form)
    form.locator("[name=message]").fill(
        ilse.t("Ik woon aan de Zonnelaan en help graag.", "I live nearby and like to help.")
    )
    ilse.send(form, "after asking to join")
    expect(ilse.page.locator("#my-request")).to_be_visible()
    expect(ilse.page.locator("form#withdraw")).to_have_count(1)

    anna = Resident(open_page(lang), lang, "Anna de Vries")
    login(anna.page, "anna@example.nl", DEMO_PASSWORD, check=False)
    use_language(anna.page, lang)
    anna.page.goto(ilse.url)
    group = anna.page.locator("section[aria-labelledby=group]")
    expect(group).to_contain_text(anna.t("wacht", "wait"))
    anna.follow(group.locator("a[href$='/members']"), "members page with requests")
    request = anna.page.locator("li[id^=request-]", has_text=ilse.name)
    anna.send(request.locator("form[action$='/approve']"), "after letting a neighbour in")
    expect_flash(anna.page, anna.t("welkom", "welcome"))
    members_url = anna.page.url

    ilse.open(label="initiative page, just let in")
    expect(ilse.page.locator("section[aria-labelledby=group] .vb-members")).to_contain_text(
        ilse.name
    )

    # removal needs a reason: the refusal comes back at the field, then it is done
    anna.open(members_url, "members page")
    member = anna.page.locator("li[id^=member-]", has_text=ilse.name)
    anna.send(member.locator("form[action$='/remove']"), "remove without a reason")
    expect(anna.page.locator(".vb-error-summary").first).to_be_visible()
    member = anna.page.locator("li[id^=member-]", has_text=ilse.name)
    member.locator("[name=reason]").fill(
        anna.t("Verhuist naar Helpman, zegt ze zelf.", "Moving to Helpman, she says.")
    )
    anna.send(member.locator("form[action$='/remove']"), "after removing a member")
    expect(anna.page.locator("li[id^=member-]", has_text=ilse.name)).to_have_count(0)

    ilse.open(label="initiative page, removed")
    expect(ilse.page.locator("#my-request")).to_be_visible()
    expect(ilse.page.locator("form#ask")).to_have_count(1)
