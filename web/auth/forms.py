from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

from web.i18n import lazy_gettext as _l
from web.inputs import Form, NumberField

# messages written per field (never WTForms' own "This field is required.")
_NAME = _l("Enter your name.")
_NAME_LONG = _l("Your name is too long: at most 200 characters.")
_EMAIL = _l("Enter your e-mail address.")
_EMAIL_FORM = _l("Enter an e-mail address like naam@voorbeeld.nl.")
_EMAIL_LONG = _l("The e-mail address is too long: at most 254 characters.")
_AGAIN = _l("Enter the password once more.")
_PASSWORD = [
    DataRequired(_l("Enter a password.")),
    Length(min=8, max=200, message=_l("The password must have 8 to 200 characters.")),
]


class RegisterForm(Form):
    name = StringField(
        _l("Your name"), validators=[DataRequired(_NAME), Length(max=200, message=_NAME_LONG)]
    )
    email = EmailField(
        _l("E-mail address"),
        validators=[DataRequired(_EMAIL), Email(_EMAIL_FORM), Length(max=254, message=_EMAIL_LONG)],
    )
    password = PasswordField(_l("Password"), validators=_PASSWORD)
    confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(_AGAIN), EqualTo("password", message=_l("The passwords differ."))],
    )


class LoginForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_EMAIL), Email(_EMAIL_FORM)])
    password = PasswordField(_l("Password"), validators=[DataRequired(_l("Enter your password."))])
    remember = BooleanField(_l("Stay logged in on this device"))


class ResetRequestForm(Form):
    email = EmailField(_l("E-mail address"), validators=[DataRequired(_EMAIL), Email(_EMAIL_FORM)])


class NewPasswordForm(Form):
    password = PasswordField(_l("New password"), validators=_PASSWORD)
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_AGAIN), EqualTo("password", message=_l("The passwords differ."))],
    )


class PlainForm(Form):
    """Only the CSRF token: for buttons."""


class ChangePasswordForm(Form):
    current = PasswordField(
        _l("Current password"), validators=[DataRequired(_l("Enter your current password."))]
    )
    password = PasswordField(_l("New password"), validators=_PASSWORD)
    confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(_AGAIN), EqualTo("password", message=_l("The passwords differ."))],
    )


class EndSessionForm(Form):
    """Ends one login session on the sessions page (its id, from the row's button)."""

    session = NumberField(_l("Login"), validators=[DataRequired(_l("Choose a login to end."))])
