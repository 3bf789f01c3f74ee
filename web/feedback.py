"""What a page tells after a submit: its error summary and its success banner.

GOV.UK / NL Design System pattern: one error summary per page, with a heading, focused on load
(``autofocus``, no JavaScript), and "Error:" before the page title. The templates call
:func:`note_error_summary` as they render a summary; base.html renders the content first, so
the title knows. A success after a redirect to a place further down the page (``#anchor``)
lands on the banner at the top instead, with a link back to that place.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import g, get_flashed_messages, session

#: the id of the banner; a redirect after a success goes here
BANNER = "melding"
_ANCHOR_KEY = "flash_anchor"


def note_error_summary() -> bool:
    """Count a summary on this page; True for the first one (it takes the focus)."""
    first = not getattr(g, "vb_error_summaries", 0)
    g.vb_error_summaries = getattr(g, "vb_error_summaries", 0) + 1
    return first


def page_has_errors() -> bool:
    flashed = get_flashed_messages(category_filter=["error"])
    return bool(getattr(g, "vb_error_summaries", 0) or flashed)


def to_banner(target: str) -> str:
    """The address to go to after a success: the banner, remembering the place it was for."""
    parts = urlsplit(target)
    if not parts.fragment or parts.fragment == BANNER:
        return target
    session[_ANCHOR_KEY] = parts.fragment
    return urlunsplit(parts._replace(fragment=BANNER))


def banner_anchor() -> str | None:
    """The place on the page the last success was about (read once)."""
    return session.pop(_ANCHOR_KEY, None)


def install(app: Any) -> None:
    app.jinja_env.globals.update(
        note_error_summary=note_error_summary,
        page_has_errors=page_has_errors,
        banner_anchor=banner_anchor,
        BANNER=BANNER,
    )
