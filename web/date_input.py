"""A date typed as three boxes, day / month / year (the GOV.UK and NL Design System date input).

Browsers show ``<input type="date">`` in the browser's own format (mm/dd/yyyy on a Dutch page
in an English browser), and a typed "15032027" came back as another date. Three boxes with a
hint ("For example 15 3 2027") leave nothing to guess; anything that is not a real date in
the range of :mod:`engine.bounds` comes back with a message that says what to fix, and is
never stored as some other date. A single ``YYYY-MM-DD`` value under the field's own name is
still read (scripts, the older form).
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from flask_babel import gettext as _
from wtforms import Field
from wtforms.utils import unset_value
from wtforms.validators import StopValidation

from engine.bounds import EARLIEST_DATE, LATEST_DATE
from web.i18n import day as format_day

PARTS = ("day", "month", "year")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


class DatePartsField(Field):
    """A date as day, month and year; ``required`` says it must be given (else it may be empty)."""

    def __init__(self, label=None, validators=None, *, required: bool = False, **kwargs: Any):
        super().__init__(label, validators, **kwargs)
        self.required = required
        self.flags.required = required
        #: what was typed in each box, shown again as it was
        self.parts: dict[str, str] = dict.fromkeys(PARTS, "")
        self._problem: str | None = None

    def part_name(self, part: str) -> str:
        return f"{self.name}-{part}"

    def part_id(self, part: str) -> str:
        # the day box carries the field's own id: the error summary links to it
        return self.id if part == "day" else f"{self.id}-{part}"

    def process(self, formdata, data=unset_value, extra_filters=None):
        self._problem = None
        super().process(formdata, data, extra_filters)
        names = [self.part_name(p) for p in PARTS]
        if formdata is not None and any(n in formdata for n in names):
            self.parts = {p: (formdata.get(self.part_name(p)) or "")[:10] for p in PARTS}
            self._problem = None
            self._from_parts()
        if isinstance(self.data, date) and not any(self.parts.values()):
            self.parts = {"day": str(self.data.day), "month": str(self.data.month),
                          "year": str(self.data.year)}  # fmt: skip

    def process_formdata(self, valuelist: list[str]) -> None:
        # called by Field.process with the values under the field's own name (the ISO form)
        self._read_iso(valuelist[0] if valuelist else "")

    def process_data(self, value: Any) -> None:
        self.data = value if isinstance(value, date) else None

    def _read_iso(self, raw: str) -> None:
        raw = raw.strip()
        if not raw:
            self.data = None
            return
        found = _ISO.fullmatch(raw)
        if not found:
            self.data, self._problem = None, "format"
            return
        year, month, day = found.groups()
        self.parts = {"day": day, "month": month, "year": year}
        self._from_parts()

    def _from_parts(self) -> None:
        day, month, year = (self.parts[p].strip() for p in PARTS)
        if not (day or month or year):
            self.data = None
            return
        if not (day and month and year):
            self.data, self._problem = None, "incomplete"
            return
        if not (day.isdigit() and month.isdigit() and len(day) <= 2 and len(month) <= 2):
            self.data, self._problem = None, "real"
            return
        if not (year.isdigit() and len(year) == 4):
            self.data, self._problem = None, "year"
            return
        try:
            self.data = date(int(year), int(month), int(day))
        except ValueError:
            self.data, self._problem = None, "real"

    def pre_validate(self, form) -> None:
        label = self.label.text
        if self._problem is None and self.data is None:
            if self.required:
                raise StopValidation(_("Enter the %(label)s.", label=label.lower()))
            return
        messages = {
            "format": _(
                "Enter the %(label)s as day, month and year, for example 15 3 2027.",
                label=label.lower(),
            ),  # fmt: skip
            "incomplete": _("The %(label)s needs a day, a month and a year.", label=label.lower()),
            "real": _(
                "The %(label)s must be a real date, for example 15 3 2027.", label=label.lower()
            ),  # fmt: skip
            "year": _("The year must have 4 numbers, for example 2027."),
        }
        if self._problem is not None:
            raise StopValidation(messages[self._problem])
        assert self.data is not None
        if not EARLIEST_DATE <= self.data <= LATEST_DATE:
            self.data = None  # never kept: a view that reads it anyway gets no date
            raise StopValidation(
                _(
                    "The %(label)s must be between %(earliest)s and %(latest)s.",
                    label=label.lower(),
                    earliest=format_day(EARLIEST_DATE),
                    latest=format_day(LATEST_DATE),
                )
            )
