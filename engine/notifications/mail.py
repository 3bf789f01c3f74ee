"""What a notification says, in the reader's language, on the page and in mail.

An event's data holds words in no language (titles, names) and moments (``*_dt`` as ISO
8601, ``date`` as a day); the sentence is the kind's, translated and filled in here. A mail is
composed once per language and event; each reader's name and unsubscribe link are put into
that one text, so fanning out to a thousand people composes two mails, not a thousand.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from babel.dates import format_date, format_datetime
from markupsafe import Markup, escape

from engine.config import Config
from engine.i18n import LOCALES, in_lang, translate, translate_html
from engine.mail.compose import MAX_SUBJECT, compose, finalize, short
from engine.mail.outbox import NAME, TOKEN, fill_in
from engine.notifications.kinds import SUBJECT, event_kind
from engine.reminders.digests import Item, Site
from engine.reminders.tokens import signing_secret, unsubscribe_token
from engine.timeutil import zone

#: where a mail's one-click unsubscribe link points; the token follows
UNSUBSCRIBE_PATH = "/reminders/unsubscribe/"


def locale_of(locale: str | None) -> str:
    return locale if locale in LOCALES else "nl"


def _param(key: str, value: Any, locale: str, tz: str) -> Any:
    if isinstance(value, dict):  # a title in several languages
        return value.get(locale) or value.get("nl") or next(iter(value.values()), "")
    if key.endswith("_dt") and isinstance(value, str):
        moment = datetime.fromisoformat(value)
        return format_datetime(moment, "d MMMM y, HH:mm", tzinfo=zone(tz), locale=locale)
    if key == "date" and isinstance(value, str):
        return format_date(date.fromisoformat(value), "long", locale=locale)
    return value


#: the words of an event's data that someone wrote in the initiative's language (a title, a
#: question, an own stage); a title given in several languages (a template's) is not
USER_WORDS = ("initiative", "title", "stage")


def sentence(kind: str, data: dict[str, Any], locale: str, tz: str) -> str:
    """The one sentence that says what happened."""
    params = {k: _param(k, v, locale, tz) for k, v in (data or {}).items()}
    params.setdefault("actor", "")
    return translate(event_kind(kind).sentence.with_params(**params), locale)


def sentence_html(kind: str, data: dict[str, Any], locale: str, tz: str) -> Markup:
    """The sentence as HTML: what someone wrote in the other language carries ``lang``."""
    data = data or {}
    language = data.get("language")
    params = {k: _param(k, v, locale, tz) for k, v in data.items()}
    for key in USER_WORDS:
        if isinstance(data.get(key), str):
            params[key] = in_lang(data[key], language, locale)
    params.setdefault("actor", "")
    return translate_html(event_kind(kind).sentence.with_params(**params), locale)


def initiative_html(data: dict[str, Any], locale: str) -> Markup:
    """The initiative's title as HTML, with ``lang`` when it is in the other language."""
    data = data or {}
    return in_lang(data.get("initiative") or "", data.get("language"), locale)


def subject(kind: str, data: dict[str, Any], locale: str, tz: str) -> str:
    said = sentence(kind, data, locale, tz)
    initiative = (data or {}).get("initiative")
    if not initiative:
        return said
    return translate(SUBJECT.with_params(initiative=initiative, sentence=said), locale)


def thread_root(initiative_id: int | None, mail_from: str) -> str | None:
    """The Message-ID every mail about one initiative answers to, so mail clients thread them."""
    if initiative_id is None:
        return None
    domain = mail_from.rsplit("@", 1)[-1].strip(" >") or "verbinding.local"
    digest = hashlib.sha256(f"initiative:{initiative_id}".encode()).hexdigest()[:24]
    return f"<initiative-{initiative_id}.{digest}@{domain}>"


def headers(site: Site, initiative_id: int | None, mail_from: str) -> dict[str, str]:
    """List headers (RFC 2369/8058: one click turns this kind off) and the thread's root."""
    found = {
        "List-Id": f"Verbinding notifications <notifications.{site.domain}>",
        "List-Unsubscribe": f"<{site.url(UNSUBSCRIBE_PATH)}{TOKEN}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    root = thread_root(initiative_id, mail_from)
    if root is not None:
        found["In-Reply-To"] = root
        found["References"] = root
    return found


def site_of(config: Config) -> Site:
    return Site(base_url=config.base_url, secret=signing_secret(config))


@dataclass(frozen=True)
class Shown:
    """One notification as a reader sees it: the sentence, the initiative, where it leads."""

    kind: str
    initiative_id: int | None
    data: dict[str, Any]
    link: str


@dataclass(frozen=True)
class Composed:
    """A mail composed for one language, with stand-ins for the reader."""

    subject: str
    text: str
    html: str
    headers: dict[str, str]

    def for_reader(self, name: str, token: str) -> dict[str, Any]:
        """The mail of one reader: their name, and ``token`` in the unsubscribe link."""
        return {
            "subject": self.subject,
            "body_text": fill_in(self.text, name, token),
            "body_html": fill_in(self.html, name, token, html=True),
            "headers": {k: fill_in(v, name, token) for k, v in self.headers.items()},
        }


def items_of(shown: Sequence[Shown], locale: str, site: Site, tz: str) -> list[Item]:
    """The lines of a mail, one per notification, in one language."""
    return [
        Item(
            sentence=sentence(s.kind, s.data, locale, tz),
            initiative=str((s.data or {}).get("initiative") or ""),
            url=site.url(s.link),
            sentence_html=sentence_html(s.kind, s.data, locale, tz),
            initiative_html=initiative_html(s.data, locale),
        )
        for s in shown
    ]


def compose_mail(
    shown: Sequence[Shown], locale: str, site: Site, config: Config, *, digest: bool
) -> Composed:
    """Compose a notification mail (one item) or an overview (several) in one language."""
    tz = config.timezone
    items = items_of(shown, locale, site, tz)
    if not digest and len(items) == 1:
        subject_line, text, html = _one(items[0], subject(shown[0].kind, shown[0].data, locale, tz),
                                        locale, site)  # fmt: skip
        return Composed(subject_line, text, html,
                        headers(site, shown[0].initiative_id, config.mail_from))  # fmt: skip
    if digest:
        from engine.i18n import nmsg

        title = translate(
            nmsg("Your overview: %(num)d notification", "Your overview: %(num)d notifications",
                 len(shown)),
            locale,
        )  # fmt: skip
    else:
        title = subject(shown[0].kind, shown[0].data, locale, tz)
    subject_line, text, html = compose(
        "notification",
        locale,
        subject=title,
        name=NAME,
        items=items,
        digest=digest,
        notifications_url=site.url("/notifications"),
        preferences_url=site.url("/reminders/preferences"),
        unsubscribe_url=site.url(UNSUBSCRIBE_PATH) + TOKEN,
    )
    iids = {s.initiative_id for s in shown}
    only = next(iter(iids)) if len(iids) == 1 else None
    return Composed(subject_line, text, html, headers(site, only, config.mail_from))


#: stand-ins for one notification's own words in a mail's frame (see :func:`_one`)
_SUBJECT, _SENTENCE, _INITIATIVE, _URL = (f"\ue001{w}\ue001" for w in ("s", "t", "i", "u"))


def _template(template: str, locale: str, site: Site, **context: Any) -> tuple[str, str, str]:
    return compose(
        template,
        locale,
        name=NAME,
        notifications_url=site.url("/notifications"),
        preferences_url=site.url("/reminders/preferences"),
        unsubscribe_url=site.url(UNSUBSCRIBE_PATH) + TOKEN,
        **context,
    )


@lru_cache(maxsize=64)
def _frame(locale: str, site: Site, has_initiative: bool) -> tuple[str, str, str]:
    """The mail of one notification with stand-ins for its words: rendered once per language
    (the templates' sentences cost more than filling in the words of each event)."""
    item = Item(
        sentence=_SENTENCE,
        initiative=_INITIATIVE if has_initiative else "",
        url=_URL,
        sentence_html=Markup(_SENTENCE),
        initiative_html=Markup(_INITIATIVE) if has_initiative else None,
    )
    return _template("notification", locale, site, subject=_SUBJECT, items=[item], digest=False)


def _one(item: Item, title: str, locale: str, site: Site) -> tuple[str, str, str]:
    """One notification's mail: its frame with the event's words put in, as the template would
    (the HTML escaped, a deleted account's name in the reader's language)."""
    said = finalize(locale)
    subject_frame, text, html = _frame(locale, site, bool(item.initiative))
    words = {_SENTENCE: said(item.sentence), _INITIATIVE: said(item.initiative),
             _URL: said(item.url), _SUBJECT: said(title)}  # fmt: skip
    markup = {_SENTENCE: said(item.sentence_html or escape(item.sentence)),
              _INITIATIVE: said(item.initiative_html or escape(item.initiative)),
              _URL: escape(said(item.url)), _SUBJECT: escape(said(title))}  # fmt: skip
    for stand_in, word in words.items():
        text = text.replace(stand_in, word)
        subject_frame = subject_frame.replace(stand_in, word)
    for stand_in, word in markup.items():
        html = html.replace(stand_in, str(word))
    return short(subject_frame, MAX_SUBJECT), text, html


def signed_token(site: Site, person_id: int, prefs: Iterable[str]) -> str:
    """The signed unsubscribe token of an overview (several kinds at once)."""
    return unsubscribe_token(site.secret, person_id, sorted(set(prefs)))


def unsubscribe_url(site: Site, person_id: int, prefs: Iterable[str]) -> str:
    return site.url(UNSUBSCRIBE_PATH + signed_token(site, person_id, prefs))
