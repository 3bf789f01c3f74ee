"""What the API takes: marshmallow schemas that validate requests before any engine call.

Bounds come from ``engine.bounds`` and the engine's own limits; text never holds control
characters (``web.inputs``). The engine checks everything again: these schemas only make sure
that what reaches it has the right shape, so a client gets a 422 naming the field.
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from engine.bounds import EARLIEST_DATE, LATEST_DATE, MAX_ID, MAX_SMALL_NUMBER
from engine.coach.caseload import DIRECTIONS
from engine.coach.caseload import PAGE_SIZES as CASELOAD_SIZES
from engine.coach.caseload_sql import SORTS
from engine.coach.common import MAX_TEXT
from engine.coach.health import STATUSES
from engine.i18n import LOCALES
from engine.listing import MAX_SEARCH, PAGE_SIZES
from engine.models.initiatives import JOIN_POLICIES, VISIBILITIES
from engine.models.support import REQUEST_KINDS
from engine.operations.open_steps import CARRY
from engine.reminders.rules import MODES
from web.inputs import has_control_characters

ID = validate.Range(min=1, max=MAX_ID)
LONG = 20000


class _NoControl(validate.Validator):
    def __init__(self, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, value: Any) -> Any:
        if has_control_characters(value, self.multiline):
            raise ValidationError("Remove the control characters.")
        return value


def line(most: int, least: int = 0, **kw: Any) -> fields.String:
    """One line of text, ``least`` to ``most`` characters."""
    return fields.String(validate=[validate.Length(min=least, max=most), _NoControl(False)], **kw)


def lines(most: int = LONG, **kw: Any) -> fields.String:
    """Text that may run over several lines."""
    return fields.String(validate=[validate.Length(max=most), _NoControl(True)], **kw)


def an_id(strict: bool = True, **kw: Any) -> fields.Integer:
    """An id: in a JSON body a number; in a query (text) its digits."""
    return fields.Integer(strict=strict, validate=ID, **kw)


def version(**kw: Any) -> fields.Integer:
    return fields.Integer(
        strict=True, validate=validate.Range(min=0, max=MAX_ID), allow_none=True,
        metadata={"description": "the version you saw; a change made meanwhile gives 409"},
        **kw,
    )  # fmt: skip


def a_date(**kw: Any) -> fields.Date:
    return fields.Date(validate=validate.Range(min=EARLIEST_DATE, max=LATEST_DATE), **kw)


class ListQuery(Schema):
    stadsdeel = an_id(False)
    wijk = an_id(False)
    stage = line(100)
    template = line(100, metadata={"description": "a template's name"})
    q = line(MAX_SEARCH, metadata={"description": "words in the title"})
    after = an_id(False, metadata={"description": "the page after this initiative (keyset)"})
    before = an_id(False, metadata={"description": "the page before this initiative (keyset)"})
    per_page = fields.Integer(validate=validate.OneOf(PAGE_SIZES))


class NewInitiative(Schema):
    template = line(100, 1, required=True)
    wijk_id = an_id(required=True)
    title = line(200, 3, required=True)
    description = lines(load_default="")
    visibility = fields.String(validate=validate.OneOf(VISIBILITIES), load_default="public")
    join_policy = fields.String(validate=validate.OneOf(JOIN_POLICIES), load_default="approval")
    language = fields.String(validate=validate.OneOf(LOCALES), load_default="nl")


class FireMove(Schema):
    note = lines(2000, allow_none=True)
    expected_version = version()
    open_steps = fields.String(validate=validate.OneOf((CARRY, "close")), load_default=CARRY)
    expected_open_steps = fields.List(
        an_id(), allow_none=True, validate=validate.Length(max=1000),
        metadata={"description": "the open steps you saw; if they changed, 409"},
    )  # fmt: skip


class NewStep(Schema):
    stage = line(100, 1, required=True)
    title = line(300, 1, required=True)
    owner_id = an_id(allow_none=True, load_default=None)
    due_date = a_date(allow_none=True, load_default=None)


class StepChange(Schema):
    title = line(300, 1, required=True)
    owner_id = an_id(allow_none=True, load_default=None)
    due_date = a_date(allow_none=True, load_default=None)
    expected_version = version()


class Versioned(Schema):
    expected_version = version()


class Pause(Schema):
    reason = lines(2000, load_default="")
    expected_version = version()


class Resume(Schema):
    shift_dates = fields.Boolean(load_default=False)
    note = lines(2000, allow_none=True)
    expected_version = version()


class OpenDecision(Schema):
    question = lines(2000, load_default="")
    expected_version = version()


class VoteIn(Schema):
    choice = fields.String(
        required=True, validate=validate.OneOf(("for", "against", "object")),
        metadata={"description": "for or against; in a consent decision for or object"},
    )  # fmt: skip
    comment = lines(2000, allow_none=True)


class FileSupport(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(REQUEST_KINDS))
    description = lines(MAX_TEXT, required=True)
    stage = line(100, allow_none=True, load_default=None)


ANSWERS = ("acknowledge", "accept", "decline", "deliver")


class AnswerSupport(Schema):
    action = fields.String(required=True, validate=validate.OneOf(ANSWERS))
    note = lines(MAX_TEXT, allow_none=True)
    expected_version = version()


class PreferencesIn(Schema):
    locale = fields.String(validate=validate.OneOf(LOCALES))
    modes = fields.Dict(
        keys=line(50), values=fields.String(validate=validate.OneOf(MODES)),
        validate=validate.Length(max=100), load_default=dict,
    )  # fmt: skip


class CaseloadQuery(Schema):
    stadsdeel = an_id(False)
    wijk = an_id(False)
    template = line(100)
    stage = line(100)
    status = fields.String(validate=validate.OneOf(STATUSES))
    coach = an_id(False)
    q = line(200)
    sort = fields.String(validate=validate.OneOf(tuple(SORTS)))
    dir = fields.String(validate=validate.OneOf(DIRECTIONS))
    page = fields.Integer(validate=validate.Range(min=1, max=MAX_SMALL_NUMBER))
    per_page = fields.Integer(validate=validate.OneOf(CASELOAD_SIZES))
