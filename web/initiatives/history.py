"""The history in words: "Anna moved the initiative from Proposal to Visioning".

Each kind of event has a describer; other blueprints add theirs with :func:`describes`. An event
of a kind nobody describes still shows who did something, and when.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from markupsafe import Markup, escape

from engine.history import EventView, History, move_title
from engine.i18n import LOCALES
from engine.tally import counts_sentence
from engine.wording import ROLES
from web.i18n import gettext as _
from web.i18n import locale, ngettext, render_msg, text, when

Describer = Callable[[EventView, History], str]
DESCRIBERS: dict[str, Describer] = {}


def describes(*kinds: str) -> Callable[[Describer], Describer]:
    """Register a function that puts events of these kinds into words."""

    def register(fn: Describer) -> Describer:
        for kind in kinds:
            DESCRIBERS[kind] = fn
        return fn

    return register


#: around words the group wrote (a step's title) inside a sentence: they survive any
#: formatting, and :func:`describe` turns them into a ``<span lang>`` or drops them
_OPEN, _CLOSE = "\ue000", "\ue001"


def written(value: object) -> str:
    """Words the group wrote, for a history sentence: marked with ``lang`` on a page in the
    other language than the initiative's (WCAG 3.1.2)."""
    words = str(value or "").replace(_OPEN, "").replace(_CLOSE, "")
    return f"{_OPEN}{words}{_CLOSE}"


def describe(view: EventView, history: History, language: str | None = None) -> Markup:
    """The event in one sentence, as HTML; what the group wrote in ``language`` carries
    ``lang`` when the page is in the other language."""
    describer = DESCRIBERS.get(view.event.kind)
    if describer is None:
        said = _("%(name)s made a change (%(kind)s)", name=actor(view), kind=view.event.kind)
    else:
        said = describer(view, history)
    shown = str(escape(said))
    balanced = shown.count(_OPEN) == shown.count(_CLOSE)
    if balanced and language in LOCALES and language != locale():
        shown = shown.replace(_OPEN, f'<span lang="{language}">').replace(_CLOSE, "</span>")
    return Markup(shown.replace(_OPEN, "").replace(_CLOSE, ""))


def actor(view: EventView) -> str:
    return view.actor_name or _("Verbinding")


def _data(view: EventView) -> dict[str, Any]:
    return view.event.data or {}


def _stage(history: History, key: str | None) -> str:
    if not key:
        return "?"
    title = history.stage_titles.get(key)
    return text(title) if title is not None else key


def _person(history: History, person_id: Any) -> str:
    try:
        return history.people.get(int(person_id)) or _("someone")
    except (TypeError, ValueError):
        return _("someone")


def _role_noun(role: Any) -> str:
    words = ROLES.get(role) if isinstance(role, str) else None
    return render_msg(words.noun) if words is not None else ""


def _step(view: EventView, history: History) -> str:
    data = _data(view)
    title = data.get("title") or history.step_titles.get(data.get("step", -1))
    return written(title) if title else _("a step")


def _day(value: str | None) -> str:
    try:
        return when(date.fromisoformat(value)) if value else ""
    except ValueError:
        return value or ""


@describes("created")
def _created(view, history):
    if _data(view).get("on_behalf"):
        return _("%(name)s started the initiative on behalf of residents", name=actor(view))
    return _("%(name)s started the initiative", name=actor(view))


@describes("updated")
def _updated(view, history):
    return _("%(name)s changed the title or the description", name=actor(view))


@describes("visibility")
def _visibility(view, history):
    if _data(view).get("new") == "members":
        return _("%(name)s made the initiative visible to its members only", name=actor(view))
    return _("%(name)s made the initiative visible to everyone", name=actor(view))


@describes("invited")
def _invited(view, history):
    role = _role_noun(_data(view).get("role"))
    return _("%(name)s invited someone to join as %(role)s", name=actor(view), role=role)


@describes("join_policy")
def _join_policy(view, history):
    if _data(view).get("new") == "open":
        return _("%(name)s opened the group: every resident can join at once", name=actor(view))
    return _("%(name)s decided that an initiator approves each request to join", name=actor(view))


@describes("joined")
def _joined(view, history):
    data = _data(view)
    if data.get("handover"):
        return _(
            "%(name)s joined as the first resident and leads the initiative as initiator from "
            "now on",
            name=actor(view),
        )
    role = _role_noun(data.get("role"))
    return _("%(name)s joined the group as %(role)s", name=actor(view), role=role)


@describes("join.requested")
def _join_requested(view, history):
    role = _role_noun(_data(view).get("role"))
    return _("%(name)s asked to join the group as %(role)s", name=actor(view), role=role)


@describes("join.approved")
def _join_approved(view, history):
    data = _data(view)
    return _(
        "%(name)s let %(person)s into the group as %(role)s",
        name=actor(view),
        person=_person(history, data.get("person")),
        role=_role_noun(data.get("role")),
    )


@describes("join.declined")
def _join_declined(view, history):
    person = _person(history, _data(view).get("person"))
    return _("%(name)s declined the request of %(person)s to join", name=actor(view), person=person)


@describes("join.withdrawn")
def _join_withdrawn(view, history):
    return _("%(name)s withdrew their request to join", name=actor(view))


@describes("left")
def _left(view, history):
    return _("%(name)s left the group", name=actor(view))


@describes("member.removed")
def _member_removed(view, history):
    person = _person(history, _data(view).get("person"))
    return _("%(name)s removed %(person)s from the group", name=actor(view), person=person)


@describes("steps.unowned")
def _steps_unowned(view, history):
    data = _data(view)
    return ngettext(
        "%(num)d open step of %(person)s no longer has an owner",
        "%(num)d open steps of %(person)s no longer have an owner",
        len(data.get("steps") or []),
        person=_person(history, data.get("person")),
    )


@describes("role")
def _role(view, history):
    data = _data(view)
    return _(
        "%(name)s made %(person)s %(role)s",
        name=actor(view),
        person=_person(history, data.get("person")),
        role=_role_noun(data.get("new")),
    )


@describes("step.added")
def _step_added(view, history):
    return _("%(name)s added the step ‘%(step)s’", name=actor(view), step=_step(view, history))


@describes("step.changed")
def _step_changed(view, history):
    changes = _data(view).get("changes") or {}
    parts = []
    if "title" in changes:
        parts.append(_("renamed it from ‘%(old)s’", old=written(changes["title"][0])))
    if "owner" in changes:
        new = changes["owner"][1]
        parts.append(
            _("gave it to %(person)s", person=_person(history, new)) if new else _("unassigned it")
        )
    if "due" in changes:
        new = changes["due"][1]
        parts.append(
            _("set its due date to %(date)s", date=_day(new)) if new else _("removed its due date")
        )
    new_title = (changes.get("title") or [None, None])[1]
    step = written(new_title) if new_title else _step(view, history)
    return _(
        "%(name)s changed the step ‘%(step)s’: %(what)s",
        name=actor(view),
        step=step,
        what=", ".join(parts),
    )


@describes("step.moved")
def _step_moved(view, history):
    return _(
        "%(name)s moved the step ‘%(step)s’ to place %(place)s",
        name=actor(view),
        step=_step(view, history),
        place=int(_data(view).get("position", 0)) + 1,
    )


@describes("step.done")
def _step_done(view, history):
    return _("%(name)s completed the step ‘%(step)s’", name=actor(view), step=_step(view, history))


@describes("step.reopened")
def _step_reopened(view, history):
    return _("%(name)s reopened the step ‘%(step)s’", name=actor(view), step=_step(view, history))


@describes("step.removed")
def _step_removed(view, history):
    return _("%(name)s removed the step ‘%(step)s’", name=actor(view), step=_step(view, history))


@describes("step.carried")
def _step_carried(view, history):
    data = _data(view)
    words = {
        "name": actor(view),
        "step": _step(view, history),
        "from": _stage(history, view.event.from_stage),
        "to": _stage(history, view.event.to_stage),
    }
    if data.get("due"):
        return _(
            "%(name)s took the open step ‘%(step)s’ along from %(from)s to %(to)s, with its "
            "due date %(date)s and its reminders",
            date=_day(data["due"]),
            **words,
        )
    return _("%(name)s took the open step ‘%(step)s’ along from %(from)s to %(to)s", **words)


@describes("step.closed")
def _step_closed(view, history):
    data = _data(view)
    words = {
        "name": actor(view),
        "step": _step(view, history),
        "stage": _stage(history, view.event.from_stage),
    }
    if data.get("due"):
        return _(
            "%(name)s closed the step ‘%(step)s’ of %(stage)s without it being done; its "
            "reminders for %(date)s stop",
            date=_day(data["due"]),
            **words,
        )
    return _("%(name)s closed the step ‘%(step)s’ of %(stage)s without it being done", **words)


@describes("stage.target")
def _stage_target(view, history):
    data = _data(view)
    stage = _stage(history, data.get("stage"))
    if data.get("new"):
        return _(
            "%(name)s set the target date of %(stage)s to %(date)s",
            name=actor(view),
            stage=stage,
            date=_day(data["new"]),
        )
    return _("%(name)s removed the target date of %(stage)s", name=actor(view), stage=stage)


@describes("stage.skipped")
def _stage_skipped(view, history):
    stage = _stage(history, _data(view).get("stage"))
    return _("%(name)s took the stage %(stage)s out of the path", name=actor(view), stage=stage)


@describes("stage.restored")
def _stage_restored(view, history):
    stage = _stage(history, _data(view).get("stage"))
    return _("%(name)s put the stage %(stage)s back on the path", name=actor(view), stage=stage)


@describes("stage.inserted")
def _stage_inserted(view, history):
    data = _data(view)
    return _(
        "%(name)s added an own stage ‘%(title)s’ after %(stage)s",
        name=actor(view),
        title=written(data.get("title", "")),
        stage=_stage(history, data.get("after")),
    )


@describes("stage.removed")
def _stage_removed(view, history):
    title = written(_data(view).get("title"))
    return _("%(name)s removed the own stage ‘%(title)s’", name=actor(view), title=title)


@describes("paused")
def _paused(view, history):
    return _("%(name)s paused the initiative", name=actor(view))


@describes("resumed")
def _resumed(view, history):
    data = _data(view)
    days, shifted = int(data.get("paused_days") or 0), int(data.get("shifted") or 0)
    decisions = int(data.get("decisions") or 0)
    said = ngettext(
        "%(name)s resumed the initiative after %(num)d day",
        "%(name)s resumed the initiative after %(num)d days",
        days,
        name=actor(view),
    )
    if shifted:
        said = _(
            "%(resumed)s and moved %(dates)s on by as many days",
            resumed=said,
            dates=ngettext("%(num)d open date", "%(num)d open dates", shifted),
        )
    if decisions:
        said = _(
            "%(resumed)s; %(decisions)s",
            resumed=said,
            decisions=ngettext(
                "the closing moment of %(num)d open decision moved on by the time paused",
                "the closing moments of %(num)d open decisions moved on by the time paused",
                decisions,
            ),
        )
    return said


@describes("transition")
def _transition(view, history):
    return _(
        "%(name)s moved the initiative from %(from)s to %(to)s",
        name=actor(view),
        **{
            "from": _stage(history, view.event.from_stage),
            "to": _stage(history, view.event.to_stage),
        },
    )


def _move(view: EventView, history: History) -> str:
    data = _data(view)
    trigger = data.get("trigger") or history.decision_triggers.get(data.get("decision", -1), "")
    return text(move_title(history.move_titles, trigger)) if trigger else _("a move")


@describes("decision.opened")
def _decision_opened(view, history):
    return _(
        "%(name)s asked the group to decide on ‘%(move)s’",
        name=actor(view),
        move=_move(view, history),
    )


@describes("decision.vote")
def _decision_vote(view, history):
    choice = _data(view).get("choice")
    move = _move(view, history)
    if choice == "object":
        return _("%(name)s objected to ‘%(move)s’", name=actor(view), move=move)
    if choice == "against":
        return _("%(name)s voted against ‘%(move)s’", name=actor(view), move=move)
    return _("%(name)s voted for ‘%(move)s’", name=actor(view), move=move)


def _decision_counts(view: EventView) -> str | None:
    """ "3 for, 1 against, of 5 who decide", as the decision stood when it closed."""
    data = _data(view)
    if "electorate" not in data:  # closed before the history kept the numbers
        return None
    return render_msg(
        counts_sentence(
            str(data.get("rule", "")),
            **{key: int(data.get(key) or 0) for key in ("yes", "no", "objections", "electorate")},
        )
    )


@describes("decision.approved")
def _decision_approved(view, history):
    move, counts = _move(view, history), _decision_counts(view)
    if counts is None:
        return _("The group agreed to ‘%(move)s’", move=move)
    return _("The group agreed to ‘%(move)s’ (%(counts)s)", move=move, counts=counts)


@describes("decision.rejected")
def _decision_rejected(view, history):
    move, counts = _move(view, history), _decision_counts(view)
    if counts is None:
        return _("The group did not agree to ‘%(move)s’", move=move)
    if _data(view).get("quorum_missed"):
        return _(
            "The group did not agree to ‘%(move)s’: too few voted (%(counts)s)",
            move=move,
            counts=counts,
        )
    return _("The group did not agree to ‘%(move)s’ (%(counts)s)", move=move, counts=counts)


@describes("decision.cancelled")
def _decision_cancelled(view, history):
    if _data(view).get("reason") == "plan":
        return _(
            "%(name)s changed the path, so the group decision on ‘%(move)s’ no longer applies",
            name=actor(view),
            move=_move(view, history),
        )
    return _("The group decision on ‘%(move)s’ no longer applies", move=_move(view, history))


@describes("document.attached")
def _document_attached(view, history):
    data = _data(view)
    return _("%(name)s attached ‘%(file)s’", name=actor(view), file=data.get("filename", ""))


@describes("document.removed")
def _document_removed(view, history):
    data = _data(view)
    return _("%(name)s removed ‘%(file)s’", name=actor(view), file=data.get("filename", ""))
