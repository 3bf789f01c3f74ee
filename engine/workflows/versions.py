"""Template versions in the database: a changed file becomes a new version, old ones stay."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Collection
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.config import config_of
from engine.errors import InvalidInput, NotFound
from engine.i18n import msg
from engine.models import WorkflowVersion
from engine.workflows.cache import BoundedCache
from engine.workflows.definitions import WorkflowDef
from engine.workflows.loader import from_dict, load_directory, to_dict, workflows_dir

log = logging.getLogger(__name__)

_W = WorkflowVersion.__table__.c

#: the one cache of parsed definitions, by content hash (a stored version never changes)
definitions: BoundedCache[str, WorkflowDef] = BoundedCache(maxsize=256)


def content_hash(data: dict) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def register_workflow(session: Session, defn: WorkflowDef, now: datetime) -> WorkflowVersion:
    """Store a definition as the next version of its template, unless it is already stored."""
    data = to_dict(defn)
    digest = content_hash(data)
    found = session.scalar(
        select(WorkflowVersion).where(
            WorkflowVersion.name == defn.name, WorkflowVersion.content_hash == digest
        )
    )
    if found is not None:
        return found
    latest = session.scalar(
        select(func.max(WorkflowVersion.version)).where(WorkflowVersion.name == defn.name)
    )
    row = WorkflowVersion(
        name=defn.name,
        version=(latest or 0) + 1,
        content_hash=digest,
        definition=data,
        created_dt=now,
    )
    session.add(row)
    session.flush()
    log.info("registered template %s version %d", defn.name, row.version)
    return row


def sync_workflows(session: Session, now: datetime, path=None) -> list[WorkflowVersion]:
    """Register every template file in the workflows folder; refuse if any is invalid."""
    config = config_of(session)
    defs, problems = load_directory(
        path or workflows_dir(config.workflows_dir), config.workflow_max_bytes
    )
    if problems:
        raise InvalidInput(
            msg("The process templates have problems; nothing was registered."),
            [msg("%(problem)s", problem=str(p)) for p in problems],
        )
    return [register_workflow(session, d, now) for d in defs.values()]


def latest_version(session: Session, name: str) -> WorkflowVersion:
    row = session.scalar(
        select(WorkflowVersion)
        .where(WorkflowVersion.name == name)
        .order_by(WorkflowVersion.version.desc())
        .limit(1)
    )
    if row is None:
        raise NotFound(msg("There is no process template called %(name)s.", name=name))
    return row


def latest_versions(session: Session) -> list[WorkflowVersion]:
    """The newest version of every template, by name."""
    newest = (
        select(WorkflowVersion.name, func.max(WorkflowVersion.version).label("v"))
        .group_by(WorkflowVersion.name)
        .subquery()
    )
    return list(
        session.scalars(
            select(WorkflowVersion)
            .join(
                newest,
                (WorkflowVersion.name == newest.c.name) & (WorkflowVersion.version == newest.c.v),
            )
            .order_by(WorkflowVersion.name)
        )
    )


def definition_of(row: WorkflowVersion) -> WorkflowDef:
    """The parsed definition of a stored version (cached by content, never changes)."""
    found = definitions.get(row.content_hash)
    if found is None:
        found = definitions.put(row.content_hash, from_dict(row.definition))
    return found


def definitions_by_hash(session: Session, digests: Collection[str]) -> dict[str, WorkflowDef]:
    """The definitions of some versions by content hash; one query, only for unseen hashes."""
    found: dict[str, WorkflowDef] = {}
    missing = []
    for digest in digests:
        defn = definitions.get(digest)
        if defn is None:
            missing.append(digest)
        else:
            found[digest] = defn
    if missing:
        rows = session.execute(
            select(_W.content_hash, _W.definition).where(_W.content_hash.in_(missing))
        )
        for digest, data in rows:
            found[digest] = definitions.put(digest, from_dict(data))
    return found


def definition_by_hash(session: Session, digest: str) -> WorkflowDef:
    found = definitions_by_hash(session, (digest,)).get(digest)
    if found is None:
        raise NotFound(msg("This process template version is unknown."))
    return found


def _known_hashes(session: Session) -> dict[int, str]:
    return session.info.setdefault("workflow_version_hashes", {})


def remember_hash(session: Session, version_id: int, digest: str) -> None:
    """Note a version's content hash read along with something else (an initiative page reads
    it with the place): :func:`definitions_by_id` then asks nothing for it."""
    _known_hashes(session)[version_id] = digest


def definitions_by_id(
    session: Session, version_ids: Collection[int]
) -> dict[int, tuple[str, WorkflowDef]]:
    """Content hash and definition of some versions by id, in one query (two for unseen ones).

    A stored version never changes its content, so the session remembers each id's hash: a
    page (or a move) asks for its initiative's definition several times, one query is enough.
    """
    if not version_ids:
        return {}
    known = _known_hashes(session)
    hashes = {vid: known[vid] for vid in version_ids if vid in known}
    unseen = [vid for vid in version_ids if vid not in known]
    if unseen:
        found = dict(session.execute(select(_W.id, _W.content_hash).where(_W.id.in_(unseen))).all())
        known.update(found)
        hashes.update(found)
    defs = definitions_by_hash(session, set(hashes.values()))
    return {vid: (digest, defs[digest]) for vid, digest in hashes.items()}


__all__ = [
    "content_hash",
    "definition_by_hash",
    "definition_of",
    "definitions",
    "definitions_by_hash",
    "definitions_by_id",
    "latest_version",
    "latest_versions",
    "register_workflow",
    "remember_hash",
    "sync_workflows",
]
