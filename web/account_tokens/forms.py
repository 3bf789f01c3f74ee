"""Making and revoking a personal access token."""

from __future__ import annotations

from wtforms import SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length

from engine.api_tokens import MAX_NAME
from web.i18n import lazy_gettext as _l
from web.inputs import Form, NumberField


class TokenForm(Form):
    name = StringField(
        _l("Name"),
        validators=[
            InputRequired(_l("Give the token a name.")),
            Length(max=MAX_NAME, message=_l("The name is too long: at most %(max)d characters.")),
        ],
    )
    scope = SelectField(
        _l("What may it do?"),
        choices=[
            SelectChoice("read", _l("Only read")),
            SelectChoice("write", _l("Read and change")),
        ],
        validators=[InputRequired(_l("Choose what the token may do."))],
        default="read",
    )


class RevokeForm(Form):
    token_id = NumberField(validators=[InputRequired(_l("Choose which token to revoke."))])
