"""The one-button forms of the initiative page (``ui.hidden``, ``ui.action``, ``ui.confirm`` of
initiatives/_ui.html), made in Python.

A member's page has a few hundred of them (every step: done, up, down, remove), and a Jinja
macro call costs far more than the few lines it writes. These build the very same markup:
every value passes the environment's ``finalize`` and is escaped, as ``{{ value }}`` in the
macros did (tests/web/initiatives/test_page_ui.py renders both and compares them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from markupsafe import Markup

from web.templating import out as _out


class PageTools:
    """The forms' pieces for one page; ``page`` and ``failed`` as the page's template sees them
    (undefined on pages without them, like the macros' were)."""

    def __init__(self, page: Any, failed: Any, csrf_token: Callable[[], str]) -> None:
        self.page = page
        self.failed = failed
        self.csrf_token = csrf_token
        self._token: str | None = None
        self._version: str | None = None

    def _csrf(self) -> str:
        if self._token is None:
            self._token = _out(self.csrf_token())
        return self._token

    def _page_version(self) -> str:
        if self._version is None:
            self._version = _out(self.page.initiative.version)
        return self._version

    def hidden(self, row: Any = None) -> Markup:
        """The CSRF token and the version the form was filled in on: the page's (``row`` None),
        a row's own (``row`` given), none (``row=false``)."""
        said = f'<input type="hidden" name="csrf_token" value="{self._csrf()}">'
        if row is None:
            said += (
                f'\n<input type="hidden" name="expected_version" value="{self._page_version()}">'
            )
        elif row:
            said += f'\n<input type="hidden" name="version" value="{_out(row.version)}">'
        return Markup(said)

    def action(
        self,
        url: Any,
        key: Any,
        label: Any,
        context: Any = None,
        primary: Any = False,
        fields: Mapping[str, Any] | None = None,
        row: Any = None,
    ) -> Markup:
        """A one-button form, e.g. "Done" on a step."""
        parts = [
            f'<form method="post" action="{_out(url)}" class="vb-inline-form" id="{_out(key)}">',
            f"\n  {_out(self.hidden(row))}",
        ]
        for name, value in (fields or {}).items():
            parts.append(f'<input type="hidden" name="{_out(name)}" value="{_out(value)}">')
        kind = "primary" if primary else "secondary"
        parts.append(
            f'\n  <button type="submit" class="utrecht-button utrecht-button--{kind}-action">'
            f"{_out(label)}"
        )
        if context:
            parts.append(f'<span class="vb-visually-hidden">: {_out(context)}</span>')
        parts.append("</button>\n</form>")
        return Markup("".join(parts))

    def confirm(
        self,
        url: Any,
        key: Any,
        label: Any,
        question: Any,
        yes: Any,
        context: Any = None,
        row: Any = None,
    ) -> Markup:
        """Remove in two steps: the summary opens the question, the button under it removes."""
        said = f'<span class="vb-visually-hidden">: {_out(context)}</span>' if context else ""
        opened = " open" if self.failed == key else ""
        return Markup(
            f'<details class="vb-details vb-confirm"{opened}>\n'
            f"  <summary>{_out(label)}{said}</summary>\n"
            f'  <div class="vb-confirm__body">\n'
            f'    <p class="utrecht-paragraph">{_out(question)}</p>\n'
            f'    <form method="post" action="{_out(url)}" class="vb-inline-form"'
            f' id="{_out(key)}">\n'
            f"      {_out(self.hidden(row))}\n"
            f'      <input type="hidden" name="confirmed" value="yes">\n'
            f'      <button type="submit" class="utrecht-button utrecht-button--primary-action">'
            f"{_out(yes)}{said}</button>\n"
            f"    </form>\n"
            f"  </div>\n"
            f"</details>"
        )


def install(app: Flask) -> None:
    app.jinja_env.globals["page_tools"] = PageTools
