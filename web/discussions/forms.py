"""Forms of the discussions. The engine checks what is typed (length, control characters) and
says why next to the field; CSRF is checked app-wide for every POST."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from web.i18n import lazy_gettext as _l
from web.inputs import Form


class Needed:
    """Marks a field as needed (its label shows no "optional"); the engine checks it, not the
    browser (Utrecht styles an empty ``required`` field as invalid before anyone typed)."""

    field_flags = {"required": True}

    def __call__(self, form: FlaskForm, field: object) -> None:
        return None


NOT_REQUIRED = {"required": False}


class _Form(Form):
    class Meta:
        csrf = False  # the app-wide CSRFProtect checks the token of every POST


class MessageForm(_Form):
    body = TextAreaField(_l("Your message"), [Needed()], render_kw=NOT_REQUIRED)
    #: the message this one replies to (empty: a new message)
    parent_id = HiddenField()


class EditMessageForm(_Form):
    body = TextAreaField(_l("Your message"), [Needed()], render_kw=NOT_REQUIRED)
    version = HiddenField()


class HideMessageForm(_Form):
    reason = TextAreaField(_l("Why hide it?"), [Needed()], render_kw=NOT_REQUIRED)
    version = HiddenField()


class ReportMessageForm(_Form):
    reason = TextAreaField(_l("What is wrong with it?"))


class PlainForm(_Form):
    version = HiddenField()
