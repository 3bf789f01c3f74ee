"""A second, explicit step before anything is removed or sent (WCAG 3.3.4).

The first button opens a ``<details>`` with the question and the real button, whose form
carries ``confirmed=yes``; it works without JavaScript. A POST without it (a stale page, a
script, a double submit of something else) removes nothing and says so.
"""

from __future__ import annotations

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

#: the hidden field of every confirm form
FIELD = "confirmed"


def is_confirmed() -> bool:
    return request.form.get(FIELD) == "yes"


def unconfirmed(back: str) -> ResponseReturnValue | None:
    """None when the form was confirmed; else the way back with a message, nothing changed."""
    if is_confirmed():
        return None
    flash(_("Nothing was changed: confirm with the button under the question."), "error")
    return redirect(back, 303)
