"""Forms for starting an initiative and for what the group does on its page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, RadioField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

VISIBILITY_CHOICES = [
    SelectChoice("public", _l("Everyone: the initiative is listed and anyone can read its page")),
    SelectChoice("members", _l("Only the members, until the group is ready to show it")),
]

JOIN_POLICY_CHOICES = [
    SelectChoice("approval", _l("An initiator approves each request to join")),
    SelectChoice("open", _l("Every resident can join at once")),
]


class VersionedForm(FlaskForm):
    """A form of the initiative page: it carries the version of the page it was filled in on."""

    expected_version = IntegerField(widget=HiddenInput(), validators=[Optional()])


class NewInitiativeForm(FlaskForm):
    workflow = RadioField(
        _l("Process template"),
        validators=[InputRequired(message=_l("Choose a process template."))],
    )
    neighbourhood = SelectField(
        _l("Neighbourhood"),
        validators=[InputRequired(message=_l("Choose a neighbourhood from the list."))],
    )
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the initiative a title.")),
            Length(min=3, max=200, message=_l("A title has between 3 and 200 characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[
            Optional(),
            Length(max=20000, message=_l("A description has at most 20,000 characters.")),
        ],
    )
    visibility = RadioField(
        _l("Who can see the initiative"), choices=VISIBILITY_CHOICES, default="public"
    )
    join_policy = RadioField(
        _l("How people join the group"), choices=JOIN_POLICY_CHOICES, default="approval"
    )


class EditInitiativeForm(VersionedForm):
    title = StringField(
        _l("Title"),
        validators=[
            DataRequired(message=_l("Give the initiative a title.")),
            Length(min=3, max=200, message=_l("A title has between 3 and 200 characters.")),
        ],
    )
    description = TextAreaField(
        _l("Description"),
        validators=[
            Optional(),
            Length(max=20000, message=_l("A description has at most 20,000 characters.")),
        ],
    )


class VisibilityForm(VersionedForm):
    visibility = RadioField(
        _l("Who can see the initiative"),
        choices=VISIBILITY_CHOICES,
        validators=[InputRequired(message=_l("Choose who can see the initiative."))],
    )


class JoinPolicyForm(VersionedForm):
    join_policy = RadioField(
        _l("How people join the group"),
        choices=JOIN_POLICY_CHOICES,
        validators=[InputRequired(message=_l("Choose how people join the group."))],
    )


class MoveForm(VersionedForm):
    note = TextAreaField(
        _l("Note for the history"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2,000 characters."))],
    )


class OpenDecisionForm(VersionedForm):
    question = TextAreaField(
        _l("Question to the group"),
        validators=[
            DataRequired(message=_l("Write down what the group decides on.")),
            Length(max=2000, message=_l("At most 2,000 characters.")),
        ],
    )


CHOICE_LABELS = {
    "for": _l("For"),
    "against": _l("Against"),
    "object": _l("I object"),
}


class VoteForm(VersionedForm):
    choice = RadioField(
        _l("Your vote"), validators=[InputRequired(message=_l("Choose one of the options."))]
    )
    comment = TextAreaField(
        _l("Comment"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2,000 characters."))],
    )

    def set_choices(self, choices: tuple[str, ...]) -> VoteForm:
        self.choice.choices = [SelectChoice(c, CHOICE_LABELS[c]) for c in choices]
        return self


class PlainForm(VersionedForm):
    """A button: nothing to fill in but the page's version."""
