"""What a reminder says: one line per reminder, in the reader's language; a mail holds one or many.

A reader who wants reminders at once gets one mail per reminder; a daily or weekly reader gets
one digest per slot with every reminder that came due since the last one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from urllib.parse import urlsplit

from sqlalchemy import Row

from engine.coach.health import stalled_reminder
from engine.dates import show_date
from engine.i18n import Msg, msg, nmsg, translate
from engine.models import Person
from engine.models.reminders import Reminder
from engine.reminders.tokens import unsubscribe_token

#: a reminder as loaded, or as the dispatcher reads it: a row of the ``reminders`` columns
ReminderLike = Reminder | Row

#: kind → (sentence before or on the day, sentence after it); the caller fills in title and when
SENTENCES: dict[str, tuple[Msg, Msg]] = {
    "step_due": (
        msg("Step “%(title)s” is due %(when)s."),
        msg("Step “%(title)s” was due %(when)s."),
    ),
    "stage_target": (
        msg("The group aims to finish the stage “%(title)s” %(when)s."),
        msg("The group aimed to finish the stage “%(title)s” %(when)s."),
    ),
    "meeting": (
        msg("The meeting “%(title)s” is %(when)s."),
        msg("The meeting “%(title)s” was %(when)s."),
    ),
    "support_due": (
        msg("The answer to “%(title)s” is due %(when)s."),
        msg("The answer to “%(title)s” was due %(when)s."),
    ),
}
#: every other kind (a maintenance turn, a review…): the title says what it is
GENERIC = (msg("“%(title)s” is due %(when)s."), msg("“%(title)s” was due %(when)s."))


def when(deadline: date, today: date, locale: str) -> str:
    """'in 7 days, on 5 December 2026', 'tomorrow, …', 'today, …', '2 days ago, on …'."""
    shown = show_date(deadline, locale)
    left = (deadline - today).days
    if left > 1:
        phrase: Msg = nmsg("in %(num)d day, on %(date)s", "in %(num)d days, on %(date)s", left,
                           date=shown)  # fmt: skip
    elif left == 1:
        phrase = msg("tomorrow, %(date)s", date=shown)
    elif left == 0:
        phrase = msg("today, %(date)s", date=shown)
    elif left == -1:
        phrase = msg("yesterday, %(date)s", date=shown)
    else:
        phrase = nmsg("%(num)d day ago, on %(date)s", "%(num)d days ago, on %(date)s", -left,
                      date=shown)  # fmt: skip
    return translate(phrase, locale)


def title_in(reminder: ReminderLike, locale: str) -> str:
    titles = reminder.title or {}
    return titles.get(locale) or titles.get("nl") or next(iter(titles.values()), "")


def sentence(reminder: ReminderLike, today: date, locale: str, stalled_days: int) -> str:
    """One line about one reminder, in the reader's language."""
    title = title_in(reminder, locale)
    if reminder.kind == "initiative_stalled":
        return translate(stalled_reminder(title, stalled_days), locale)
    upcoming, overdue = SENTENCES.get(reminder.kind, GENERIC)
    words = upcoming if reminder.deadline_date >= today else overdue
    shown = when(reminder.deadline_date, today, locale)
    return translate(words.with_params(title=title, when=shown), locale)


@dataclass(frozen=True)
class Item:
    sentence: str
    initiative: str
    url: str
    #: the same as HTML, where words in the other language carry ``lang`` (else escaped text)
    sentence_html: str | None = None
    initiative_html: str | None = None


@dataclass(frozen=True)
class Site:
    """What a mail needs of the site: its address and the secret that signs links."""

    base_url: str
    secret: str

    def url(self, path: str) -> str:
        return self.base_url.rstrip("/") + path

    @property
    def domain(self) -> str:
        return urlsplit(self.base_url).hostname or "verbinding.local"


def items(
    reminders: Sequence[ReminderLike], titles: dict[int, str], today: date, locale: str, site: Site,
    stalled_days: int,
):  # fmt: skip
    return [
        Item(
            sentence=sentence(r, today, locale, stalled_days),
            initiative=titles.get(r.initiative_id or 0, ""),
            url=site.url(r.link),
        )
        for r in reminders
    ]


def subject(
    reminders: Sequence[ReminderLike], titles: dict[int, str], locale: str, digest: bool
) -> str:
    if digest:
        return translate(
            nmsg("Your overview: %(num)d reminder", "Your overview: %(num)d reminders",
                 len(reminders)),
            locale,
        )  # fmt: skip
    (reminder,) = reminders
    initiative = titles.get(reminder.initiative_id or 0)
    if reminder.kind == "initiative_stalled":  # its title is the initiative's: say what is up
        return translate(
            msg("“%(title)s” has stalled", title=initiative or title_in(reminder, locale)), locale
        )
    if initiative:
        return translate(
            msg("Reminder for “%(initiative)s”: %(title)s", initiative=initiative,
                title=title_in(reminder, locale)),
            locale,
        )  # fmt: skip
    return translate(msg("Reminder: %(title)s", title=title_in(reminder, locale)), locale)


def mail_context(
    person: Person, reminders: Sequence[ReminderLike], titles: dict[int, str], today: date,
    site: Site, digest: bool, *, stalled_days: int,
) -> tuple[str, dict]:  # fmt: skip
    """The subject, and the context for the ``reminder`` mail template."""
    locale = person.locale if person.locale in ("nl", "en") else "nl"
    kinds = sorted({r.kind for r in reminders})
    token = unsubscribe_token(site.secret, person.id, kinds)
    return subject(reminders, titles, locale, digest), {
        "name": person.name,
        "items": items(reminders, titles, today, locale, site, stalled_days),
        "digest": digest,
        "preferences_url": site.url("/reminders/preferences"),
        "unsubscribe_url": site.url(f"/reminders/unsubscribe/{token}"),
    }


def list_headers(context: dict, site: Site) -> dict[str, str]:
    """RFC 2369/8058 headers: one-click unsubscribe for exactly the kinds in this mail."""
    return {
        "List-Id": f"Verbinding reminders <reminders.{site.domain}>",
        "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
