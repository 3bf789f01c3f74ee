"""One way for every view to run a form: validate → one engine operation → commit → flash and
redirect. A refusal comes back on the same page with the form as it was sent and the reason
next to the field it concerns (or above the form); a lost race — a ``Conflict`` from the engine,
also for a database constraint another write took first (``engine.db.conflict_guard``) — comes
back the same way with status 409.

A form without a page of its own (a button in a list, a panel on another page) has no page to
show again: its refusal is flashed and the visitor goes back where the button was.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol, TypeVar

from flask import flash, redirect, request
from flask.typing import ResponseReturnValue
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from engine.errors import Conflict, VerbindingError
from engine.storage import StorageUnavailable
from web.database import perform
from web.feedback import to_banner
from web.i18n import render_msg
from web.inputs import parse_id

T = TypeVar("T")


class ShowAgain(Protocol):
    """The page again with the form as sent; ``error`` is the refusal no field took, if any."""

    def __call__(self, status: int, error: VerbindingError | None, /) -> ResponseReturnValue: ...


def row_version() -> int | None:
    """The version of the step, document or task a form was filled in on (its hidden field
    ``version``; None when a client sends none). Forms that change the initiative itself carry
    the initiative's as ``expected_version`` instead."""
    return parse_id(request.form.get("version", ""))


def always_400(_error: VerbindingError) -> int:
    """Forms on a page of their own answer a refusal with 400, a lost race with 409."""
    return 400


def place_error(
    form: FlaskForm | None, error: VerbindingError, fields: Mapping[str, str] | None = None
) -> bool:
    """Put the refusal on the form field it concerns; False when the form has no such field."""
    if form is None or error.field is None:
        return False
    name = (fields or {}).get(error.field, error.field)
    if name not in form:
        return False
    field = form[name]
    field.errors = [*field.errors, render_msg(error.message)]
    return True


def summarise(form: FlaskForm, error: VerbindingError) -> None:
    """Put the refusal (and its reasons) in the form's summary at the top."""
    form.form_errors.append(render_msg(error.message))
    form.form_errors.extend(render_msg(reason) for reason in error.reasons)


def flash_error(error: VerbindingError) -> None:
    flash(render_msg(error.message), "error")
    for reason in error.reasons:
        flash(render_msg(reason), "error")


def form_action(
    form: FlaskForm | None,
    call: Callable[[Session], T],
    *,
    done: str | Callable[[T], str],
    to: str | Callable[[T], str],
    again: ShowAgain | None = None,
    back: str | None = None,
    invalid: str | None = None,
    fields: Mapping[str, str] | None = None,
    status: Callable[[VerbindingError], int] = always_400,
    summary: bool = True,
    then: Callable[[T], None] | None = None,
) -> ResponseReturnValue:
    """Validate ``form``, run ``call`` (one engine operation) in the request's transaction.

    * ``call`` gets the session; it is called only when the form is valid.
    * ``done`` (flashed) and ``to`` (redirected to) may depend on the operation's result.
    * ``again(status, error)`` shows the page again; without it a refusal is flashed and the
      visitor goes to ``back`` (by default ``to``, when that is a URL); ``invalid`` is then
      what is flashed for a form that does not validate (else each field's first error).
    * ``fields`` maps the engine's field names to the form's where they differ.
    * ``summary``: put a refusal no field took in the form's summary (else ``again`` shows it).
    """
    if back is None and isinstance(to, str):
        back = to
    if form is not None and not form.validate_on_submit():
        if again is not None:
            return again(400, None)
        for message in [invalid] if invalid else [e[0] for e in form.errors.values()]:
            flash(str(message), "error")
        return redirect(back or request.path)
    try:
        result = perform(call)
    except Conflict as error:
        return _refused(form, error, 409, again, back, fields, summary)
    except StorageUnavailable as error:  # the file store, not the visitor: try again later
        return _refused(form, error, 503, again, back, fields, summary)
    except VerbindingError as error:
        return _refused(form, error, status(error), again, back, fields, summary)
    if then is not None:
        then(result)
    flash(done(result) if callable(done) else done, "success")
    return redirect(to_banner(to(result) if callable(to) else to))


def _refused(
    form: FlaskForm | None,
    error: VerbindingError,
    code: int,
    again: ShowAgain | None,
    back: str | None,
    fields: Mapping[str, str] | None,
    summary: bool,
) -> ResponseReturnValue:
    if again is None:
        flash_error(error)
        return redirect(back or request.path)
    if place_error(form, error, fields):
        return again(code, None)
    if summary and form is not None:
        summarise(form, error)
        return again(code, None)
    return again(code, error)
