"""Open data: how many initiatives stand in each stage, per wijk. Counts only, no people.

Only initiatives shown to everyone count (a group that keeps its initiative to its members is
not published, not even as a number). Stages the residents added themselves count together as
``own``: their titles are the group's own words. The CSV has a Dutch dialect (semicolons, a
byte-order mark, as Dutch spreadsheet programs expect) and a plain one (commas).
"""

from __future__ import annotations

import csv
import io
from dataclasses import asdict, dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from engine.coach.overview import OWN_STAGE_TITLE
from engine.coach.stages import load_versions
from engine.i18n import translate
from engine.models import District, Initiative, Neighbourhood

OWN = "own"
COLUMNS = (
    "stadsdeel", "wijk", "cbs_code", "template", "stage", "stage_nl", "stage_en",
    "initiatives", "paused",
)  # fmt: skip

_I = Initiative.__table__.c
_N = Neighbourhood.__table__.c
_D = District.__table__.c


@dataclass(frozen=True)
class CountRow:
    stadsdeel: str
    wijk: str
    cbs_code: str | None
    template: str
    stage: str
    stage_nl: str
    stage_en: str
    initiatives: int
    paused: int


def stage_counts(session: Session) -> list[CountRow]:
    """The public initiatives per wijk, template and stage (one query and the templates)."""
    versions = load_versions(session)
    rows = session.execute(
        select(
            _D.name.label("district"),
            _N.name.label("neighbourhood"),
            _N.cbs_code,
            _I.workflow_version_id,
            _I.state,
            func.count().label("initiatives"),
            func.sum(case((_I.is_paused, 1), else_=0)).label("paused"),
        )
        .select_from(Initiative.__table__)
        .join(Neighbourhood.__table__, _N.id == _I.neighbourhood_id)
        .join(District.__table__, _D.id == _N.district_id)
        .where(_I.visibility == "public")
        .group_by(_D.name, _N.name, _N.cbs_code, _I.workflow_version_id, _I.state)
    )
    merged: dict[tuple[str, str, str | None, str, str], list] = {}
    for row in rows:
        plan = versions.plans[row.workflow_version_id]
        template = versions.names[row.workflow_version_id]
        if plan.kind(row.state) == "template":
            title = plan.title(row.state)
            stage, nl, en = row.state, title.nl, title.en
        else:
            stage, nl, en = OWN, translate(OWN_STAGE_TITLE, "nl"), translate(OWN_STAGE_TITLE, "en")
        key = (row.district, row.neighbourhood, row.cbs_code, template, stage)
        found = merged.setdefault(key, [nl, en, 0, 0])
        found[2] += row.initiatives
        found[3] += int(row.paused or 0)
    return [
        CountRow(*key, nl, en, count, paused)
        for key, (nl, en, count, paused) in sorted(
            merged.items(), key=lambda kv: kv[0][:2] + kv[0][3:]
        )
    ]


def counts_csv(rows: list[CountRow], dutch: bool = True) -> str:
    """The counts as CSV: Dutch dialect (``;`` and a BOM) or plain (``,``)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dutch else ",", lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(["" if v is None else v for v in asdict(row).values()])
    return ("\ufeff" if dutch else "") + out.getvalue()
