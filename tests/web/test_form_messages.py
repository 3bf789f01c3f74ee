"""Every check on a form field says what to do in its own words: never WTForms' defaults
("This field is required.", "Field must be between 8 and 200 characters long.")."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

from flask_wtf import FlaskForm
from wtforms.fields.core import UnboundField
from wtforms.validators import DataRequired, Email, EqualTo, InputRequired, Length, NumberRange

import web

CHECKS = (DataRequired, InputRequired, Length, Email, EqualTo, NumberRange)


def _forms() -> list[type[FlaskForm]]:
    found = []
    for info in pkgutil.walk_packages(web.__path__, "web."):
        if info.name.endswith(".forms"):
            module = importlib.import_module(info.name)
            found += [
                obj for _, obj in inspect.getmembers(module, inspect.isclass)
                if issubclass(obj, FlaskForm) and obj.__module__ == module.__name__
            ]  # fmt: skip
    return found


def test_every_check_has_its_own_message():
    forms = _forms()
    assert len(forms) > 20
    generic = []
    for form in forms:
        for name in dir(form):
            field = getattr(form, name, None)
            if not isinstance(field, UnboundField):
                continue
            for check in field.kwargs.get("validators") or []:
                if isinstance(check, CHECKS) and not check.message:
                    generic.append(
                        f"{form.__module__}.{form.__name__}.{name}: {type(check).__name__}"
                    )
    assert not generic, f"write a message for: {generic}"
