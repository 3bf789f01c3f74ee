"""A step of plan/_checklist.html, made in Python: as the public and the coaches see it (no
tools), and as the group sees it in a stage it may still change (its tools and the link to
change it), whenever no form of the page was sent back refused.

Every stage of the plan lists its steps; a Jinja loop with half a dozen conditions, filters and
sentences per step costs more than the few lines it writes. ``read_only_step`` and
``editable_step`` build the very same markup: every value passes the environment's
``finalize`` and is escaped as ``{{ value }}`` did, and the sentences are the template's
(``say``: what ``_()`` gives). The checklist keeps its template for a page with a refused form
(the form is shown open under its step); tests/web/plan/test_checklist_row.py renders the
template's rows (as they were: checklist_before.jinja, checklist_editable_before.jinja) and
these side by side.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from markupsafe import Markup

from engine.dates import show
from engine.i18n import N_
from web.fast_urls import fast_url_for
from web.i18n import _zone, locale, said_once, say, text
from web.initiatives.ui import _out

#: what every step says (``said`` in plan/_checklist.html), by key; ``N_`` marks each for the
#: catalogues (extraction reads only marked strings: unmarked, they would fall out of them)
WORDS = {
    "done": N_("Done"),
    "closed": N_("Closed, not done"),
    "open": N_("Open"),
    "who": N_("Who:"),
    "nobody": N_("nobody yet"),
    "due": N_("Due:"),
    "reopen": N_("Reopen"),
    "up": N_("Move up"),
    "down": N_("Move down"),
    "remove": N_("Remove"),
    "change": N_("Change, assign or date"),
    "question": N_("Remove this step from the plan? The history keeps that it was there."),
    "yes": N_("Yes, remove the step"),
}


def checklist_words() -> dict[str, str]:
    """``said`` of the checklist: said once per request, not once per stage."""
    return said_once(("checklist words",), lambda: {k: say(v) for k, v in WORDS.items()})


def _written() -> dict[str, str]:
    """The words as ``{{ said.done }}`` writes them (escaped, finalized), once per request."""
    return said_once(
        ("checklist words written",), lambda: {k: _out(v) for k, v in checklist_words().items()}
    )


def _main(view: Any, page: Any, step_lang: Any) -> tuple[str, str]:
    """A step's ``<li>`` class and what it says (its state, title, owner and dates): the same
    for the public and for the group."""
    said = _written()
    loc, zone = locale(), _zone()  # what ``|when`` looks up on every call
    step = view.step
    if step.is_done:
        state, tag = " vb-step--done", f'<span class="vb-tag vb-tag--ok">{said["done"]}</span>'
    elif step.is_closed:
        state = " vb-step--closed"
        tag = f'<span class="vb-tag vb-tag--plain">{said["closed"]}</span>'
    else:
        state, tag = "", f'<span class="vb-tag">{said["open"]}</span>'
    owner = _out(view.owner_name) if view.owner_name else said["nobody"]
    meta = [f"{said['who']} {owner}"]
    if step.due_date:
        meta.append(f" · {said['due']} {_out(show(step.due_date, loc, zone))}")
    if step.is_done and step.done_dt:
        sentence = say("Completed on %(date)s", date=show(step.done_dt, loc, zone))
        meta.append(f" · {_out(sentence)}")
    if step.is_closed:
        sentence = say(
            "Closed on %(date)s when the group moved on", date=show(step.closed_dt, loc, zone)
        )
        meta.append(f" · {_out(sentence)}")
    if step.carried_from:
        origin = page.stage(step.carried_from)
        if origin:
            meta.append(f" · {_out(say('Taken along from %(stage)s', stage=text(origin.title)))}")
    return state, (
        f'      <div class="vb-step__main">\n'
        f'        <p class="vb-step__line">\n'
        f"          {tag}\n"
        f'          <span class="vb-step__title"{_out(step_lang)}>{_out(step.title)}</span>\n'
        f"        </p>\n"
        f'        <p class="vb-meta">{"".join(meta)}</p>\n'
        f"      </div>\n"
    )


def read_only_step(view: Any, page: Any, step_lang: Any) -> Markup:
    """One ``<li>`` of the checklist without tools, with the whitespace the loop wrote around
    it (a leading line break, a trailing indent)."""
    state, main = _main(view, page, step_lang)
    return Markup(
        f'\n  <li class="vb-step{state}" id="step-{_out(view.step.id)}">\n'
        f'    <div class="vb-step__row">\n'
        f"{main}"
        f"      \n"
        f"    </div>\n"
        f"    \n"
        f"    \n"
        f"  </li>\n"
        f"  "
    )


def editable_step(
    view: Any, page: Any, step_lang: Any, ui: Any, first: bool, last: bool, index: int
) -> Markup:
    """One ``<li>`` of a stage the group may still change, with its tools (done or reopen, up,
    down, remove) and the link to its own page to change it, as the loop wrote it when no
    form of the page was sent back refused (the template keeps that case). ``ui``: the page's
    initiatives/_ui.html; ``first``, ``last``, ``index``: the step's place in the loop."""
    said = _written()
    step = view.step
    state, main = _main(view, page, step_lang)
    iid, sid = page.initiative.id, step.id
    title = step.title
    if not step.is_open:
        url = fast_url_for("plan.reopen", initiative_id=iid, step_id=sid)
        state_tool = ui.action(url, f"step-reopen-{sid}", said["reopen"], context=title, row=step)
    else:
        url = fast_url_for("plan.done", initiative_id=iid, step_id=sid)
        state_tool = ui.action(
            url, f"step-done-{sid}", said["done"], context=title, primary=True, row=step
        )
    move = fast_url_for("plan.move", initiative_id=iid, step_id=sid)
    up = down = remove = ""
    if not first:
        up = ui.action(move, f"step-move-{sid}-up", said["up"], context=title,
                       fields={"position": index - 1}, row=step)  # fmt: skip
    if not last:
        down = ui.action(move, f"step-move-{sid}-down", said["down"], context=title,
                         fields={"position": index + 1}, row=step)  # fmt: skip
    if step.is_open:
        remove = ui.confirm(
            fast_url_for("plan.remove", initiative_id=iid, step_id=sid), f"step-remove-{sid}",
            said["remove"], said["question"], said["yes"], context=title, row=step,
        )  # fmt: skip
    change = fast_url_for("plan.edit_form", initiative_id=iid, step_id=sid)
    return Markup(
        f'\n  <li class="vb-step{state}" id="step-{_out(sid)}">\n'
        f'    <div class="vb-step__row">\n'
        f"{main}"
        f"      \n"
        f'      <div class="vb-step__tools">\n'
        f"        \n"
        f"          {_out(state_tool)}\n"
        f"        \n"
        f"        {_out(up)}\n"
        f"        {_out(down)}\n"
        f"        {_out(remove)}\n"
        f"      </div>\n"
        f"      \n"
        f"    </div>\n"
        f"    \n"
        f"    \n"
        f"    \n"
        f"    \n"
        f'    <p class="vb-step__edit"><a class="utrecht-link" href="{_out(change)}">'
        f'{said["change"]}<span class="vb-visually-hidden">: <span{_out(step_lang)}>'
        f"{_out(title)}</span></span></a></p>\n"
        f"    \n"
        f"    \n"
        f"  </li>\n"
        f"  "
    )


def install(app: Flask) -> None:
    app.jinja_env.globals.update(
        checklist_words=checklist_words,
        read_only_step=read_only_step,
        editable_step=editable_step,
    )
