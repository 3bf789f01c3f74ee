"""Mail text from Jinja templates, translated with the engine's catalogue.

Each mail ``template`` has ``<template>.subject.txt``, ``.txt`` and ``.html`` in
``engine/mail/templates``; the HTML extends ``layout.html``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from engine.i18n import get_translations, show_former, translate

TEMPLATES = Path(__file__).parent / "templates"
#: the outbox's subject column; a longer subject is cut, never refused
MAX_SUBJECT = 300


def short(text: object, limit: int = 60) -> str:
    """One line of at most ``limit`` characters: free text someone typed (a name, a title)
    must not make a subject long or spill into headers."""
    line = " ".join(str(text or "").split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


@lru_cache(maxsize=4)
def _environment(locale: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        # the templates ship with the code: no stat() of three files for every mail composed
        auto_reload=False,
    )
    translations = get_translations(locale)
    # a deleted account's name is said in the reader's language, wherever it is printed
    env.finalize = lambda value: show_former(value, translations)
    # added to the Environment at run time by the i18n extension, so unknown to its type
    env.install_gettext_translations(translations, newstyle=True)  # type: ignore[attr-defined]
    # an engine message handed in by the caller (``{{ role|msg }}``), as on the pages
    env.filters["msg"] = lambda message: translate(message, locale) if message else ""
    env.filters["short"] = short
    return env


def finalize(locale: str) -> Callable[[Any], Any]:
    """What the templates do to every value they print (for words filled in afterwards)."""
    done = _environment(locale if locale in ("nl", "en") else "nl").finalize
    assert done is not None
    return done


def compose(template: str, locale: str, **context: Any) -> tuple[str, str, str]:
    """Render a mail: its subject, plain text and HTML, in the reader's language."""
    env = _environment(locale if locale in ("nl", "en") else "nl")
    context.setdefault("locale", locale)
    subject = env.get_template(f"{template}.subject.txt").render(context).strip()
    text = env.get_template(f"{template}.txt").render(context)
    html = env.get_template(f"{template}.html").render(context, subject=subject)
    return short(subject, MAX_SUBJECT), text, html
