"""Language: Dutch first, English complete; the reader's choice, then their browser's."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from flask import current_app, g, request, session
from flask.globals import _cv_app, _cv_request
from flask_babel import LazyString, get_locale, get_translations, refresh
from flask_login import current_user
from jinja2.nodes import EvalContext
from jinja2.utils import pass_eval_context
from markupsafe import Markup

from engine.dates import show, show_clock, show_date
from engine.i18n import FORMER_MEMBER, LOCALES, Msg, show_former
from engine.i18n import in_lang as engine_in_lang
from engine.wording import PARTICIPATION, ROLES
from engine.workflows.definitions import Text


def select_locale() -> str:
    if request.path.startswith("/api/") and request.path != "/api/v1/":
        # the API: the request's language, else the token's person's, else Dutch
        if request.headers.get("Accept-Language"):
            return request.accept_languages.best_match(LOCALES, default="nl") or "nl"
        caller = g.get("api_person")
        return caller.locale if caller is not None and caller.locale in LOCALES else "nl"
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    if current_user.is_authenticated and current_user.person.locale in LOCALES:
        return current_user.person.locale
    return request.accept_languages.best_match(LOCALES, default="nl") or "nl"


def _context() -> Any:
    """The request's context (else the app's), where Flask-Babel keeps the reader's language
    too: the templates ask for the language and the catalogue thousands of times a page, and
    Flask's proxies cost more than the answer."""
    return _cv_request.get(None) or _cv_app.get(None)


def locale() -> str:
    """The reader's language ("nl"), looked up once per request."""
    ctx = _context()
    found = getattr(ctx, "_vb_locale", None)
    if found is None:
        found = str(get_locale() or "nl")
        if ctx is not None:
            ctx._vb_locale = found
    return found


def reader_changed() -> None:
    """Forget the language looked up so far in this request: after a login the person's own
    language counts from the next sentence on (the "logged in" message), not the visitor's
    that a form looked up before it."""
    ctx = _context()
    if ctx is not None:
        for name in ("_vb_locale", "_vb_translations", "_vb_said"):
            ctx.__dict__.pop(name, None)
    refresh()


def translations() -> Any:
    """The reader's catalogue, looked up once per request (Flask-Babel finds its context,
    domain and locale anew on every call; a page calls ``_()`` thousands of times)."""
    ctx = _context()
    found = getattr(ctx, "_vb_translations", None)
    if found is None:
        found = get_translations()
        if ctx is not None:
            ctx._vb_translations = found
    return found


def gettext(string: str, **variables: Any) -> str:
    """``flask_babel.gettext`` through the request's catalogue (for sentences built in Python
    while a page renders: the history's, a form's label)."""
    said = translations().ugettext(string)
    return said % variables if variables else said


def lazy_gettext(string: str, **variables: Any) -> LazyString:
    """``flask_babel.lazy_gettext`` said through the request's catalogue: the labels and
    messages of the forms (``_l``), said for every form a page builds (the initiative page
    builds a dozen)."""
    return LazyString(gettext, string, **variables)


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """``flask_babel.ngettext`` through the request's catalogue."""
    variables.setdefault("num", num)
    return translations().ungettext(singular, plural, num) % variables


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, string: str, **variables: Any) -> str:
    """``_()`` in the templates: what Jinja's newstyle gettext does, without resolving
    ``gettext`` in the template's context and calling through it on every call."""
    if not variables:  # most of them: the sentence is the same all through the page
        known = _said()
        key = (eval_ctx.autoescape, string)
        found = known.get(key)
        if found is None:
            found = known[key] = _say(eval_ctx.autoescape, string, variables)
        return found
    return _say(eval_ctx.autoescape, string, variables)


def _say(autoescape: bool, string: str, variables: dict[str, Any]) -> str:
    said = translations().ugettext(string)
    if autoescape:
        said = Markup(said)
    if not variables and "%" not in said:
        return said  # what ``said % {}`` gives, without Markup's formatting machinery
    return said % variables  # always a format string (newstyle): "%%" is "%"


def say(string: str, **variables: Any) -> str:
    """``_(string, **variables)`` as a template says it (Markup), for markup made in Python."""
    if not variables:
        return said_once(string)
    return _say(True, string, variables)


def said_once(key: Any, make: Any = None) -> Any:
    """A sentence (``_(key)`` as a template says it), or what ``make()`` gives, made once per
    request and catalogue."""
    if make is None:
        key = (True, key)  # the key of ``_(key)`` in a template: one cache for both
    known = _said()
    found = known.get(key)
    if found is None:
        found = known[key] = make() if make is not None else _say(True, key[1], {})
    return found


def _said() -> dict[Any, Any]:
    """The template sentences without values said so far in this request, by message id."""
    ctx = _context()
    found = getattr(ctx, "_vb_said", None)
    if found is None:
        found = {}
        if ctx is not None:
            ctx._vb_said = found
    return found


def _gettext(string: str) -> str:
    return translations().ugettext(string)


def _ngettext(singular: str, plural: str, num: int) -> str:
    return translations().ungettext(singular, plural, num)


def _pgettext(context: str, string: str) -> str:
    return translations().upgettext(context, string)


def _npgettext(context: str, singular: str, plural: str, num: int) -> str:
    return translations().unpgettext(context, singular, plural, num)


def render_msg(message: Msg | str | None) -> str:
    """Translate an engine message (or a plain message id) for the current reader."""
    if message is None:
        return ""
    if isinstance(message, Msg):
        return message.render(translations())
    return translations().gettext(message)


def lazy_msg(message: Msg) -> LazyString:
    """An engine message for a label defined at import time (form choices), like ``_l``."""
    return LazyString(render_msg, message)


def role_labels() -> dict[str, str]:
    """Every role as a label ("Initiator"), in the reader's language, for the templates."""
    return {role: render_msg(words.label) for role, words in ROLES.items()}


def participation_levels() -> dict[str, tuple[str, str]]:
    """Every rung of the participation ladder: its label and what it means, for the templates."""
    return {
        level: (render_msg(words.label), render_msg(words.meaning))
        for level, words in PARTICIPATION.items()
    }


def text(value: Text | dict[str, str] | None) -> str:
    """Pick the reader's language from a template text."""
    if value is None:
        return ""
    if isinstance(value, Text):
        return value.get(locale())
    return value.get(locale()) or value.get("nl") or ""


def _zone() -> str:
    return str(current_app.config["VERBINDING"].timezone)


def when(value: datetime | date | None, style: str = "") -> str:
    """A day ("3 januari 2027") or a moment ("3 jan. 2027, 08:00") for the reader; one format
    each on every page (``style`` is ignored: it is kept so older calls still render)."""
    return show(value, locale(), _zone())


def day(value: datetime | date | None) -> str:
    """Only the day of a moment, in the city's time zone ("29 november 2026")."""
    return show_date(value, locale(), _zone()) if value is not None else ""


def clock(value: datetime | None) -> str:
    """Only the time of a moment, in the city's time zone ("21:30")."""
    return show_clock(value, locale(), _zone()) if value is not None else ""


def lang_of(language: str | None) -> Markup:
    """` lang="nl"` for user content written in another language than the page's, else ""."""
    if language in LOCALES and language != locale():
        return Markup(' lang="%s"') % language
    return Markup("")


def in_lang(value: object, language: str | None) -> Markup:
    """User content inside a sentence (``title|in_lang(initiative.language)``): escaped, in a
    ``<span lang>`` when written in another language than the page's."""
    return engine_in_lang(value, language, locale())


def _finalize(value: Any) -> Any:
    # every {{ }} of every page passes here: the catalogue only for the rare deleted account
    if isinstance(value, str) and FORMER_MEMBER in value:
        return show_former(value, translations())
    return value


def install(app: Any) -> None:
    """Filters and globals for the templates; their ``_()`` reads the request's catalogue."""
    app.jinja_env.add_extension("jinja2.ext.do")
    # a deleted account's name ("voormalig lid") in the reader's language, wherever it is shown
    app.jinja_env.finalize = _finalize
    app.jinja_env.install_gettext_callables(
        gettext=_gettext,
        ngettext=_ngettext,
        newstyle=True,
        pgettext=_pgettext,
        npgettext=_npgettext,
    )
    app.jinja_env.globals["_"] = _template_gettext
    app.jinja_env.filters.update(
        msg=render_msg, text=text, when=when, day=day, in_lang=in_lang, clock=clock
    )
    app.jinja_env.globals.update(
        current_locale=locale,
        lang_of=lang_of,
        LOCALES=LOCALES,
        role_labels=role_labels,
        participation_levels=participation_levels,
    )
