"""The upload form: a file and where it belongs."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_wtf.file import FileField, FileRequired
from wtforms import SelectChoice, SelectField

from web.i18n import lazy_gettext as _l
from web.i18n import text
from web.initiatives.forms import VersionedForm

ACCEPT = ".pdf,.png,.jpg,.jpeg,.webp,.odt,.docx,.txt"


class UploadForm(VersionedForm):
    file = FileField(
        _l("File"),
        validators=[FileRequired(message=_l("Choose a file to attach."))],
        render_kw={"accept": ACCEPT},
    )
    #: the engine checks that the stage is part of the plan
    stage_key = SelectField(_l("Belongs to"), choices=[], validate_choice=False)

    def set_stages(self, stages) -> UploadForm:
        self.stage_key.choices = [SelectChoice("", _("The initiative as a whole"))] + [
            SelectChoice(
                s.key, _("Stage %(number)s: %(title)s", number=s.number, title=text(s.title))
            )
            for s in stages
            if s.status != "skipped"
        ]
        return self
