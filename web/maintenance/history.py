"""The maintenance events of an initiative's history, in words."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from web.initiatives.history import actor, describes

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


@describes(*SENTENCES)
def _maintenance(view, history) -> str:
    return str(SENTENCES[view.event.kind]) % {"name": actor(view)}
