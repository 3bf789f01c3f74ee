"""Translatable messages that the engine hands to whoever shows them to a person.

The engine never knows the reader's language. It returns :class:`Msg` objects; the web app
renders them with Flask-Babel, the CLI with :func:`translate`. Message ids are English; the
Dutch catalogue is the default reading.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

from babel.support import NullTranslations, Translations
from markupsafe import Markup, escape

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
DEFAULT_LOCALE = "nl"
LOCALES = ("nl", "en")


def N_(msgid: str) -> str:
    """Mark a string for extraction without translating it."""
    return msgid


class Gettext(Protocol):
    def gettext(self, message: str) -> str: ...
    def ngettext(self, singular: str, plural: str, n: int) -> str: ...


@dataclass(frozen=True)
class Msg:
    """A message id with its parameters, translated only when shown."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None
    n: int | None = None

    def render(self, translations: Gettext | None = None) -> str:
        tr = translations or NullTranslations()
        if self.plural is not None and self.n is not None:
            text = tr.ngettext(self.msgid, self.plural, self.n)
        else:
            text = tr.gettext(self.msgid)
        params = {k: _render_param(v, translations) for k, v in self.params.items()}
        if self.n is not None:
            params.setdefault("num", self.n)
        return text % params if params else text

    def with_params(self, **params: Any) -> Msg:
        """The same message with (more) parameters: a table holds it, its caller fills it in."""
        return replace(self, params={**self.params, **params})

    def __str__(self) -> str:
        return self.render(get_translations(DEFAULT_LOCALE))


#: the name a deleted account keeps (engine.privacy.erase); every page and mail shows it as
#: "voormalig lid" / "former member" in the reader's language (:func:`show_former`)
FORMER_MEMBER = "[voormalig lid]"
_FORMER_MEMBER_SAID = N_("former member")


def show_former(value: Any, translations: Gettext | None) -> Any:
    """``value`` with the placeholder of a deleted account put in the reader's language."""
    if isinstance(value, str) and FORMER_MEMBER in value:
        tr = translations or NullTranslations()
        return value.replace(FORMER_MEMBER, tr.gettext(_FORMER_MEMBER_SAID))
    return value


def _render_param(value: Any, translations: Gettext | None) -> Any:
    if isinstance(value, str):
        return show_former(value, translations)
    if isinstance(value, Msg):
        return value.render(translations)
    if isinstance(value, tuple):  # a list of messages shown as "a / b"
        return " / ".join(str(_render_param(v, translations)) for v in value)
    return value


def msg(msgid: str, **params: Any) -> Msg:
    """Build a message; extraction keyword for Babel."""
    return Msg(msgid, params)


def nmsg(singular: str, plural: str, n: int, **params: Any) -> Msg:
    """Build a plural message; extraction keyword for Babel."""
    return Msg(singular, params, plural=plural, n=n)


@lru_cache(maxsize=8)
def get_translations(locale: str) -> Gettext:
    """Load the engine's catalogue for a locale (English ids fall through untranslated)."""
    return Translations.load(str(TRANSLATIONS_DIR), [locale])


def translate(message: Msg | str, locale: str = DEFAULT_LOCALE) -> str:
    """Render a message in a locale, for the CLI and mail."""
    if isinstance(message, Msg):
        return message.render(get_translations(locale))
    return get_translations(locale).gettext(message)


def in_lang(value: object, language: str | None, locale: str) -> Markup:
    """User content inside a sentence, escaped, in a ``<span lang>`` when it is written in
    another language than the reader's (WCAG 3.1.2: a screen reader switches its voice)."""
    if language in LOCALES and language != locale:
        return Markup('<span lang="{}">{}</span>').format(language, value)
    return escape(value)


class _Escaping:
    """A catalogue whose texts are HTML-safe, so ``text % params`` escapes every parameter
    that is not markup already (a name someone typed) and keeps those that are (``in_lang``)."""

    def __init__(self, translations: Gettext) -> None:
        self._translations = translations

    def gettext(self, message: str) -> str:
        return escape(self._translations.gettext(message))

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return escape(self._translations.ngettext(singular, plural, n))


def translate_html(message: Msg, locale: str = DEFAULT_LOCALE) -> Markup:
    """Render a message in a locale as HTML: its parameters escaped, markup ones kept."""
    return Markup(message.render(_Escaping(get_translations(locale))))
