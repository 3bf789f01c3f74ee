"""Forms for the group: invitations and roles."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from engine.wording import ROLES
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
            Length(max=254),
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
