"""Forms of the survey. The engine checks what is typed (lengths, options, answers) and says
why next to the field; CSRF is checked app-wide for every POST.

The answer form has a field per question, so its values are read as they come
(``request.form``) and checked by the engine (engine.surveys.answering); this form carries
nothing but the text and control-character checks every form has."""

from __future__ import annotations

from wtforms import BooleanField, HiddenField, RadioField, SelectChoice, StringField, TextAreaField

from web.date_input import DatePartsField
from web.discussions.forms import NOT_REQUIRED, Needed
from web.i18n import lazy_gettext as _l
from web.inputs import Form


class _Form(Form):
    class Meta:
        csrf = False  # the app-wide CSRFProtect checks the token of every POST


class SurveyForm(_Form):
    title = StringField(_l("Title of the survey"), [Needed()], render_kw=NOT_REQUIRED)
    intro = TextAreaField(_l("Introduction"))
    asks_wijk = BooleanField(_l("Ask which neighbourhood the respondent lives in"))


class QuestionForm(_Form):
    kind = RadioField(
        _l("Kind of question"),
        choices=[
            SelectChoice("choice", _l("Choice: one option")),
            SelectChoice("multiple", _l("Multiple choice: any options")),
            SelectChoice("scale", _l("Scale from 1 to 5")),
            SelectChoice("text", _l("Open question")),
        ],
        default="choice",
        validate_choice=False,  # the engine says which kinds there are
    )
    text = StringField(_l("Question"), [Needed()], render_kw=NOT_REQUIRED)
    options = TextAreaField(_l("Options, one per line"))
    is_required = BooleanField(_l("An answer is needed"))


class OpenForm(_Form):
    closes_on = DatePartsField(_l("Last day for answers"))


class PlainForm(_Form):
    version = HiddenField()


class PublishForm(_Form):
    publish = HiddenField()
