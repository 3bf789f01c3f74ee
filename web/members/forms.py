"""Forms for the group: invitations, join requests and their answers, roles, removal."""

from __future__ import annotations

from wtforms import EmailField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from engine.wording import ROLES
from web.i18n import lazy_gettext as _l
from web.i18n import lazy_msg
from web.initiatives.forms import VersionedForm

ROLE_CHOICES = [
    SelectChoice("member", lazy_msg(ROLES["member"].label)),
    SelectChoice(
        "partner", _l("Partner (for an organisation: a school, a business, an association)")
    ),
    SelectChoice("initiator", lazy_msg(ROLES["initiator"].label)),
]
_ORGANISATION = [
    Optional(),
    Length(max=200, message=_l("At most 200 characters.")),
]


class InviteForm(VersionedForm):
    email = EmailField(
        _l("E-mail address"),
        validators=[
            DataRequired(message=_l("Enter a valid e-mail address.")),
            Email(message=_l("Enter a valid e-mail address.")),
            Length(max=254, message=_l("The e-mail address is too long: at most 254 characters.")),
        ],
    )
    role = SelectField(_l("Role in the group"), choices=ROLE_CHOICES, default="member")
    organisation = StringField(_l("Organisation"), validators=_ORGANISATION)

    def for_role(self, member_role: str | None) -> InviteForm:
        """Only initiators may invite someone as initiator."""
        if member_role != "initiator":
            self.role.choices = [c for c in ROLE_CHOICES if c.value != "initiator"]
        return self


class RoleForm(VersionedForm):
    role = SelectField(
        _l("Role"),
        choices=ROLE_CHOICES,
        validators=[InputRequired(message=_l("Choose a role: initiator, member or partner."))],
    )
    organisation = StringField(_l("Organisation"), validators=_ORGANISATION)


REQUEST_ROLE_CHOICES = [c for c in ROLE_CHOICES if c.value != "initiator"]
_AT_MOST_1000 = Length(max=1000, message=_l("Write at most 1,000 characters."))


class JoinRequestForm(VersionedForm):
    role = SelectField(_l("Join as"), choices=REQUEST_ROLE_CHOICES, default="member")
    organisation = StringField(_l("Organisation"), validators=_ORGANISATION)
    message = TextAreaField(
        _l("A few words to the initiators"), validators=[Optional(), _AT_MOST_1000]
    )


class DeclineForm(VersionedForm):
    reason = TextAreaField(_l("Reason"), validators=[Optional(), _AT_MOST_1000])


class RemoveForm(VersionedForm):
    reason = TextAreaField(
        _l("Why"),
        validators=[
            DataRequired(
                message=_l("Say in a few words why, for the person and the group's history.")
            ),
            Length(
                min=3, message=_l("Say in a few words why, for the person and the group's history.")
            ),
            _AT_MOST_1000,
        ],
    )
