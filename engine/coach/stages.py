"""What the coach's screens need to know about templates: stage titles, order, final stages.

Stage facts are kept by a version's content hash, which never changes for a stored version: a
page reads the hash with its rows and only an unseen hash costs a query. The filters' lists
(and the "finished" status) read every version with :func:`load_versions`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import WorkflowVersion
from engine.workflows.definitions import Text
from engine.workflows.loader import from_dict

_W = WorkflowVersion.__table__.c


@dataclass(frozen=True)
class StageFacts:
    """The stages of one template version, in path order."""

    order: tuple[str, ...]
    titles: dict[str, Text]
    finals: frozenset[str]
    initial: str
    workflow_title: Text


@dataclass(frozen=True)
class Versions:
    """Every stored template version: id → name, id → stage facts."""

    names: dict[int, str]
    facts: dict[int, StageFacts]

    def is_final(self, version_id: int, state: str) -> bool:
        return state in self.facts[version_id].finals

    def workflows(self) -> list[tuple[str, Text]]:
        """Template names with the title of their newest version, by name."""
        newest: dict[str, tuple[int, Text]] = {}
        for vid, name in self.names.items():
            if name not in newest or vid > newest[name][0]:
                newest[name] = (vid, self.facts[vid].workflow_title)
        return [(name, title) for name, (_, title) in sorted(newest.items())]

    def stages(self) -> list[tuple[str, Text]]:
        """Every template stage id with a title, in the usual order of a process."""
        rank: dict[str, float] = {}
        titles: dict[str, Text] = {}
        for vid in sorted(self.facts, reverse=True):  # newest versions name the stages
            facts = self.facts[vid]
            for i, key in enumerate(facts.order):
                position = i / max(len(facts.order) - 1, 1)
                rank[key] = min(rank.get(key, position), position)
                titles.setdefault(key, facts.titles[key])
        return [(key, titles[key]) for key in sorted(rank, key=lambda k: (rank[k], k))]

    def final_pairs(self) -> list[tuple[int, tuple[str, ...]]]:
        return [(vid, tuple(sorted(f.finals))) for vid, f in sorted(self.facts.items())]


_cache: dict[str, StageFacts] = {}
_lock = threading.Lock()


def _facts_of(definition: dict) -> StageFacts:
    defn = from_dict(definition)
    return StageFacts(
        order=tuple(s.id for s in defn.stages),
        titles={s.id: s.title for s in defn.stages},
        finals=frozenset(s.id for s in defn.stages if s.final),
        initial=defn.initial,
        workflow_title=defn.title,
    )


def facts_by_hash(session: Session, digests: set[str]) -> dict[str, StageFacts]:
    """Stage facts of template versions by content hash; one query only for unseen hashes."""
    missing = [digest for digest in digests if digest not in _cache]
    if missing:
        found = session.execute(
            select(_W.content_hash, _W.definition).where(_W.content_hash.in_(missing))
        )
        with _lock:
            for digest, definition in found:
                _cache[digest] = _facts_of(definition)
    return _cache


def stage_title(facts: StageFacts, state: str, custom: str | None = None) -> Text:
    """A stage's title; the residents' own title for a stage they inserted."""
    found = facts.titles.get(state)
    if found is not None:
        return found
    return Text(custom or state, custom or state)


def load_versions(session: Session) -> Versions:
    """Read the template versions (one query; one more only for versions not seen before)."""
    rows = session.execute(select(_W.id, _W.name, _W.content_hash).order_by(_W.id)).all()
    facts_by_hash(session, {digest for _, _, digest in rows})
    return Versions(
        names={vid: name for vid, name, _ in rows},
        facts={vid: _cache[digest] for vid, _, digest in rows},
    )
