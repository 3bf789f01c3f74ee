"""The one place where what a request carries becomes a value the engine may see.

* **Ids and numbers** (paths, forms, query strings) are ASCII digits only — ``²`` and ``٣``
  pass ``str.isdigit()`` but are no number a person typed — and lie within
  ``engine.bounds`` (``MAX_ID`` for ids: a PostgreSQL ``integer``; ``MAX_SMALL_NUMBER`` for
  counts and positions). A bad id in a path is a 404, in a query string it is ignored, in a form
  it is a field error.
* **Text** holds no control characters (a NUL byte cannot be stored in PostgreSQL; the others
  are never typed): every text field of every form says so next to the field; tab and line
  breaks are fine in multi-line fields. Path segments and query strings with one are refused.
* **Dates** a person types lie between ``EARLIEST_DATE`` and ``LATEST_DATE``.

Every form derives from :class:`Form`, which adds the text and date checks to each field, so a
new form cannot forget them.
"""

from __future__ import annotations

import re
from typing import Any

from babel.support import Translations
from flask import Flask, abort, current_app, request
from flask_wtf import FlaskForm
from werkzeug.routing import BaseConverter, UnicodeConverter, ValidationError
from wtforms import DateField, Field, IntegerField, StringField, TextAreaField
from wtforms.i18n import messages_path
from wtforms.validators import StopValidation

from engine.bounds import EARLIEST_DATE, LATEST_DATE, MAX_ID, MAX_SMALL_NUMBER
from web.i18n import day as format_day
from web.i18n import lazy_gettext as _l
from web.i18n import locale

_DIGITS = re.compile(r"[0-9]{1,19}")
#: C0 controls, DEL and C1 controls; tab, line feed and carriage return are allowed in
#: multi-line text (a browser sends line breaks as CR LF)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_CONTROL_SINGLE_LINE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_MULTI_LINE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

CONTROL_MESSAGE = _l(
    "This text contains an invisible control character that cannot be stored. "
    "Type the text again without it."
)


def parse_number(raw: object, maximum: int = MAX_ID) -> int | None:
    """``raw`` as a whole number from 0 to ``maximum``; None for anything else."""
    if not isinstance(raw, str):
        return None
    text = raw.strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def parse_id(raw: object) -> int | None:
    """An id (1 to ``MAX_ID``, ASCII digits) or None."""
    value = parse_number(raw, MAX_ID)
    return value if value else None


def parse_count(raw: object) -> int | None:
    """A count, number of days or position (0 to ``MAX_SMALL_NUMBER``) or None."""
    return parse_number(raw, MAX_SMALL_NUMBER)


def query_id(name: str) -> int | None:
    """An id in the query string; anything else is ignored."""
    return parse_id(request.args.get(name))


def query_count(name: str, default: int) -> int:
    """A count (a page number, a page size) in the query string; else ``default``."""
    value = parse_count(request.args.get(name))
    return default if value is None else value


def has_control_characters(text: str, multiline: bool = False) -> bool:
    pattern = _CONTROL_MULTI_LINE if multiline else _CONTROL_SINGLE_LINE
    return pattern.search(text) is not None


# --- paths ----------------------------------------------------------------------------------------


class IdConverter(BaseConverter):
    """``<int:…>`` in every route: ASCII digits up to ``MAX_ID``, else the route does not match
    (a 404) instead of an overflow in the database."""

    regex = r"[0-9]{1,19}"
    weight = 50

    def to_python(self, value: str) -> int:
        number = parse_number(value, MAX_ID)
        if number is None:
            raise ValidationError()
        return number

    def to_url(self, value: Any) -> str:
        return str(int(value))


class TextConverter(UnicodeConverter):
    """A path segment (a token, a name): never one with a control character in it."""

    def to_python(self, value: str) -> str:
        if _CONTROL.search(value):
            raise ValidationError()
        return value


def install(app: Flask) -> None:
    """Use these converters for every route and refuse query strings with control characters.

    Call before the blueprints are registered: a rule takes its converters when it is added.
    """
    app.url_map.converters.update(int=IdConverter, default=TextConverter, string=TextConverter)
    app.before_request(_refuse_control_characters_in_query)


def _refuse_control_characters_in_query() -> None:
    for key, values in request.args.lists():
        if _CONTROL.search(key) or any(_CONTROL.search(v) for v in values):
            abort(400)


# --- forms ----------------------------------------------------------------------------------------


class NoControlCharacters:
    """A text field's value holds no control characters (tab and line breaks where the field
    takes several lines)."""

    def __init__(self, multiline: bool) -> None:
        self.multiline = multiline

    def __call__(self, form: Any, field: Field) -> None:
        values = field.raw_data or []
        if any(isinstance(v, str) and has_control_characters(v, self.multiline) for v in values):
            field.errors[:] = []
            raise StopValidation(str(CONTROL_MESSAGE))


class DateInRange:
    """A typed date lies between ``EARLIEST_DATE`` and ``LATEST_DATE``."""

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data
        if value is not None and not EARLIEST_DATE <= value <= LATEST_DATE:
            raise StopValidation(
                str(
                    _l(
                        "Enter a date from %(first)s to %(last)s.",
                        first=format_day(EARLIEST_DATE),
                        last=format_day(LATEST_DATE),
                    )
                )
            )


class NumberField(IntegerField):
    """A whole number of ASCII digits from 0 to ``maximum`` (``MAX_ID`` for an id)."""

    data: Any  # an int once validated; as untyped as IntegerField's for the views

    def __init__(self, *args: Any, maximum: int = MAX_ID, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.maximum = maximum

    def process_formdata(self, valuelist: list[Any]) -> None:
        if not valuelist:
            return
        self.data = parse_number(valuelist[0], self.maximum)
        if self.data is None:
            raise ValueError(_l("Enter a whole number from 0 to %(most)s.", most=self.maximum))


#: WTForms' own messages ("This field is required.") per language, read from disk once per
#: process: Flask-WTF reads the catalogue anew on every request that builds a form
_WTFORMS_CATALOGUES: dict[str, Any] = {}


class _Meta(FlaskForm.Meta):
    def get_translations(self, form: Any) -> Any:
        if not current_app.config.get("WTF_I18N_ENABLED", True):
            return super().get_translations(form)
        lang = locale()
        found = _WTFORMS_CATALOGUES.get(lang)
        if found is None:
            found = Translations.load(messages_path(), [lang], domain="wtforms")
            _WTFORMS_CATALOGUES[lang] = found
        return found

    def bind_field(self, form: Any, unbound_field: Any, options: dict[str, Any]) -> Field:
        field = super().bind_field(form, unbound_field, options)
        extra: list[Any] = []
        if isinstance(field, StringField):  # also TextArea, Hidden, Password, Email, Search
            extra.append(NoControlCharacters(isinstance(field, TextAreaField)))
        if isinstance(field, DateField):
            extra.append(DateInRange())
        if extra:
            field.validators = [*extra, *field.validators]
        return field


class Form(FlaskForm):
    """Every form's base: text without control characters, dates in range (see module)."""

    Meta = _Meta
