"""Load process templates from YAML, reporting every problem with its file and line.

``to_dict``/``from_dict`` turn a definition into plain JSON data and back, for storing the
version an initiative started on.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import yaml

from engine.workflows.definitions import (
    DECISION_DAYS,
    DecisionRule,
    GuardRef,
    StageDef,
    Text,
    TransitionDef,
    WorkflowDef,
)
from engine.workflows.validate import check_document, key_line


def shipped_workflows_dir() -> Path:
    """Return the folder of the templates that come with Verbinding.

    The top-level ``workflows/`` folder is their one source. A built package carries it as
    ``engine/shipped_workflows`` (mapped in setup.py); a source checkout, also one installed
    with ``pip install -e``, has no such folder and reads ``workflows/`` itself.
    """
    engine_dir = Path(__file__).parents[1]
    installed = engine_dir / "shipped_workflows"
    return installed if installed.is_dir() else engine_dir.parent / "workflows"


DEFAULT_WORKFLOWS_DIR = shipped_workflows_dir()


def workflows_dir(configured: Path | None = None) -> Path:
    """Return the folder of templates: the configured one (``Config.workflows_dir``, from
    ``VERBINDING_WORKFLOWS_DIR``) or the shipped one."""
    return Path(configured) if configured else DEFAULT_WORKFLOWS_DIR


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a template, where it is."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


# -- YAML with line numbers ------------------------------------------------------------------


class LineDict(dict):
    """A YAML mapping that remembers where it and each of its keys start (1-based lines)."""

    line: int = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines: dict[Any, int] = {}


class LineList(list):
    """A YAML sequence that remembers where it and each of its items start (1-based lines)."""

    line: int = 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.item_lines: list[int] = []


#: the largest template file read (``VERBINDING_WORKFLOW_MAX_BYTES``'s default)
MAX_BYTES = 1024 * 1024
#: how deep mappings and lists may nest (a real template needs about six levels; the parser
#: recurses per level, so a hostile file would otherwise exhaust the stack)
MAX_DEPTH = 50
#: the most digits a number may have (Python refuses to read ints past 4,300 digits)
MAX_DIGITS = 30


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings and lists know their lines; it notes duplicate keys and
    refuses nesting deeper than ``MAX_DEPTH`` and numbers longer than ``MAX_DIGITS``."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.problems: list[tuple[int, str]] = []
        self.depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        self.depth += 1
        try:
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    f"nesting deeper than {MAX_DEPTH} levels",
                    self.peek_event().start_mark,
                )
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_DIGITS:
            raise yaml.constructor.ConstructorError(
                None, None, f"a number with more than {MAX_DIGITS} digits", node.start_mark
            )
        return super().construct_yaml_int(node)


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    own_keys = {id(key) for key, _ in node.value}
    loader.flatten_mapping(node)  # resolves `<<` merge keys, which the mapping may override
    data = LineDict()
    data.line = node.start_mark.line + 1
    seen_own: set[Any] = set()
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            loader.problems.append((line, "a mapping key must be a plain name"))
            continue
        own = id(key_node) in own_keys
        if own and key in seen_own:
            first = data.key_lines[key]
            loader.problems.append((line, f"duplicate key '{key}' (first on line {first})"))
            continue
        data[key] = loader.construct_object(value_node, deep=True)
        data.key_lines[key] = line if own else data.line
        if own:
            seen_own.add(key)
    return data


def _construct_sequence(loader: _LineLoader, node: yaml.SequenceNode) -> LineList:
    items = LineList(loader.construct_object(child, deep=True) for child in node.value)
    items.line = node.start_mark.line + 1
    items.item_lines = [child.start_mark.line + 1 for child in node.value]
    return items


_LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)
_LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_sequence)
_LineLoader.add_constructor("tag:yaml.org,2002:int", _LineLoader.construct_yaml_int)


def _parse(text: str) -> tuple[bool, Any, list[tuple[int, str]]]:
    """Parse one YAML document into line-aware data; return whether it parsed, it, and problems."""
    try:
        loader = _LineLoader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        message = f"YAML syntax error: unacceptable character #x{exc.character:04x}"
        return False, None, [(line, message)]
    try:
        return True, loader.get_single_data(), loader.problems
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        syntax = not isinstance(exc, yaml.constructor.ConstructorError)
        message = f"YAML {'syntax ' if syntax else ''}error: {exc.problem or exc.context}"
        return False, None, [(line, message)]
    finally:
        loader.dispose()


# -- loading ---------------------------------------------------------------------------------


def _load(text: str, filename: str) -> tuple[WorkflowDef | None, list[Problem], int]:
    """Load a template; also return the line of its ``name`` (for duplicate names)."""
    parsed, data, found = _parse(text)
    defn = None
    if parsed:
        defn, more = check_document(data)
        found = found + more
    problems = [Problem(filename, line, message) for line, message in found]
    problems.sort(key=lambda p: p.line)
    name_line = key_line(data, "name") if isinstance(data, dict) else 1
    if problems or defn is None:  # no definition comes without a problem that says why
        return None, problems, name_line
    return replace(defn, source_path=filename), [], name_line


def load_workflow_text(text: str, filename: str) -> tuple[WorkflowDef | None, list[Problem]]:
    """Load a template from YAML text; return ``(definition, [])`` or ``(None, problems)``."""
    defn, problems, _ = _load(text, filename)
    return defn, problems


def load_workflow_file(
    path: str | os.PathLike[str], max_bytes: int = MAX_BYTES
) -> tuple[WorkflowDef | None, list[Problem]]:
    """Load a template from a YAML file; return ``(definition, [])`` or ``(None, problems)``."""
    defn, problems, _ = _load_file(Path(path), max_bytes)
    return defn, problems


def _load_file(
    path: Path, max_bytes: int = MAX_BYTES
) -> tuple[WorkflowDef | None, list[Problem], int]:
    """Load one file; whatever is wrong with it becomes a problem of that file, never an error
    that stops the others from being checked."""
    try:
        with path.open("rb") as stream:
            raw = stream.read(max_bytes + 1)
        if len(raw) > max_bytes:
            message = f"the file is larger than {max_bytes} bytes (VERBINDING_WORKFLOW_MAX_BYTES)"
            return None, [Problem(str(path), 1, message)], 1
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, [Problem(str(path), 1, f"cannot read the file: {exc}")], 1
    try:
        return _load(text, str(path))
    except (RecursionError, MemoryError, ValueError, TypeError) as exc:
        # a last guard: the limits above should catch a hostile file first
        return None, [Problem(str(path), 1, f"cannot check this file: {exc}")], 1


def load_files(
    paths: Iterable[str | os.PathLike[str]], max_bytes: int = MAX_BYTES
) -> tuple[dict[str, WorkflowDef], list[Problem], dict[str, list[Problem]]]:
    """Load several template files; a workflow name used twice is a problem.

    Return the valid definitions by name, all problems, and the problems per file.
    """
    by_name: dict[str, WorkflowDef] = {}
    per_file: dict[str, list[Problem]] = {}
    for raw in paths:
        path = Path(raw)
        defn, problems, name_line = _load_file(path, max_bytes)
        if defn is not None and defn.name in by_name:
            other = by_name[defn.name].source_path
            problems = [
                Problem(
                    str(path), name_line, f"duplicate workflow name '{defn.name}' (also in {other})"
                )
            ]
        elif defn is not None:
            by_name[defn.name] = defn
        per_file[str(path)] = problems
    all_problems = [p for problems in per_file.values() for p in problems]
    return by_name, all_problems, per_file


def template_files(directory: str | os.PathLike[str]) -> list[Path]:
    """Return the ``*.yaml`` files of a folder, in name order."""
    return sorted(p for p in Path(directory).glob("*.yaml") if p.is_file())


def load_directory(
    path: str | os.PathLike[str], max_bytes: int = MAX_BYTES
) -> tuple[dict[str, WorkflowDef], list[Problem]]:
    """Load every ``*.yaml`` template in a folder; return the valid ones by name, and problems."""
    by_name, problems, _ = load_files(template_files(path), max_bytes)
    return by_name, problems


# -- plain data for storage ------------------------------------------------------------------


def to_dict(defn: WorkflowDef) -> dict[str, Any]:
    """Return the definition as JSON-serialisable data in the shape of the YAML file."""
    return {
        "name": defn.name,
        "title": defn.title.as_dict(),
        "description": defn.description.as_dict(),
        "initial": defn.initial,
        "min_members": defn.min_members,
        "stages": [_stage_to_dict(s) for s in defn.stages],
        "transitions": [_transition_to_dict(t) for t in defn.transitions],
    }


def _stage_to_dict(stage: StageDef) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": stage.id,
        "title": stage.title.as_dict(),
        "description": stage.description.as_dict(),
        "participation": stage.participation,
        "municipality_role": stage.municipality_role.as_dict(),
        "optional": stage.optional,
        "steps": [step.as_dict() for step in stage.steps],
        "allow_insert_after": stage.allow_insert_after,
        "final": stage.final,
    }
    if stage.duration_days is not None:
        data["duration_days"] = stage.duration_days
    if stage.reminders is not None:
        # only when set, so the stored form (and hash) of templates without it stays the same
        data["reminders"] = {kind: list(days) for kind, days in stage.reminders}
    return data


def _transition_to_dict(transition: TransitionDef) -> dict[str, Any]:
    sources = transition.sources
    data: dict[str, Any] = {
        "trigger": transition.trigger,
        "title": transition.title.as_dict(),
        "source": sources[0] if len(sources) == 1 else list(sources),
        "dest": transition.dest,
        "roles": list(transition.roles),
        "guards": [{g.name: dict(g.args)} if g.args else g.name for g in transition.guards],
    }
    if transition.decision is not None:
        rule = transition.decision
        decision: dict[str, Any] = {"rule": rule.rule}
        # consent always carries its days; majority only what differs from the defaults, so the
        # stored form (and hash) of templates written before majority had days stays the same
        if rule.rule == "consent" or (rule.rule == "majority" and rule.days != DECISION_DAYS):
            decision["days"] = rule.days
        if rule.quorum is not None:
            decision["quorum"] = rule.quorum
        data["decision"] = decision
    return data


def _text(data: dict[str, str]) -> Text:
    return Text(data["nl"], data["en"])


def from_dict(data: dict[str, Any]) -> WorkflowDef:
    """Rebuild a definition from :func:`to_dict` data, trusting it (it was checked when stored)."""
    return WorkflowDef(
        name=data["name"],
        title=_text(data["title"]),
        description=_text(data["description"]),
        initial=data["initial"],
        min_members=data.get("min_members", 1),
        stages=tuple(_stage_from_dict(s) for s in data["stages"]),
        transitions=tuple(_transition_from_dict(t) for t in data["transitions"]),
    )


def _stage_from_dict(data: dict[str, Any]) -> StageDef:
    return StageDef(
        id=data["id"],
        title=_text(data["title"]),
        description=_text(data["description"]),
        participation=data["participation"],
        municipality_role=_text(data["municipality_role"]),
        optional=data.get("optional", False),
        duration_days=data.get("duration_days"),
        steps=tuple(_text(step) for step in data.get("steps") or ()),
        allow_insert_after=data.get("allow_insert_after", False),
        final=data.get("final", False),
        reminders=_reminders_from_data(data.get("reminders")),
    )


def _reminders_from_data(
    data: dict[str, Any] | None,
) -> tuple[tuple[str, tuple[int, ...]], ...] | None:
    if data is None:
        return None
    return tuple((kind, tuple(days)) for kind, days in data.items())


def _transition_from_dict(data: dict[str, Any]) -> TransitionDef:
    source = data["source"]
    decision = data.get("decision")
    return TransitionDef(
        trigger=data["trigger"],
        title=_text(data["title"]),
        sources=(source,) if isinstance(source, str) else tuple(source),
        dest=data["dest"],
        roles=tuple(data.get("roles") or ("initiator", "member")),
        guards=tuple(_guard_from_data(g) for g in data.get("guards") or ()),
        decision=DecisionRule(
            decision["rule"], decision.get("days", DECISION_DAYS), decision.get("quorum")
        )
        if decision
        else None,
    )


def _guard_from_data(item: str | dict[str, Any]) -> GuardRef:
    if isinstance(item, str):
        return GuardRef(item)
    ((name, args),) = item.items()
    return GuardRef(name, tuple(sorted((args or {}).items())))
