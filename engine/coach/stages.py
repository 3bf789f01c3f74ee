"""What the coach's screens need to know about every template version: its stages in the
usual order, their titles and the final ones — read from the process plans of the versions.

The definitions come from the one definition cache (:mod:`engine.workflows.versions`): a
page reads the versions' hashes in one query and only an unseen hash costs another.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.i18n import Msg
from engine.models import WorkflowVersion
from engine.wording import STAGE_KINDS
from engine.workflows.definitions import Text
from engine.workflows.process_plan import ProcessPlan, process_plan
from engine.workflows.versions import definitions_by_hash

_W = WorkflowVersion.__table__.c


@dataclass(frozen=True)
class Versions:
    """Every stored template version: id → name, id → the template's own process plan."""

    names: dict[int, str]
    plans: dict[int, ProcessPlan]

    def is_final(self, version_id: int, state: str) -> bool:
        return self.plans[version_id].is_final(state)

    def workflows(self) -> list[tuple[str, Text]]:
        """Template names with the title of their newest version, by name."""
        newest: dict[str, tuple[int, Text]] = {}
        for vid, name in self.names.items():
            if name not in newest or vid > newest[name][0]:
                newest[name] = (vid, self.plans[vid].definition.title)
        return [(name, title) for name, (_, title) in sorted(newest.items())]

    def stages(self) -> list[tuple[str, Text | Msg]]:
        """Every template stage id with a title, in the usual order of a process: across
        templates a stage is named by its kind (one template's name would mislabel the
        others'), or by its templates' own title where they all agree."""
        rank: dict[str, float] = {}
        titles: dict[str, Text | Msg] = {}
        named: dict[str, dict[str, Text]] = {}  # stage → template → its newest title
        for vid in sorted(self.plans, reverse=True):  # newest versions name the stages
            plan = self.plans[vid]
            for i, key in enumerate(plan.stages):
                position = i / max(len(plan.stages) - 1, 1)
                rank[key] = min(rank.get(key, position), position)
                titles.setdefault(key, plan.title(key))
                named.setdefault(key, {}).setdefault(self.names[vid], plan.title(key))
        for key, by_template in named.items():
            if key in STAGE_KINDS and len(set(by_template.values())) > 1:
                titles[key] = STAGE_KINDS[key]
        return [(key, titles[key]) for key in sorted(rank, key=lambda k: (rank[k], k))]

    def stages_by_template(self) -> list[tuple[str, Text, list[tuple[str, Text]]]]:
        """Each template (name, title) with its own stages and titles, from its newest
        version, by name."""
        newest: dict[str, int] = {}
        for vid, name in self.names.items():
            newest[name] = max(vid, newest.get(name, vid))
        return [
            (name, self.plans[vid].definition.title,
             [(key, self.plans[vid].title(key)) for key in self.plans[vid].stages])
            for name, vid in sorted(newest.items())
        ]  # fmt: skip

    def final_pairs(self) -> list[tuple[int, tuple[str, ...]]]:
        return [(vid, tuple(sorted(p.finals))) for vid, p in sorted(self.plans.items())]


def load_versions(session: Session) -> Versions:
    """Read the template versions (one query; one more only for versions not seen before)."""
    rows = session.execute(select(_W.id, _W.name, _W.content_hash).order_by(_W.id)).all()
    defs = definitions_by_hash(session, {r.content_hash for r in rows})
    return Versions(
        names={r.id: r.name for r in rows},
        plans={r.id: process_plan(r.content_hash, defs[r.content_hash]) for r in rows},
    )
