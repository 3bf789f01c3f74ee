"""WTForms' ``html_params`` (the attributes of every rendered field and option), made the same
way without ``Markup.format``.

WTForms formats each attribute through ``Markup('{k}="{v}"').format(...)``, which runs Python's
``string.Formatter`` with an escaping formatter: a tenth of a member's initiative page went
there (every input and every option of a select). This builds the very same markup with
plain string operations; tests/web/test_html_params.py compares the two.
"""

from __future__ import annotations

from typing import Any

import wtforms.widgets
import wtforms.widgets.core
from markupsafe import Markup, escape
from wtforms.widgets.core import clean_key

from web.templating import escape_str

#: WTForms' own, kept for the comparison in the tests
ORIGINAL = wtforms.widgets.core.html_params


def html_params(**kwargs: Any) -> Markup:
    """``wtforms.widgets.html_params``: ``k="v"`` sorted by key, ``True`` as a bare attribute,
    ``False`` left out, keys and values escaped."""
    params: list[str] = []
    for k, v in sorted(kwargs.items()):
        key = escape_str(clean_key(k))
        if v is True:
            params.append(key)
        elif v is not False:
            # a plain string escaped holds no '"'; markup, or what has __html__, may
            said = escape_str(v) if type(v) is str else str(escape(v)).replace('"', "&quot;")
            params.append(f'{key}="{said}"')
    return Markup(" ".join(params))


def install() -> None:
    """Let every WTForms widget use :func:`html_params`: most look it up in their module when
    they render; ``Input`` (every text box, hidden field, check box and radio button) and
    ``Button`` keep their own reference as a class attribute."""
    wtforms.widgets.core.html_params = html_params
    wtforms.widgets.html_params = html_params
    for widget in (wtforms.widgets.core.Input, wtforms.widgets.core.Button):
        widget.html_params = staticmethod(html_params)
