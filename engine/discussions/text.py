"""What a message, a reason or a report may hold: plain text of bounded length."""

from __future__ import annotations

import re

from engine.errors import InvalidInput
from engine.i18n import msg

#: the longest message (a long e-mail's worth); a reason to hide or report is shorter
MAX_MESSAGE = 5000
MAX_REASON = 1000
#: control characters other than tab and line breaks (NUL among them): never typed by a person
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\u2028\u2029]")


def clean_text(value: str | None, *, field: str, maximum: int, required: bool = True) -> str:
    """The text without its outer blanks and with one kind of line break; refused with a
    reason tied to ``field`` when empty (if ``required``), too long or holding control
    characters."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if _CONTROL.search(text):
        raise InvalidInput(
            msg("The text holds characters that cannot be shown (control characters). "
                "Remove them and try again."),
            field=field,
        )  # fmt: skip
    if required and not text:
        raise InvalidInput(msg("Write something first."), field=field)
    if len(text) > maximum:
        raise InvalidInput(
            msg(
                "Write at most %(max)d characters; this is %(num)d.",
                max=maximum,
                num=len(text),
            ),
            field=field,
        )
    return text
