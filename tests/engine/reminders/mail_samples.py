"""Every kind of mail and a calendar feed, rendered from fixed data at a fixed moment.

The snapshot tests (test_mail_snapshots.py) compare these with committed files; the test that
no Dutch text contains an English message id (tests/web/test_dutch_has_no_english.py) reads
them too. Data is built in memory, the way the operations and the dispatcher hand it to the
mail templates, so nothing here depends on database ids.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from engine.config import default_config
from engine.mail.compose import compose
from engine.models import Person
from engine.models.reminders import CalendarEntry, Reminder
from engine.reminders.calendar import build_calendar, feed_name
from engine.reminders.digests import Site, list_headers, mail_context
from engine.reminders.municipal import support_title
from engine.timeutil import local_date
from engine.wording import ROLES

#: a Friday morning in Groningen
NOW = datetime(2026, 11, 27, 9, 30, tzinfo=UTC)
TODAY = local_date(NOW)
DAY = timedelta(days=1)
SITE = Site("https://verbinding.example", "geheim")
QUAY, PARK = 3, 4
INITIATIVES = {QUAY: "Groen op de Voermanhaven", PARK: "Toekomst Coenderspark"}


def anna(locale: str) -> Person:
    return Person(id=7, name="Anna de Vries", email="anna@example.nl", locale=locale)


def sanne(locale: str) -> Person:
    """A process coach."""
    return Person(id=9, name="Sanne Visser", email="sanne@gemeente.example", locale=locale)


def _reminder(kind: str, days: int, title: str | dict[str, str], link: str, **kw) -> Reminder:
    titles = title if isinstance(title, dict) else {"nl": title, "en": title}
    return Reminder(
        kind=kind,
        deadline_date=TODAY + days * DAY,
        title=titles,
        link=link,
        initiative_id=kw.pop("initiative_id", QUAY),
        **kw,
    )


def step(days: int) -> Reminder:
    return _reminder("step_due", days, "Foto's maken van de kade", f"/initiatives/{QUAY}#step-12")


def stage(days: int) -> Reminder:
    return _reminder(
        "stage_target",
        days,
        {"nl": "Voorstel", "en": "Proposal"},
        f"/initiatives/{QUAY}#stage-proposal",
    )


def maintenance(days: int) -> Reminder:
    return _reminder(
        "maintenance_due",
        days,
        {"nl": "Onderhoud: Plantenbakken water geven", "en": "Maintenance: Water the planters"},
        f"/initiatives/{QUAY}/maintenance/tasks/2",
    )


def review(days: int) -> Reminder:
    return _reminder(
        "maintenance_review",
        days,
        {
            "nl": "Evaluatie van de onderhoudsafspraak: Groen op de Voermanhaven",
            "en": "Review of the maintenance agreement: Groen op de Voermanhaven",
        },
        f"/initiatives/{QUAY}/maintenance/agreement",
    )


def meeting(days: int) -> Reminder:
    return _reminder(
        "meeting",
        days,
        {"nl": "Wijkavond, 19:30, Buurthuis De Paddepoel",
         "en": "Wijkavond, 19:30, Buurthuis De Paddepoel"},
        f"/initiatives/{QUAY}/meetings/3",
    )  # fmt: skip


#: what each initiative asked the municipality for, and the request's number
REQUESTS = {
    QUAY: (5, "Graag de stroken asfalt langs de kade weghalen,\nzodat we daar kunnen planten."),
    PARK: (6, "Advies over een speelplek bij de vijver"),
}


def support(days: int, initiative_id: int = QUAY) -> Reminder:
    number, description = REQUESTS[initiative_id]
    return _reminder(
        "support_due",
        days,
        support_title(description),
        f"/initiatives/{initiative_id}#support-{number}",
        initiative_id=initiative_id,
    )


def stalled(initiative_id: int = PARK) -> Reminder:
    return _reminder(
        "initiative_stalled", 0, INITIATIVES[initiative_id], f"/initiatives/{initiative_id}",
        initiative_id=initiative_id,
    )  # fmt: skip


def reminder_mail(person: Person, reminders: list[Reminder], digest: bool) -> str:
    """A reminder mail as the dispatcher queues it: subject, headers, text and HTML."""
    subject, context = mail_context(
        person, reminders, INITIATIVES, TODAY, SITE, digest,
        stalled_days=default_config().stalled_days,
    )  # fmt: skip
    _, text, html = compose("reminder", person.locale, subject=subject, **context)
    headers = "".join(f"{k}: {v}\n" for k, v in list_headers(context, SITE).items())
    return _mail(subject, text, html, headers)


def combined_mail(person: Person, reminders: list[Reminder], digest: bool) -> str:
    """A digest with the reader's notifications of the same slot, as the dispatcher queues
    it: one mail, not two."""
    from engine.notifications.digests import with_notifications
    from engine.notifications.mail import Shown

    config = default_config()
    subject, context = mail_context(
        person, reminders, INITIATIVES, TODAY, SITE, digest, stalled_days=config.stalled_days,
    )  # fmt: skip
    shown = [
        Shown("member_joined", QUAY, {"initiative": INITIATIVES[QUAY], "name": "Bram Smit"},
              f"/initiatives/{QUAY}#group"),
        Shown("decision_opened", PARK, {"initiative": INITIATIVES[PARK], "actor": "Anna de Vries",
              "title": "Bankjes bij de vijver?", "closes_dt": "2026-12-11T16:00:00+00:00"},
              f"/initiatives/{PARK}/decisions/5"),
    ]  # fmt: skip
    subject, context = with_notifications(
        person, {r.kind for r in reminders}, len(reminders), context, shown, SITE, config
    )
    _, text, html = compose("reminder", person.locale, subject=subject, **context)
    headers = "".join(f"{k}: {v}\n" for k, v in list_headers(context, SITE).items())
    return _mail(subject, text, html, headers)


def _mail(subject: str, text: str, html: str, headers: str = "") -> str:
    return f"Subject: {subject}\n{headers}\n{text.rstrip()}\n\n----- HTML -----\n{html.rstrip()}\n"


def invitation(locale: str) -> str:
    """What engine.operations.initiatives.invite queues for the invited address."""
    subject, text, html = compose(
        "invitation", locale, inviter="Anna de Vries", title=INITIATIVES[QUAY],
        place="Paddepoel", role=ROLES["partner"].noun, days=14,
        link=SITE.url("/invitations/abc123"),
    )  # fmt: skip
    return _mail(subject, text, html)


def password_reset(locale: str) -> str:
    """What engine.accounts.request_password_reset queues."""
    subject, text, html = compose(
        "password_reset", locale, name="Anna de Vries", hours=2,
        link=SITE.url("/password/new/abc123"),
    )  # fmt: skip
    return _mail(subject, text, html)


def email_confirm(locale: str) -> str:
    """What engine.accounts.send_confirmation queues for a new account."""
    subject, text, html = compose(
        "email_confirm", locale, name="Anna de Vries",
        link=SITE.url("/register/confirm/abc123"),
    )  # fmt: skip
    return _mail(subject, text, html)


def register_attempt(locale: str) -> str:
    """What engine.accounts.register queues for the owner of an address that is taken."""
    subject, text, html = compose(
        "register_attempt", locale, name="Anna de Vries",
        login=SITE.url("/login"), reset=SITE.url("/password/reset"),
    )  # fmt: skip
    return _mail(subject, text, html)


def feed(locale: str) -> str:
    """Anna's own calendar: a step, a stage target, a maintenance turn, one cancelled step."""
    created, updated = NOW - 20 * DAY, NOW - 2 * DAY

    def entry(key: str, kind: str, days: int, title: dict[str, str], link: str, **kw):
        return CalendarEntry(
            key=key, source=kind, initiative_id=kw.get("initiative_id", QUAY), kind=kind,
            title=title, link=link, entry_date=TODAY + days * DAY,
            sequence=kw.get("sequence", 0), is_cancelled=kw.get("is_cancelled", False),
            created_dt=created, updated_dt=updated,
        )  # fmt: skip

    entries = [
        entry(
            "step:12",
            "step_due",
            7,
            {"nl": "Foto's maken van de kade", "en": "Foto's maken van de kade"},
            f"/initiatives/{QUAY}#step-12",
            sequence=1,
        ),  # fmt: skip
        entry(
            "step:13",
            "step_due",
            3,
            {"nl": "Bankjes uitzoeken", "en": "Bankjes uitzoeken"},
            f"/initiatives/{QUAY}#step-13",
            is_cancelled=True,
        ),  # fmt: skip
        entry(
            f"stage:{QUAY}:proposal",
            "stage_target",
            14,
            {"nl": "Voorstel", "en": "Proposal"},
            f"/initiatives/{QUAY}#stage-proposal",
        ),  # fmt: skip
        entry(
            "maintenance:2:2026-12-05",
            "maintenance_due",
            8,
            {"nl": "Onderhoud: Plantenbakken water geven", "en": "Maintenance: Water the planters"},
            f"/initiatives/{QUAY}/maintenance/tasks/2",
        ),  # fmt: skip
    ]
    name = feed_name(locale, person="Anna de Vries")
    ics = build_calendar(entries, name, SITE.base_url, locale, INITIATIVES).decode()
    return ics.replace("\r\n", "\n")


#: every sample: its snapshot name → how to render it in a locale
SAMPLES: dict[str, Callable[[str], str]] = {
    "invitation": invitation,
    "password_reset": password_reset,
    "email_confirm": email_confirm,
    "register_attempt": register_attempt,
    "reminder_step_due": lambda loc: reminder_mail(anna(loc), [step(7)], False),
    "reminder_stage_target": lambda loc: reminder_mail(anna(loc), [stage(1)], False),
    "reminder_maintenance_due": lambda loc: reminder_mail(anna(loc), [maintenance(0)], False),
    "reminder_support_due": lambda loc: reminder_mail(sanne(loc), [support(2)], False),
    "reminder_initiative_stalled": lambda loc: reminder_mail(sanne(loc), [stalled()], False),
    "reminder_meeting": lambda loc: reminder_mail(anna(loc), [meeting(1)], False),
    "digest_daily": lambda loc: reminder_mail(
        anna(loc), [step(-36), stage(-1), maintenance(0), review(30)], True
    ),
    "digest_weekly": lambda loc: reminder_mail(
        sanne(loc), [support(-1), support(5, PARK), stalled()], True
    ),
    "digest_with_notifications": lambda loc: combined_mail(anna(loc), [step(-36), stage(-1)], True),
    "feed": feed,
}
SUFFIX = {"feed": "ics"}
#: the kinds of reminder the samples above put into words
SAMPLE_KINDS = {
    r.kind
    for r in (step(0), stage(0), maintenance(0), review(0), support(0), stalled(), meeting(0))
}


def filename(name: str, locale: str) -> str:
    return f"{name}.{locale}.{SUFFIX.get(name, 'txt')}"


def rendered(name: str, locale: str) -> str:
    return SAMPLES[name](locale)
