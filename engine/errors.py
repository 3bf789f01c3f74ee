"""Typed refusals. Every operation that says no raises one of these, before writing anything."""

from __future__ import annotations

from collections.abc import Sequence

from engine.i18n import Msg, msg


class VerbindingError(Exception):
    """Base of every refusal; carries a translatable message.

    ``field`` names the input the refusal concerns, when there is one: the operation's keyword
    argument (``kvk_number``, ``review_date``…). Forms name their fields after those arguments,
    so a page shows the reason next to the field instead of guessing from the message text.
    """

    def __init__(
        self, message: Msg, reasons: Sequence[Msg] = (), *, field: str | None = None
    ) -> None:
        self.message = message
        self.reasons = list(reasons)
        self.field = field
        super().__init__(str(message))


class NotFound(VerbindingError):
    """The thing asked for does not exist (or is not visible to the actor)."""


class PermissionDenied(VerbindingError):
    """The actor may not do this."""


class InvalidInput(VerbindingError):
    """The input is malformed or out of range."""


class Refused(VerbindingError):
    """The input is fine, but the process does not allow it now (with reasons)."""


class Blocked(Refused):
    """A transition's guards or decision rule do not hold yet."""


class Paused(Refused):
    """The initiative is paused; nothing moves until it resumes."""


class Conflict(VerbindingError):
    """Someone else changed the same initiative at the same time; nothing was written."""

    def __init__(self, message: Msg | None = None, *, field: str | None = None) -> None:
        super().__init__(
            message
            or msg(
                "Someone else changed this initiative at the same moment. "
                "Nothing was saved; look at the current state and try again."
            ),
            field=field,
        )


def lost_race() -> Conflict:
    """A unique constraint stopped a second, simultaneous write of the same thing."""
    return Conflict(
        msg(
            "Someone else saved the same thing at the same moment. Nothing was saved; look at the "
            "page as it is now and try again."
        )
    )
