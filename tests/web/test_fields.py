"""field() made in Python writes what the macro wrote (web/fields.py): every field of every
form of the site, fresh and refused, with and without a description, beside the macro as it
was (tests/web/field_macro.jinja)."""

from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path

import pytest
from flask_wtf import FlaskForm
from markupsafe import Markup

import web
from web.fields import Field

MACRO = (Path(__file__).parent / "field_macro.jinja").read_text()

OPTIONS = [
    {},
    {"description": "Wat <moet> er & gebeuren?"},
    {"description": Markup("Een <em>hint</em>"), "autocomplete": "off"},
    {"type": "email", "class_": "vb-wide"},
    {"description": "", "class_": ""},
]


def _forms() -> list[type]:
    for module in pkgutil.walk_packages(web.__path__, "web."):
        importlib.import_module(module.name)
    found, todo = [], list(FlaskForm.__subclasses__())
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("web."):
            found.append(cls)
    return sorted(set(found), key=lambda c: (c.__module__, c.__name__))


def test_every_field_of_every_form(web_app):
    forms = _forms()
    assert len(forms) > 20
    compared = 0
    with web_app.test_request_context("/"):
        old = web_app.jinja_env.from_string(MACRO).make_module().field
        new = web_app.jinja_env.get_template("_macros.html").make_module().field
        assert isinstance(new, Field)
        for cls in forms:
            try:
                form = cls(formdata=None)
            except TypeError:
                continue  # needs arguments of its own
            for f in form:
                if f.type in ("CSRFTokenField", "HiddenField", "SubmitField", "FormField",
                              "FieldList"):  # fmt: skip
                    continue
                if getattr(f, "choices", ()) is None:
                    f.choices = [("a", "A <a>"), ("b", "B")]
                for errors in ([], ["Vul dit in <nu>.", "Te lang & fout"]):
                    f.errors = list(errors)
                    if f.type == "DatePartsField" and errors:
                        f.errors = tuple(errors)
                    for options in OPTIONS:
                        assert new(f, **options) == old(f, **options), (cls, f.name, options)
                        compared += 1
    assert compared > 200


@pytest.mark.parametrize("locale", ["nl", "en"])
def test_the_limit_is_said_in_the_readers_language(web_app, locale):
    from wtforms import StringField
    from wtforms.validators import Length

    class Form(FlaskForm):
        name = StringField("Naam", validators=[Length(max=80)])

    with web_app.test_request_context("/", headers={"Accept-Language": locale}):
        old = web_app.jinja_env.from_string(MACRO).make_module().field
        new = web_app.jinja_env.get_template("_macros.html").make_module().field
        form = Form(formdata=None, meta={"csrf": False})
        assert new(form.name) == old(form.name)
        assert 'data-count-max="80"' in new(form.name)


def test_shared_owner_options_are_the_selects_own(web_app):
    """The owner options written once per page and chosen value (web/plan/forms.py) are
    WTForms' own, for the member chosen, for nobody, and for a value that is not offered."""
    from types import SimpleNamespace

    from wtforms.widgets import Select

    from web.plan.forms import StepForm, owner_choices

    members = [SimpleNamespace(person_id=n, name=f"Lid <{n}> & co") for n in range(1, 6)]
    with web_app.test_request_context("/"):
        shared = owner_choices(members)
        for data in ("", "3", "99", None, "3", ""):
            for key in ("step-new-a", "step-new-b"):
                form = StepForm(formdata=None, data={"owner": data}).set_owners(shared)
                form.owner.id = f"{key}-owner"
                ours = form.owner(class_="utrecht-select", aria_invalid="true")
                theirs = Select()(form.owner, class_="utrecht-select", aria_invalid="true")
                assert ours == theirs
        assert len(shared.rendered) == 4  # "", "3", "99", None
