"""The initiative pages as a resident, a neighbour and a coach use them, step by step.

Every action is done the way a person does it — follow a link, open a fold-out, fill a form,
press its button — and every page the action lands on is checked with axe.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from playwright.sync_api import Locator, Page, expect

from tests.browser.a11y import assert_accessible
from tests.browser.pages import CLOSED_FOLD, expect_flash, t

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

#: the stages of `vergroening`, as the header names them
STAGES = {
    "proposal": ("Voorstel", "Proposal"),
    "visioning": ("Samen ontwerpen", "Designing together"),
    "municipal_support": ("Voorbereiding door de gemeente", "Preparation by the municipality"),
    "execution": ("Aanleg", "Laying out"),
    "maintenance": ("Zelfbeheer", "Self-management"),
}


def unique_title(base: str) -> str:
    return f"{base} {uuid.uuid4().hex[:4]}"


def in_days(days: int) -> str:
    return (date.today() + timedelta(days=days)).isoformat()


def fill_date(scope: Page | Locator, name: str, iso: str) -> None:
    """Type a date (YYYY-MM-DD) into the three boxes of a date field: day, month, year."""
    found = date.fromisoformat(iso)
    for part, value in (("day", found.day), ("month", found.month), ("year", found.year)):
        scope.locator(f"[name={name}-{part}]").fill(str(value))


class Resident:
    """One person in their own browser context, on the pages of one initiative."""

    def __init__(self, page: Page, lang: str, name: str) -> None:
        self.page, self.lang, self.name = page, lang, name
        self.url = ""

    def t(self, nl: str, en: str) -> str:
        return t(self.lang, nl, en)

    def check(self, label: str) -> None:
        assert_accessible(self.page, label)

    # --- moving around -------------------------------------------------------------------

    def open(self, url: str | None = None, label: str = "initiative page") -> None:
        self.page.goto(url or self.url)
        self.check(label)

    def follow(self, link: Locator, label: str) -> None:
        with self.page.expect_navigation():
            link.click()
        self.check(label)

    def reveal(self, inside: Locator) -> None:
        """Open the fold-out (``<details>``) a form sits in, by clicking its summary."""
        closed = inside.evaluate(CLOSED_FOLD)
        if closed:
            inside.locator("xpath=ancestor::details[1]/summary").click()

    def send(self, form: Locator, label: str, button: str = "button[type=submit]") -> None:
        """Press the form's button, wait for the next page and check it."""
        self.reveal(form)
        with self.page.expect_navigation():
            form.locator(button).first.click()
        self.check(label)

    def form(self, selector: str) -> Locator:
        found = self.page.locator(selector)
        expect(found).to_have_count(1)
        return found

    # --- what the group does ---------------------------------------------------------------

    def expect_stage(self, key: str) -> None:
        nl, en = STAGES[key]
        expect(self.page.locator(".vb-initiative-header")).to_contain_text(self.t(nl, en))

    def add_step(self, stage: str, title: str, owner: str | None = None, due: str = "") -> None:
        """Add a step: in the current stage with the form on the page, in a stage ahead on
        the page its link opens."""
        if self.page.locator(f"form#step-new-{stage}").count() == 0:
            link = self.form(f"main a[href$='/stages/{stage}/steps/new']")
            self.reveal(link)
            self.follow(link, f"the page to add a step to {stage}")
        form = self.form(f"form#step-new-{stage}")
        self.reveal(form)
        form.locator("[name=title]").fill(title)
        if owner:
            form.locator("[name=owner]").select_option(label=owner)
        if due:
            fill_date(form, "due_date", due)
        self.send(form, f"after adding a step to {stage}")
        expect(self.page.locator(".vb-step__title", has_text=title)).to_have_count(1)

    def change_step(self, title: str, due: str) -> None:
        """Open the step's own page from its link, give it a due date, save."""
        step = self.page.locator(".vb-step", has_text=title)
        self.follow(step.locator(".vb-step__edit a"), "the page of one step")
        fill_date(self.page.locator("main form[id^=step-]"), "due_date", due)
        self.send(self.page.locator("main form[id^=step-]"), "after changing a step")
        expect(self.page.locator(".vb-step", has_text=title)).to_contain_text(
            self.t("Deadline:", "Due:")
        )

    def add_suggested_step(self, stage: str, number: int = 1) -> None:
        self.send(self.form(f"form#suggest-{stage}-{number}"), "after adding a suggested step")

    def complete_open_steps(self) -> int:
        """Press "Done" on every open step of the current stage; return how many."""
        done = 0
        while True:
            buttons = self.page.locator("form[id^=step-done-] button")
            if buttons.count() == 0:
                return done
            with self.page.expect_navigation():
                buttons.first.click()
            done += 1
            if done == 1:
                self.check("after completing a step")
            assert done < 20, "steps keep coming back"

    def decide(self, trigger: str, choice: str = "for") -> None:
        """Ask the group to decide on a move (unless asked already), then vote."""
        ask = self.page.locator(f"form#decide-{trigger}")
        if ask.count():
            self.send(ask, f"after opening a decision on {trigger}")
        self.vote(trigger, choice)

    def vote(self, trigger: str, choice: str = "for") -> None:
        move = self.page.locator(f"#move-{trigger}")
        form = move.locator("form[action$='/vote']")
        expect(form).to_have_count(1)
        form.locator(f"input[name=choice][value={choice}]").check()
        self.send(form, f"after voting on {trigger}")

    def move_on(self, trigger: str, dest: str, note: str = "") -> None:
        form = self.form(f"form[action$='/moves/{trigger}']")
        if note:
            form.locator("[name=note]").fill(note)
        self.send(form, f"after moving on to {dest}")
        self.expect_stage(dest)

    def invite(self, email: str, role: str = "member") -> None:
        form = self.form("form#invite")
        self.reveal(form)
        form.locator("[name=email]").fill(email)
        form.locator("[name=role]").select_option(role)
        self.send(form, "after inviting a neighbour")
        expect_flash(self.page, email)

    def attach(self, filename: str, stage: str) -> None:
        form = self.form("form#upload")
        self.reveal(form)
        form.locator("[name=file]").set_input_files(
            {"name": filename, "mimeType": "application/pdf", "buffer": PDF}
        )
        form.locator("[name=stage_key]").select_option(stage)
        self.send(form, "after attaching a document")
        expect(self.page.locator("#documents")).to_be_visible()
        expect(self.page.get_by_role("link", name=filename)).to_have_count(1)

    def support_plan(self, wijk: str = "Paddepoel (West)") -> None:
        """Put one's name under the plan, from the initiative page (the vergroening design
        needs two residents' support before it goes to the municipality)."""
        self.open()
        link = self.page.get_by_role("link", name=self.t("Steun het plan", "Support the plan"))
        self.follow(link, "support the plan")
        self.page.locator("#neighbourhood_id").select_option(label=wijk)
        self.send(self.form("main form[action$='/supporters']"), "support the plan, supported")
        expect(self.page.locator("main")).to_contain_text(
            self.t("Je steunt dit plan.", "You support this plan.")
        )
