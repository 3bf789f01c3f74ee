"""Forms of the reminders pages."""

from __future__ import annotations

from wtforms import SelectField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired

from engine.reminders.rules import MODE_LABELS, MODES, kind_of
from web.i18n import lazy_gettext as _l
from web.i18n import render_msg
from web.inputs import Form


class PlainForm(Form):
    """Only the CSRF token: for buttons."""


class PreferencesForm(Form):
    language = SelectField(
        _l("Language of mail and pages"),
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
        validators=[InputRequired(_l("Choose a language."))],
    )


def preferences_form(kinds: list[str], modes: dict[str, str], language: str) -> PreferencesForm:
    """A form with a choice per kind of reminder (at once, daily, weekly, off) and a language."""

    class Form(PreferencesForm):
        pass

    for kind in kinds:
        field = SelectField(
            render_msg(kind_of(kind).label),
            choices=[SelectChoice(mode, render_msg(MODE_LABELS[mode])) for mode in MODES],
            default=modes[kind],
            validators=[InputRequired(_l("Choose how often you get this."))],
        )
        setattr(Form, f"kind_{kind}", field)
    form = Form()
    if not form.is_submitted():
        form.language.data = language
    return form
