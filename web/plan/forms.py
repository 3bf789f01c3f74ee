"""Forms for the process plan: steps, target dates, pace and the group's own stages."""

from __future__ import annotations

import wtforms.widgets.core
from markupsafe import Markup
from wtforms import (
    BooleanField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import HiddenInput, Select

from engine.bounds import MAX_SMALL_NUMBER
from web.date_input import DatePartsField
from web.i18n import lazy_gettext as _l
from web.initiatives.forms import VersionedForm
from web.inputs import NumberField, parse_id

_STEP_TITLE = [
    DataRequired(message=_l("Give the step a title.")),
    Length(max=300, message=_l("A step needs a title of at most 300 characters.")),
]


class SharedSelect(Select):
    """WTForms' select, writing the options of shared :class:`OwnerChoices` once per chosen
    value (the ``<select>`` itself, with the field's own id, every time)."""

    def __call__(self, field, **kwargs) -> Markup:
        choices = field.choices
        if not isinstance(choices, OwnerChoices) or self.multiple:
            return super().__call__(field, **kwargs)
        key = (type(field.data), field.data)
        try:
            options = choices.rendered.get(key)
        except TypeError:  # a value that cannot be a key
            return super().__call__(field, **kwargs)
        if options is None:
            whole = str(super().__call__(field, **kwargs))
            options = choices.rendered[key] = whole[whole.index(">") + 1 : -len("</select>")]
        kwargs.setdefault("id", field.id)
        flags = getattr(field, "flags", {})
        for k in dir(flags):
            if k in self.validation_attrs and k not in kwargs:
                kwargs[k] = getattr(flags, k)
        params = wtforms.widgets.core.html_params(name=field.name, **kwargs)  # web/html_params.py
        return Markup(f"<select {params}>{options}</select>")


class StepForm(VersionedForm):
    """A new step, or a changed one (title, owner, due date)."""

    stage_key = HiddenField()
    title = StringField(_l("Step"), validators=_STEP_TITLE)
    #: the engine checks that the owner is a member
    owner = SelectField(
        _l("Who takes it on"),
        validators=[Optional()],
        validate_choice=False,
        widget=SharedSelect(),
    )
    due_date = DatePartsField(_l("Due date"))

    def set_owners(self, choices: list[SelectChoice]) -> StepForm:
        """Offer these owners (see :func:`owner_choices`; one list shared by a page's forms)."""
        self.owner.choices = choices
        return self

    @property
    def owner_id(self) -> int | None:
        value = (self.owner.data or "").strip()
        if not value:
            return None
        found = parse_id(value)
        return -1 if found is None else found  # -1: nobody, the engine refuses it


class OwnerChoices(list[SelectChoice]):
    """The owner choices of a page, with their ``<option>`` markup as rendered so far, by the
    chosen value: a member's page offers them in every stage's "add a step" form."""

    def __init__(self, choices: list[SelectChoice]) -> None:
        super().__init__(choices)
        self.rendered: dict[tuple[type, object], str] = {}


def owner_choices(members) -> list[SelectChoice]:
    """Who may take a step on: nobody yet, or one of the group's members."""
    return OwnerChoices(
        [SelectChoice("", _l("Nobody yet"))]
        + [SelectChoice(str(m.person_id), m.name) for m in members]
    )


class StepMoveForm(VersionedForm):
    position = NumberField(
        maximum=MAX_SMALL_NUMBER,
        widget=HiddenInput(),
        validators=[InputRequired(message=_l("Choose a place."))],
    )


class TargetDateForm(VersionedForm):
    target_date = DatePartsField(_l("Target date"))


class PauseForm(VersionedForm):
    reason = TextAreaField(
        _l("Why does the group pause?"),
        validators=[
            DataRequired(message=_l("Say why the group pauses, so others understand.")),
            Length(max=2000, message=_l("At most 2,000 characters.")),
        ],
    )


class ResumeForm(VersionedForm):
    shift_dates = BooleanField(_l("Shift open dates by the paused days"), default=True)
    note = TextAreaField(
        _l("Note for the history"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2,000 characters."))],
    )


class InsertStageForm(VersionedForm):
    title = StringField(
        _l("Title of the new stage"),
        validators=[
            DataRequired(message=_l("Give the stage a title.")),
            Length(min=3, max=200, message=_l("A stage needs a title of 3 to 200 characters.")),
        ],
    )
    description = TextAreaField(
        _l("What happens in it"),
        validators=[Optional(), Length(max=2000, message=_l("At most 2,000 characters."))],
    )


class SkipStageForm(VersionedForm):
    note = StringField(
        _l("Why the group skips it"),
        validators=[Optional(), Length(max=500, message=_l("At most 500 characters."))],
    )
