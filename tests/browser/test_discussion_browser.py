"""The group's discussion in a real browser with axe on every page: Anna sees who her coach is,
is told plainly that an empty message cannot be posted, writes to the group; Sanne (the
stadsdeel's process coach) replies on behalf of the municipality; Anna sees the reply."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_PASSWORD
from tests.browser.flows import Resident
from tests.browser.pages import login, use_language, write_message

TITLE = "Wijkvisie Paddepoel"


def test_a_member_posts_and_the_coach_replies(open_page, live, lang):
    anna = Resident(open_page(lang), lang, "Anna de Vries")
    login(anna.page, "anna@example.nl", DEMO_PASSWORD, check=False)
    use_language(anna.page, lang)
    anna.page.goto("/")
    anna.follow(anna.page.locator("main a", has_text=TITLE).first, "initiative page")
    panel = anna.page.locator("section[aria-labelledby=discussion-heading]")
    expect(panel).to_contain_text("Sanne Visser")
    anna.follow(panel.locator("a[href$='/discussion']"), "discussion, empty")
    url = anna.page.url

    write_message(anna.page, "form#post", "   ", "discussion, empty message refused")
    expect(anna.page.locator("#post-body-error")).to_contain_text(
        anna.t("Schrijf eerst iets.", "Write something first.")
    )
    said = anna.t("Wie helpt zaterdag met flyeren?", "Who helps hand out flyers on Saturday?")
    write_message(anna.page, "form#post", said, "discussion, after posting")
    expect(anna.page.locator("article.vb-message", has_text=said)).to_have_count(1)

    sanne = Resident(open_page(lang), lang, "Sanne Visser")
    login(sanne.page, "sanne@example.nl", DEMO_PASSWORD, check=False)
    use_language(sanne.page, lang)
    coach_view = url.replace("/initiatives/", "/coach/initiatives/").removesuffix("/discussion")
    sanne.open(coach_view, "coach view, with the forms to write to the group")
    expect(sanne.page.locator("#to-initiators-body")).to_be_visible()
    sanne.open(url, "discussion, as the coach")
    first = sanne.page.locator("article.vb-message", has_text=said).first
    reply = first.locator("form[action$='/discussion']")
    answer = sanne.t("Ik kom langs met folders.", "I'll bring leaflets.")
    reply.locator("xpath=ancestor::details[1]/summary").click()
    reply.locator("textarea[name=body]").fill(answer)
    sanne.send(reply, "discussion, after the coach replied")

    anna.open(url, "discussion, with the coach's reply")
    replies = anna.page.locator("li", has=anna.page.locator("article", has_text=said)).locator(
        ".vb-replies"
    )
    expect(replies).to_contain_text(answer)
    expect(replies).to_contain_text(anna.t("namens de gemeente", "on behalf of the municipality"))
