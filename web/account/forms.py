from wtforms import EmailField, PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length

from web.i18n import lazy_gettext as _l
from web.inputs import Form

_PASSWORD = [
    DataRequired(_l("Enter your current password.")),
    Length(max=200, message=_l("A password has at most 200 characters.")),
]


class NameForm(Form):
    name = StringField(
        _l("Your name"),
        validators=[
            DataRequired(_l("Enter your name.")),
            Length(max=200, message=_l("Your name is too long: at most 200 characters.")),
        ],
    )


class EmailForm(Form):
    email = EmailField(
        _l("New e-mail address"),
        validators=[
            DataRequired(_l("Enter your e-mail address.")),
            Email(_l("Enter an e-mail address like naam@voorbeeld.nl.")),
            Length(max=254, message=_l("The e-mail address is too long: at most 254 characters.")),
        ],
    )
    password = PasswordField(_l("Current password"), validators=_PASSWORD)


class LanguageForm(Form):
    language = SelectField(
        _l("Language of pages and mail"),
        choices=[SelectChoice("nl", "Nederlands"), SelectChoice("en", "English")],
        validators=[DataRequired(_l("Choose Dutch or English."))],
        validate_choice=False,  # the engine refuses another value, with its own message
    )


class PasswordCheckForm(Form):
    """The current password, for deleting the account."""

    password = PasswordField(_l("Current password"), validators=_PASSWORD)
