"""Forms of the support pages. CSRF is checked app-wide (CSRFProtect); the answer forms are
prefixed so that several can share one page with unique field ids."""

from __future__ import annotations

from wtforms import HiddenField, SelectField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from web.i18n import lazy_gettext as _l
from web.inputs import Form

#: Utrecht styles an empty ``required`` textarea as invalid before anyone typed: the server
#: checks these fields, the browser does not
NOT_REQUIRED = {"required": False}


_LONG = _l("The text is too long: at most 5000 characters.")


class RequestForm(Form):
    kind = SelectField(
        _l("What kind of support does the group ask for?"),
        validators=[DataRequired(_l("Choose the kind of support."))],
    )
    description = TextAreaField(
        _l("What does the group ask the municipality for?"),
        validators=[
            DataRequired(_l("Write what the group asks for.")),
            Length(
                min=10,
                max=5000,
                message=_l("Write what the group asks for in 10 to 5000 characters."),
            ),
        ],
        render_kw=NOT_REQUIRED,
    )
    stage_key = SelectField(_l("Stage it belongs to"), validators=[Optional()])


class _ActionForm(Form):
    class Meta:
        csrf = False  # the app-wide CSRFProtect checks the token of every POST

    #: the request's version as the page showed it: a stale page gets a plain refusal
    version = HiddenField()


class AcknowledgeForm(_ActionForm):
    note = TextAreaField(_l("Message to the group"), validators=[Length(max=5000, message=_LONG)])


class AcceptForm(_ActionForm):
    note = TextAreaField(
        _l("What the municipality will do, and when"), validators=[Length(max=5000, message=_LONG)]
    )


class DeclineForm(_ActionForm):
    note = TextAreaField(
        _l("Why the municipality declines"),
        validators=[
            DataRequired(_l("Write a few words for the group.")),
            Length(max=5000, message=_LONG),
        ],
        render_kw=NOT_REQUIRED,
    )


class DeliverForm(_ActionForm):
    note = TextAreaField(
        _l("What the municipality did"),
        validators=[
            DataRequired(_l("Write a few words for the group.")),
            Length(max=5000, message=_LONG),
        ],
        render_kw=NOT_REQUIRED,
    )


class AssignForm(_ActionForm):
    coach = SelectField(_l("Process coach"), validators=[Optional()])


class WithdrawForm(_ActionForm):
    note = TextAreaField(
        _l("Why the group withdraws the request"), validators=[Length(max=5000, message=_LONG)]
    )


ACTION_FORMS = {
    "acknowledge": AcknowledgeForm,
    "accept": AcceptForm,
    "decline": DeclineForm,
    "deliver": DeliverForm,
    "assign": AssignForm,
    "withdraw": WithdrawForm,
}
