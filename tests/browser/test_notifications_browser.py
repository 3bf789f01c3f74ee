"""Notifications in a real browser: a member hears of a new decision on /notifications and by
mail; a coach hears of a new support request within one sweep, on the page and by mail."""

from __future__ import annotations

from playwright.sync_api import expect

from engine.db import utcnow
from engine.operations import change_member_role, open_decision
from engine.sweeper import sweep
from tests import factories
from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.pages import login, notifications, t, unique_email, use_language
from tests.factories.initiatives import bring_in
from tests.support import mail_to


def test_a_member_sees_a_new_decision_and_gets_a_mail(open_page, live, lang):
    question = f"Gaan we door met het plan? {unique_email()[8:14]}"
    with live.sessions() as session:
        now = utcnow()
        item = factories.initiative(session, now, members=0, title="Bankjes aan de kade",
                                    workflow="vergroening")  # fmt: skip
        anna = item.memberships[0].person
        bram = factories.person(session, now, "Bram Mulder", email=unique_email("bram"),
                                locale=lang)  # fmt: skip
        bring_in(session, item, anna, bram, now)
        change_member_role(session, anna, item.id, bram.id, "initiator", now)
        open_decision(session, anna, item.id, "start_design", now, question=question)
        session.commit()
        address = bram.email
    sweep(live.app.extensions["verbinding"], utcnow())
    mail = live.smtp.wait_for(lambda m: mail_to(address)(m) and question in str(m["Subject"]))
    assert mail["References"] and mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

    page = open_page(lang)
    login(page, address, check=False)
    use_language(page, lang)
    notifications(page, lang, question)
    with page.expect_navigation():
        page.locator("main .vb-notifications a", has_text=question).click()
    expect(page.locator("h1")).to_have_text("Bankjes aan de kade")


def test_a_coach_hears_of_a_new_support_request_within_one_sweep(open_page, live):
    description = f"Graag een vergunning voor een buurtfeest {unique_email()[8:14]}."
    with live.sessions() as session:
        now = utcnow()
        item = factories.initiative(
            session, now, title="Feest op het plein", workflow="vergroening"
        )
        factories.filed_request(session, item, item.memberships[0].person, now,
                                description=description)  # fmt: skip
        session.commit()
    sweep(live.app.extensions["verbinding"], utcnow())
    live.smtp.wait_for(
        lambda m: mail_to("sanne@example.nl")(m) and "buurtfeest" in str(m["Subject"])
    )
    page = open_page("nl")
    login(page, "sanne@example.nl", DEMO_PASSWORD, check=False)
    use_language(page, "nl")
    notifications(page, "nl", t("nl", "vraagt de gemeente om ondersteuning", ""))
