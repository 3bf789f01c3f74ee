"""Forms of the coach pages. CSRF is checked app-wide (CSRFProtect) for every POST."""

from __future__ import annotations

from wtforms import SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from web.i18n import lazy_gettext as _l
from web.inputs import Form

#: Utrecht styles an empty ``required`` textarea as invalid before anyone typed: the server
#: checks these fields, the browser does not
NOT_REQUIRED = {"required": False}


_LONG = _l("The text is too long: at most 5000 characters.")
_COACH = _l("Choose a process coach.")


class _Form(Form):
    class Meta:
        csrf = False  # the app-wide CSRFProtect checks the token of every POST


class NoteForm(_Form):
    body = TextAreaField(
        _l("Note for the group and colleagues"),
        validators=[DataRequired(_l("Write the note.")), Length(max=5000, message=_LONG)],
        render_kw=NOT_REQUIRED,
    )


class ConcernForm(_Form):
    reason = TextAreaField(
        _l("What worries you?"),
        validators=[DataRequired(_l("Write what worries you.")), Length(max=5000, message=_LONG)],
        render_kw=NOT_REQUIRED,
    )


class ClearConcernForm(_Form):
    note = TextAreaField(
        _l("What changed?"), validators=[Optional(), Length(max=5000, message=_LONG)]
    )


class AssignInitiativeForm(_Form):
    coach = SelectField(_l("Process coach"), validators=[DataRequired(_COACH)])


class AssignDistrictForm(_Form):
    coach = SelectField(_l("Process coach"), validators=[DataRequired(_COACH)])
    district = SelectField(_l("District"), validators=[DataRequired(_l("Choose a district."))])
