"""The maintenance events of an initiative's history, in words."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from engine.history import EventView, History
from web.i18n import lazy_gettext as _l
from web.initiatives.history import _data, _day, _person, actor, describes, written
from web.maintenance.routes import board_role

SENTENCES = {
    "association.registered": _l("%(name)s registered the residents' association"),
    "association.updated": _l("%(name)s updated the residents' association"),
    "agreement.made": _l("%(name)s drew up the maintenance agreement"),
    "agreement.changed": _l("%(name)s changed the maintenance agreement"),
    "agreement.confirmed": _l("%(name)s confirmed the maintenance agreement for the municipality"),
    "agreement.renewed": _l("%(name)s renewed the maintenance agreement after the review"),
    "agreement.ended": _l("%(name)s ended the maintenance agreement after the review"),
    "maintenance.task_added": _l("%(name)s added a maintenance task"),
    "maintenance.task_changed": _l("%(name)s changed a maintenance task"),
    "maintenance.task_ended": _l("%(name)s stopped a maintenance task"),
    "maintenance.rota": _l("%(name)s changed who takes turns"),
    "maintenance.stepped_out": _l("%(name)s stepped out of the rota"),
    "maintenance.swapped": _l("%(name)s swapped a turn"),
    "maintenance.done": _l("%(name)s did a maintenance turn"),
    "maintenance.missed": _l("%(name)s marked a maintenance turn as missed"),
    "maintenance.skipped": _l("%(name)s skipped a maintenance turn"),
}

#: a question to swap turns (another turn in return) and one to take a turn over, by kind
SWAP_SENTENCES = {
    "maintenance.swap_proposed": (
        _l("%(name)s asked %(person)s to swap turns of ‘%(task)s’ (%(date)s for %(other)s)"),
        _l("%(name)s asked %(person)s to take over the turn of ‘%(task)s’ on %(date)s"),
    ),
    "maintenance.swap_accepted": (
        _l("%(name)s swapped turns of ‘%(task)s’ with %(person)s (%(date)s for %(other)s)"),
        _l("%(name)s took over the turn of %(person)s of ‘%(task)s’ on %(date)s"),
    ),
    "maintenance.swap_declined": (
        _l("%(name)s did not swap turns of ‘%(task)s’ with %(person)s"),
        _l("%(name)s did not take over the turn of %(person)s of ‘%(task)s’ on %(date)s"),
    ),
    "maintenance.swap_withdrawn": (
        _l("%(name)s withdrew the question to %(person)s to swap turns of ‘%(task)s’"),
        _l("%(name)s withdrew the question to %(person)s to take over a turn of ‘%(task)s’"),
    ),
    "maintenance.swap_expired": (
        _l(
            "The question of %(name)s to %(person)s to swap turns of ‘%(task)s’ expired: a turn "
            "went by or changed hands"
        ),
        _l(
            "The question of %(name)s to %(person)s to take over a turn of ‘%(task)s’ expired: "
            "the turn went by or changed hands"
        ),
    ),
}


@describes(*SENTENCES)
def _maintenance(view, history) -> str:
    sentence = str(SENTENCES[view.event.kind]) % {"name": actor(view)}
    changes = _data(view).get("board_changes") if view.event.kind == "association.updated" else None
    if changes:
        parts = [_board_change(history, change) for change in changes]
        sentence = _("%(sentence)s: %(changes)s", sentence=sentence, changes="; ".join(parts))
    return sentence


def _board_change(history: History, change: Any) -> str:
    person, _old, new = (list(change) + [None, None, None])[:3]
    if new:
        name = _person(history, person)
        return _("%(person)s is now %(place)s", person=name, place=board_role(new))
    return _("%(person)s left the board", person=_person(history, person))


@describes("maintenance.reassigned")
def _reassigned(view: EventView, history: History) -> str:
    data = _data(view)
    return _(
        "%(name)s gave the turn of ‘%(task)s’ on %(date)s to %(person)s",
        name=actor(view),
        task=written(data["task_title"]) if data.get("task_title") else _("a task"),
        date=_day(data.get("date")),
        person=_person(history, data.get("person")),
    )


@describes(*SWAP_SENTENCES)
def _swap(view: EventView, history: History) -> str:
    data = _data(view)
    kind = view.event.kind
    swapping, taking_over = SWAP_SENTENCES[kind]
    if kind == "maintenance.swap_expired":  # by nobody: the asker and the one asked
        name, person = _person(history, data.get("proposer")), data.get("recipient")
    else:
        name, person = actor(view), data.get("person")
    sentence = swapping if data.get("other_turn") else taking_over
    return str(sentence) % {
        "name": name,
        "person": _person(history, person),
        "task": written(data["task_title"]) if data.get("task_title") else _("a task"),
        "date": _day(data.get("date")),
        "other": _day(data.get("other_date")),
    }
