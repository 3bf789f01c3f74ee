"""Forms for starting an initiative and for what the group does on its page."""

from __future__ import annotations

from collections.abc import Mapping

from flask_babel import ngettext
from markupsafe import Markup
from wtforms import (
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput

from engine.operations.open_steps import CARRY, OPEN_STEP_CHOICES
from web.i18n import lazy_gettext as _l
from web.inputs import Form, NumberField, parse_id

VISIBILITY_CHOICES = [
    SelectChoice("public", _l("Everyone: the initiative is listed and anyone can read its page")),
    SelectChoice("members", _l("Only the members, until the group is ready to show it")),
]

JOIN_POLICY_CHOICES = [
    SelectChoice("approval", _l("An initiator approves each request to join")),
    SelectChoice("open", _l("Every resident can join at once")),
]


#: the languages a group writes its content in, each named in its own language
LANGUAGE_CHOICES = [
    SelectChoice("nl", Markup('<span lang="nl">Nederlands</span>')),
    SelectChoice("en", Markup('<span lang="en">English</span>')),
]


class VersionedForm(Form):
    """A form of the initiative page: it carries the version of the page it was filled in on."""

    expected_version = NumberField(widget=HiddenInput(), validators=[Optional()])

    class Meta:
        # the app-wide CSRFProtect checks the token of every POST, and the page writes it once
        # for all its forms (ui.hidden): a token field of each form's own, dozens on a member's
        # page, cost 0.6 ms a page and 0.3 ms a form sent, and checked the token a second time
        csrf = False


class NewInitiativeForm(Form):
    workflow = RadioField(
        _l("Process template"),
        validators=[InputRequired(message=_l("Choose the process that fits your plan."))],
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
    language = RadioField(
        _l("Language of the title, description and steps"),
        choices=LANGUAGE_CHOICES,
        validators=[Optional()],  # left out: the language stays as it is
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
    #: what happens to the open steps the move leaves behind (shown only when there are some);
    #: the engine checks the choice and says what is wrong next to the field
    open_steps = RadioField(
        _l("What happens to the open steps?"),
        choices=list(OPEN_STEP_CHOICES),  # worded on the page by for_steps
        default=CARRY,
        validate_choice=False,
    )
    #: the ids of the open steps the page listed, comma-separated (see ``seen_steps``)
    expected_open_steps = HiddenField()
    note = TextAreaField(
        _l("Note for the history"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2,000 characters."))],
    )

    def for_steps(self, count: int, stage: str) -> MoveForm:
        """Word the choice for ``count`` open steps that would go along to ``stage``."""
        self.open_steps.choices = [
            SelectChoice(
                "carry",
                ngettext(
                    "Take it along to %(stage)s", "Take them along to %(stage)s", count, stage=stage
                ),
            ),
            SelectChoice(
                "close",
                ngettext("Close it without doing it", "Close them without doing them", count),
            ),
        ]
        return self

    def seen_steps(self, posted: Mapping[str, str]) -> list[int] | None:
        """The open steps the page listed when the group chose; None when none were sent."""
        if "expected_open_steps" not in posted:
            return None
        raw = self.expected_open_steps.data or ""
        return [n for part in raw.split(",") if (n := parse_id(part)) is not None]


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
