"""Every page, and the error state of every form on it, in Dutch and English, at 1280 and 320
px: axe (WCAG 2.2 A/AA) finds nothing, nothing scrolls sideways (see a11y.assert_accessible).

The pages are the screenshot tour's (every GET route that shows a page, opened by the demo
person its access rule asks for). A form's error state is reached by sending it as it comes,
but only a form with a required text box that is still empty: it is refused, so the demo data
the other browser tests use stays as it was.
"""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.a11y import assert_accessible
from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.pages import CLOSED_FOLD, expect_lang, use_language
from tests.browser.screenshots import _shots, _url

#: the forms that would be refused as they come: a required text box (no "(optional)" in its
#: label) that is empty; their index among the forms of main
_REFUSABLE = r"""() => [...document.querySelectorAll('main form')].map((form, index) => {
  if (!form.querySelector('button[type=submit]')) return -1;
  const kinds = 'input[type=text], input[type=email], input[type=password], textarea';
  const boxes = [...form.querySelectorAll(kinds)].filter(el => el.id && !el.closest('.vb-date'));
  const required = boxes.filter(el => {
    const label = document.querySelector(`label[for="${el.id}"]`);
    return label && !label.querySelector('.vb-optional');
  });
  return required.length && required.every(el => !el.value) ? index : -1;
}).filter(i => i >= 0)"""


def _log_in(page, who: str, lang: str) -> None:
    page.goto("/login")
    page.fill("#email", who)
    page.fill("#password", DEMO_PASSWORD)
    with page.expect_navigation():
        page.locator("main button[type=submit]").click()
    use_language(page, lang)


def test_every_page_and_the_error_state_of_its_forms(open_page, live, lang):
    pages: dict[str | None, object] = {}
    errors = 0
    for shot in _shots(live):
        path = _url(live.app, shot)
        if shot.who not in pages:
            page = open_page(lang)
            if shot.who:
                _log_in(page, shot.who, lang)
            else:
                page.goto("/")
                use_language(page, lang)
            pages[shot.who] = page
        page = pages[shot.who]
        page.goto(path)
        expect_lang(page, lang)
        assert_accessible(page, shot.name)
        for index in page.evaluate(_REFUSABLE):
            page.goto(path)
            form = page.locator("main form").nth(index)
            closed = form.evaluate(CLOSED_FOLD)
            if closed:
                form.locator("xpath=ancestor::details[1]/summary").click()
            if not form.locator("button[type=submit]").first.is_visible():
                continue  # inside a fold-out within a fold-out: reached by the flow tests
            with page.expect_navigation():
                form.locator("button[type=submit]").first.click()
            expect(page.locator(".vb-error-summary").first).to_be_visible()
            assert page.title().startswith(("Fout:", "Error:")), page.title()
            focused = page.evaluate("document.activeElement.classList.contains('vb-error-summary')")
            assert focused, f"the error summary of {shot.name} has no focus"
            assert_accessible(page, f"{shot.name}, form {index} sent empty")
            errors += 1
    assert errors >= 10, f"only {errors} forms reached their error state"


#: who sees an initiative's own pages differently: a member (Anna on the Voermanhaven, Joost
#: elsewhere), the initiator, a partner, the area's coach and the admin
_ROLES = (
    "anna@example.nl",
    "joost@example.nl",
    "pieter@example.nl",
    "lotte@example.nl",
    "marieke@example.nl",
    "sanne@example.nl",
    "beheer@example.nl",
)


def test_every_initiative_page_as_every_role(open_page, live, lang):
    """The tour opens each page as one person; an initiative's page and its members page show
    other forms and panels to each role (member, initiator, partner, coach, admin), so those
    are checked for every demo initiative as each of them."""
    from flask import url_for
    from sqlalchemy import select

    from engine.models import Initiative

    with live.sessions() as session:
        ids = session.scalars(select(Initiative.id).order_by(Initiative.id)).all()
    with live.app.test_request_context():
        paths = [
            url_for(endpoint, initiative_id=i)
            for i in ids
            for endpoint in ("initiatives.show", "members.group")
        ]
    checked = 0
    for who in _ROLES:
        page = open_page(lang)
        _log_in(page, who, lang)
        for path in paths:
            response = page.goto(path)
            if response is None or response.status != 200:
                continue  # a private group's page is not for everyone (its own tests say so)
            expect_lang(page, lang)
            assert_accessible(page, f"{path} as {who}")
            checked += 1
    assert checked >= len(paths) * 4, checked
