"""Forms of the consultation. The engine checks what is typed (length, control characters, the
photo's kind and size) and says why next to the field; CSRF is checked app-wide for every POST."""

from __future__ import annotations

from flask_wtf.file import FileField
from wtforms import HiddenField, RadioField, SelectChoice, TextAreaField

from web.date_input import DatePartsField
from web.discussions.forms import NOT_REQUIRED, Needed
from web.i18n import lazy_gettext as _l
from web.inputs import Form

ACCEPT_PHOTO = ".png,.jpg,.jpeg,.webp"


class _Form(Form):
    class Meta:
        csrf = False  # the app-wide CSRFProtect checks the token of every POST


class OpenForm(_Form):
    question = TextAreaField(_l("What do you ask the neighbourhood?"), [Needed()],
                             render_kw=NOT_REQUIRED)  # fmt: skip
    ends_on = DatePartsField(_l("Last day to respond"), required=True)


class PostForm(_Form):
    kind = RadioField(
        _l("What do you post?"),
        choices=[
            SelectChoice("idea", _l("An idea others can support")),
            SelectChoice("reaction", _l("A reaction")),
        ],
        default="idea",
        validate_choice=False,  # the engine says which kinds there are
    )
    body = TextAreaField(_l("Your idea or reaction"), [Needed()], render_kw=NOT_REQUIRED)
    photo = FileField(_l("Photo"), render_kw={"accept": ACCEPT_PHOTO})


class ReplyForm(_Form):
    body = TextAreaField(_l("Your reply"), [Needed()], render_kw=NOT_REQUIRED)


class EditForm(_Form):
    body = TextAreaField(_l("Your idea or reaction"), [Needed()], render_kw=NOT_REQUIRED)
    version = HiddenField()


class MarkForm(_Form):
    outcome = RadioField(
        _l("What did the group do with this idea?"),
        choices=[
            SelectChoice("adopted", _l("Taken up")),
            SelectChoice("not_adopted", _l("Not taken up")),
        ],
        validate_choice=False,
    )
    reason = TextAreaField(_l("Why not? (or how it was taken up)"))
    version = HiddenField()


class HideForm(_Form):
    reason = TextAreaField(_l("Why hide it?"), [Needed()], render_kw=NOT_REQUIRED)
    version = HiddenField()


class ReportForm(_Form):
    reason = TextAreaField(_l("What is wrong with it?"))


class PlainForm(_Form):
    version = HiddenField()
