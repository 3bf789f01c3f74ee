"""``field()`` of _macros.html (a form field with its label, description and error) made in
Python: every form of every page calls it, a member's initiative page dozens of times, and the
macro's dozen ``set``/``if``/``do`` statements cost far more than the markup they write.

It writes what the macro wrote: each value passes the environment's ``finalize`` and is
escaped as ``{{ value }}`` did; so does ``date_field`` (a date as three boxes). The
character-count attributes are still the macro ``count_attributes``, said once per request
and limit. tests/web/test_fields.py renders the macro as it was beside it for every kind of field.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from markupsafe import Markup

from web.i18n import said_once, say
from web.templating import out as _out

#: the input's class by kind of field; a text box otherwise
CSS = {
    "TextAreaField": "utrecht-textarea utrecht-textarea--html-textarea",
    "SelectField": "utrecht-select utrecht-select--html-select",
}
TEXTBOX = "utrecht-textbox utrecht-textbox--html-input"


def _(string: str) -> Markup:
    """``_(string)`` as a template says it, once per request (the catalogue's extraction finds
    the texts here as it did in the macros)."""
    return said_once(string)


class Field:
    """``field(f, description=None, autocomplete=None, type=None, class_=None)``;
    ``count_attributes``: the macro of the same module."""

    def __init__(self, count_attributes: Any) -> None:
        self.count_attributes = count_attributes

    def __call__(
        self,
        f: Any,
        description: Any = None,
        autocomplete: Any = None,
        type: Any = None,  # noqa: A002 - the macro's name for it
        class_: Any = None,
    ) -> Markup:
        kind = f.type
        if kind == "DatePartsField":
            return self.date(f, description)
        errors = f.errors
        invalid = len(errors) > 0
        flags = f.flags
        limited = kind in ("StringField", "TextAreaField") and flags.maxlength
        limit = flags.maxlength if limited else None
        fid = _out(f.id)
        described = []
        if description or limit:
            described.append(f"{f.id}-description")
        if invalid:
            described.append(f"{f.id}-error")
        is_check = kind == "BooleanField"
        out = ['<div class="utrecht-form-field vb-field']
        if is_check:
            out.append(" utrecht-form-field--checkbox")
        if invalid:
            out.append(" utrecht-form-field--invalid")
        out.append('"')
        if limit:
            out.append(" " + _out(self._count(limit)))
        out.append(">")
        label = _out(f.label.text)
        if is_check:
            attrs: dict[str, Any] = {"class_": "utrecht-checkbox utrecht-checkbox--html-input"}
            if described:
                attrs["aria-describedby"] = " ".join(described)
            if invalid:
                attrs["aria-invalid"] = "true"
            out.append('\n  <div class="utrecht-form-field__input vb-check">')
            out.append(_out(f(**attrs)))
            out.append(
                f'\n    <label class="utrecht-form-label utrecht-form-label--checkbox" for="{fid}">'
                f"{label}</label>\n  </div>"
            )
        else:
            out.append(
                f'\n  <div class="utrecht-form-field__label"><label class="utrecht-form-label"'
                f' for="{fid}">{label}'
            )
            if not flags.required:
                out.append(f' <span class="vb-optional">({_out(_("optional"))})</span>')
            out.append("</label></div>")
        if description or limit:
            out.append(
                '<div class="utrecht-form-field-description utrecht-form-field__description"'
                f' id="{fid}-description">'
            )
            if description:
                out.append(_out(description))
            if limit:
                if description:
                    out.append(" ")
                most = say("At most %(max)d characters.", max=limit)
                out.append(f'<span class="vb-limit">{_out(most)}</span>')
            out.append("</div>")
        if invalid:
            out.append(
                '\n  <div class="utrecht-form-field-error-message'
                f' utrecht-form-field__error-message" id="{fid}-error">'
            )
            error = _out(_("Error:"))
            for e in errors:
                out.append(f'<p class="vb-error">{error} {_out(e)}</p>')
            out.append("</div>")
        if not is_check:
            css = CSS.get(kind, TEXTBOX)
            css += (" " + str(class_) if class_ else "") + (
                " utrecht-textbox--invalid" if invalid else ""
            )
            attrs = {"class_": css}
            if described:
                attrs["aria-describedby"] = " ".join(described)
            if invalid:
                attrs["aria-invalid"] = "true"
            if autocomplete:
                attrs["autocomplete"] = autocomplete
            if type:
                attrs["type"] = type
            out.append('\n  <div class="utrecht-form-field__input">')
            out.append(_out(f(**attrs)))
            out.append("\n  </div>")
        out.append("\n</div>")
        return Markup("".join(out))

    def date(self, f: Any, description: Any = None) -> Markup:
        """``date_field(f, description=None)``: a fieldset with the label as legend, the hint,
        the error, then day, month and year (web/date_input.py), each with its own label."""
        errors = f.errors
        invalid = len(errors) > 0
        fid = _out(f.id)
        described = [f"{f.id}-hint"] + ([f"{f.id}-error"] if invalid else [])
        out = [
            '<fieldset class="vb-fieldset vb-date utrecht-form-fieldset'
            + (" utrecht-form-fieldset--invalid" if invalid else "")
            + f'" aria-describedby="{_out(" ".join(described))}">',
            f'\n  <legend class="utrecht-form-fieldset__legend">{_out(f.label.text)}',
        ]
        if not f.flags.required:
            out.append(f' <span class="vb-optional">({_out(_("optional"))})</span>')
        out.append(f'</legend>\n  <div class="utrecht-form-field-description" id="{fid}-hint">')
        if description:
            out.append(_out(description) + " ")
        out.append(_out(_("For example 15 3 2027.")) + "</div>")
        if invalid:
            out.append(f'\n  <div class="utrecht-form-field-error-message" id="{fid}-error">')
            error = _out(_("Error:"))
            for e in errors:
                out.append(f'<p class="vb-error">{error} {_out(e)}</p>')
            out.append("</div>")
        out.append('\n  <div class="vb-date__parts">')
        box = " utrecht-textbox--invalid" if invalid else ""
        marked = ' aria-invalid="true"' if invalid else ""
        parts = (("day", _("Day"), 2), ("month", _("Month"), 2), ("year", _("Year"), 4))
        for part, label, size in parts:
            pid = _out(f.part_id(part))
            out.append(
                f'\n    <div class="vb-date__part vb-date__part--{part}">'
                f'\n      <label class="utrecht-form-label" for="{pid}">'
                f"{_out(label)}</label>"
                f'\n      <input class="utrecht-textbox utrecht-textbox--html-input{box}"'
                ' type="text" inputmode="numeric" autocomplete="off" spellcheck="false"'
                f' id="{pid}" name="{_out(f.part_name(part))}" value="{_out(f.parts[part])}"'
                f' maxlength="{size + 6}"{marked}>\n    </div>'
            )
        out.append("\n  </div>\n</fieldset>")
        return Markup("".join(out))

    def _count(self, limit: Any) -> Markup:
        """The character-count attributes for a limit: the same all through a request."""
        return said_once(("count_attributes", limit), lambda: self.count_attributes(limit))


def install(app: Flask) -> None:
    app.jinja_env.globals["fast_field"] = Field
