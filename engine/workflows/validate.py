"""Check a parsed template document and build its :class:`WorkflowDef`.

The loader hands over mappings and lists that remember their lines (``line``, ``key_lines``,
``item_lines``); the checker walks them once, notes every problem with its line and builds the
definition from what it saw. Plain dicts and lists work too, with every problem on line 1.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from engine.guards import GUARDS, GuardSpec
from engine.workflows.definitions import (
    DECISION_DAYS,
    DECISION_RULES,
    PARTICIPATION_LEVELS,
    ROLES,
    STAGE_REMINDER_KINDS,
    TIMED_RULES,
    DecisionRule,
    GuardRef,
    StageDef,
    Text,
    TransitionDef,
    WorkflowDef,
)
from engine.workflows.reshape import reshaping_problems

IDENT = re.compile(r"[a-z][a-z0-9_]*\Z")
DEFAULT_ROLES = ("initiator", "member")
LANGUAGES = (("nl", "Dutch"), ("en", "English"))

# (required keys, optional keys) of each kind of mapping
WORKFLOW_KEYS = (
    {"name", "title", "description", "initial", "stages", "transitions"},
    {"min_members"},
)
STAGE_KEYS = (
    {"id", "title", "description", "participation", "municipality_role"},
    {"optional", "duration_days", "steps", "allow_insert_after", "final", "reminders"},
)
TRANSITION_KEYS = ({"trigger", "title", "source", "dest"}, {"roles", "guards", "decision"})
DECISION_KEYS = ({"rule"}, {"days", "quorum"})
#: how far from a deadline a reminder may be, in days (a year either way)
REMINDER_DAYS_LIMIT = 365


def is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# kind of scalar -> (test, what the author should write)
KINDS: dict[str, tuple[Callable[[Any], bool], str]] = {
    "flag": (lambda v: isinstance(v, bool), "true or false"),
    "count": (lambda v: is_int(v) and v >= 1, "a positive whole number"),
    "int": (is_int, "a whole number"),
    "ident": (
        lambda v: isinstance(v, str) and bool(IDENT.match(v)),
        "lower-case letters, digits and _, starting with a letter",
    ),
    "stage": (lambda v: isinstance(v, str), "a stage id"),
}


def line_of(node: Any) -> int:
    return getattr(node, "line", 1)


def key_line(data: dict, key: Any) -> int:
    """Return the line of a key of a mapping from the loader."""
    return getattr(data, "key_lines", {}).get(key, line_of(data))


def item_line(seq: list, index: int) -> int:
    """Return the line of an item of a list from the loader."""
    lines = getattr(seq, "item_lines", ())
    return lines[index] if index < len(lines) else line_of(seq)


def show(value: Any) -> str:
    """Quote a value from the file the way the author wrote it."""
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "nothing"}[value]
    if isinstance(value, dict | list):
        return "a mapping" if isinstance(value, dict) else "a list"
    return str(value)


@dataclass
class Where:
    """Where the parts of one transition are, for the checks across stages and transitions."""

    what: str
    trigger: int
    sources: list[tuple[str, int]] = field(default_factory=list)
    dest: int | None = None


class Checker:
    """Collect problems as ``(line, message)`` while building a definition."""

    def __init__(self) -> None:
        self.problems: list[tuple[int, str]] = []
        self.finals_unknown = False  # a `final` flag was not true or false

    def report(self, line: int, message: str) -> None:
        self.problems.append((line, message))

    # -- shapes and scalars -----------------------------------------------------------------

    def keys(self, data: dict, what: str, spec: tuple[set[str], set[str]]) -> None:
        required, optional = spec
        for key in data:
            if key not in required and key not in optional:
                self.report(key_line(data, key), f"unknown key '{key}' in {what}")
        for key in sorted(required - data.keys()):
            self.report(line_of(data), f"missing key '{key}' in {what}")

    def shape(self, value: Any, kind: type, line: int, what: str) -> Any:
        if isinstance(value, kind):
            return value
        noun = "a mapping" if kind is dict else "a list"
        self.report(line, f"{what} must be {noun}, got {show(value)}")
        return None

    def value(self, data: dict, key: str, what: str, kind: str, default: Any = None) -> Any:
        """Return ``data[key]`` if it is of the kind, else report it; absent or null: default."""
        value = data.get(key)
        if value is None:
            return default
        test, expected = KINDS[kind]
        if test(value):
            return value
        self.report(key_line(data, key), f"{key} of {what} must be {expected}, got {show(value)}")
        return default

    def choice(self, value: Any, line: int, what: str, noun: str, allowed: tuple) -> Any:
        if value not in allowed:
            expected = ", ".join(allowed)
            self.report(
                line, f"unknown {noun} {show(value)} in {what} (expected one of: {expected})"
            )
        return value

    def text(self, value: Any, line: int, what: str) -> Text:
        if not isinstance(value, dict):
            self.report(line, f"{what} must be a mapping with nl and en texts, got {show(value)}")
            return Text("", "")
        self.keys(value, what, (set(), {"nl", "en"}))
        texts = {}
        for lang, language in LANGUAGES:
            text = value.get(lang)
            if lang not in value:
                self.report(line_of(value), f"missing {language} ({lang}) text in {what}")
            elif text is None or (isinstance(text, str) and not text.strip()):
                self.report(key_line(value, lang), f"empty {language} ({lang}) text in {what}")
            elif not isinstance(text, str):
                self.report(key_line(value, lang), f"{language} ({lang}) text in {what} is no text")
            texts[lang] = text.strip() if isinstance(text, str) else ""
        return Text(texts["nl"], texts["en"])

    def field_text(self, data: dict, key: str, what: str) -> Text:
        if key not in data:
            return Text("", "")  # reported as a missing key
        return self.text(data[key], key_line(data, key), f"{key} of {what}")

    # -- stages -----------------------------------------------------------------------------

    def stage(self, data: dict, index: int) -> StageDef:
        stage_id = self.value(data, "id", f"stage {index}", "ident")
        what = f"stage '{stage_id}'" if stage_id else f"stage {index}"
        self.keys(data, what, STAGE_KEYS)
        level, line = data.get("participation"), key_line(data, "participation")
        if "participation" in data:
            self.choice(level, line, what, "participation level", PARTICIPATION_LEVELS)
        final = self.value(data, "final", what, "flag", None)
        self.finals_unknown |= final is None and data.get("final") is not None
        steps: list[Text] = []
        if data.get("steps") is not None:
            seq = self.shape(data["steps"], list, key_line(data, "steps"), f"steps of {what}")
            for i, step in enumerate(seq or ()):
                steps.append(self.text(step, item_line(seq, i), f"step {i + 1} of {what}"))
        return StageDef(
            id=stage_id or "",
            title=self.field_text(data, "title", what),
            description=self.field_text(data, "description", what),
            participation=level or "",  # a missing or unknown level is reported above
            municipality_role=self.field_text(data, "municipality_role", what),
            optional=self.value(data, "optional", what, "flag", False),
            duration_days=self.value(data, "duration_days", what, "count"),
            steps=tuple(steps),
            allow_insert_after=self.value(data, "allow_insert_after", what, "flag", False),
            final=bool(final),
            reminders=self.reminders(data, what),
        )

    def reminders(self, data: dict, what: str) -> tuple[tuple[str, tuple[int, ...]], ...] | None:
        """``reminders: {step_due: [7, 1, 0, -1], stage_target: [14, 1, -1]}``."""
        if data.get("reminders") is None:
            return None
        label = f"reminders of {what}"
        spec = self.shape(data["reminders"], dict, key_line(data, "reminders"), label)
        if spec is None:
            return None
        rules: list[tuple[str, tuple[int, ...]]] = []
        for kind, days in spec.items():
            line = key_line(spec, kind)
            if kind not in STAGE_REMINDER_KINDS:
                self.choice(kind, line, label, "reminder kind", STAGE_REMINDER_KINDS)
                continue
            rules.append((kind, self.reminder_days(days, line, f"{kind} in {label}")))
        return tuple(rules)

    def reminder_days(self, days: Any, line: int, what: str) -> tuple[int, ...]:
        if not isinstance(days, list):
            self.report(line, f"{what} must be a list of days, e.g. [7, 1, 0, -1]")
            return ()
        seen: set[int] = set()
        for i, day in enumerate(days):
            day_line = item_line(days, i)
            if not is_int(day) or abs(day) > REMINDER_DAYS_LIMIT:
                self.report(
                    day_line,
                    f"{what}: a day must be a whole number from -{REMINDER_DAYS_LIMIT} to "
                    f"{REMINDER_DAYS_LIMIT} (days before; negative = overdue), got {show(day)}",
                )
            elif day in seen:
                self.report(day_line, f"{what}: day {day} is listed twice")
            else:
                seen.add(day)
        return tuple(sorted(seen, reverse=True))

    # -- transitions ------------------------------------------------------------------------

    def transition(self, data: dict, index: int) -> tuple[TransitionDef, Where]:
        trigger = self.value(data, "trigger", f"transition {index}", "ident")
        what = f"transition '{trigger}'" if trigger else f"transition {index}"
        self.keys(data, what, TRANSITION_KEYS)
        where = Where(what, key_line(data, "trigger"), self.sources(data, what))
        dest = self.value(data, "dest", what, "stage")
        if dest is not None:
            where.dest = key_line(data, "dest")
        transition = TransitionDef(
            trigger=trigger or "",
            title=self.field_text(data, "title", what),
            sources=tuple(s for s, _ in where.sources),
            dest=dest or "",
            roles=self.roles(data, what),
            guards=self.guards(data, what),
            decision=self.decision(data, what),
        )
        return transition, where

    def sources(self, data: dict, what: str) -> list[tuple[str, int]]:
        value, line = data.get("source"), key_line(data, "source")
        if value is None:
            return []  # reported as a missing key
        if isinstance(value, str):
            return [(value, line)]
        if isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            return [(v, item_line(value, i)) for i, v in enumerate(value)]
        self.report(line, f"source of {what} must be a stage id or a list of stage ids")
        return []

    def roles(self, data: dict, what: str) -> tuple[str, ...]:
        if data.get("roles") is None:
            return DEFAULT_ROLES
        seq = self.shape(data["roles"], list, key_line(data, "roles"), f"roles of {what}")
        if seq is None:
            return DEFAULT_ROLES
        if not seq:
            self.report(key_line(data, "roles"), f"roles of {what} must name at least one role")
        for i, role in enumerate(seq):
            self.choice(role, item_line(seq, i), what, "role", ROLES)
        return tuple(seq)

    def guards(self, data: dict, what: str) -> tuple[GuardRef, ...]:
        if data.get("guards") is None:
            return ()
        seq = self.shape(data["guards"], list, key_line(data, "guards"), f"guards of {what}")
        refs = (self.guard(item, item_line(seq, i), what) for i, item in enumerate(seq or ()))
        return tuple(ref for ref in refs if ref is not None)

    def guard(self, item: Any, line: int, what: str) -> GuardRef | None:
        name: Any = item
        args: Any = {}
        if isinstance(item, dict) and len(item) == 1:
            ((name, args),) = item.items()
            args = {} if args is None else args
        if not isinstance(name, str) or not isinstance(args, dict):
            self.report(line, f"a guard in {what} must be a name or {{name: {{argument: value}}}}")
            return None
        spec = GUARDS.get(name)
        if spec is None:
            self.report(line, f"unknown guard '{name}' in {what} (known: {', '.join(GUARDS)})")
            return None
        for arg, value in args.items():
            self.guard_arg(spec, arg, value, key_line(args, arg), what)
        for arg, param in spec.params.items():
            if param.required and arg not in args:
                self.report(
                    getattr(args, "line", line),
                    f"missing argument '{arg}' for guard '{name}' in {what}",
                )
        return GuardRef(name, tuple(sorted(args.items(), key=lambda kv: str(kv[0]))))

    def guard_arg(self, spec: GuardSpec, arg: Any, value: Any, line: int, what: str) -> None:
        param = spec.params.get(arg)
        where = f"argument '{arg}' of guard '{spec.name}' in {what}"
        kind = {int: "int", bool: "flag"}.get(param.type) if param else None
        if param is None:
            self.report(line, f"unknown argument '{arg}' for guard '{spec.name}' in {what}")
        elif kind and not KINDS[kind][0](value):
            self.report(line, f"{where} must be {KINDS[kind][1]}, got {show(value)}")
        elif not kind and not isinstance(value, param.type):
            self.report(line, f"{where} must be {param.type.__name__}, got {show(value)}")
        elif param.minimum is not None and value < param.minimum:
            self.report(line, f"{where} must be at least {param.minimum}, got {show(value)}")

    def decision(self, data: dict, what: str) -> DecisionRule | None:
        if data.get("decision") is None:
            return None
        label = f"decision of {what}"
        dec = self.shape(data["decision"], dict, key_line(data, "decision"), label)
        if dec is None:
            return None
        self.keys(dec, label, DECISION_KEYS)
        rule = dec.get("rule")
        if "rule" in dec:
            self.choice(rule, key_line(dec, "rule"), what, "decision rule", DECISION_RULES)
        return DecisionRule(rule, self.decision_days(dec, rule, what), self.quorum(dec, rule, what))

    def decision_days(self, dec: dict, rule: Any, what: str) -> int:
        days = dec.get("days")
        if days is None:
            return DECISION_DAYS
        if rule not in TIMED_RULES:
            self.report(
                key_line(dec, "days"),
                f"days only apply to the consent and majority rules, in {what}",
            )
        elif not is_int(days) or days < 1:
            self.report(
                key_line(dec, "days"),
                f"{rule} days in {what} must be at least 1, got {show(days)}",
            )
        return days if is_int(days) else DECISION_DAYS

    def quorum(self, dec: dict, rule: Any, what: str) -> int | None:
        quorum = dec.get("quorum")
        if quorum is None:
            return None
        if rule != "majority":
            self.report(
                key_line(dec, "quorum"), f"quorum only applies to the majority rule, in {what}"
            )
        elif not is_int(quorum) or not 1 <= quorum <= 100:
            self.report(
                key_line(dec, "quorum"),
                f"quorum in {what} must be a percentage from 1 to 100, got {show(quorum)}",
            )
        return quorum if is_int(quorum) else None


def check_document(data: Any) -> tuple[WorkflowDef | None, list[tuple[int, str]]]:
    """Check a parsed template; return the definition (or ``None``) and its problems."""
    checker = Checker()
    if not isinstance(data, dict):
        checker.report(
            line_of(data), f"the top level must be a mapping of workflow keys, got {show(data)}"
        )
        return None, checker.problems
    defn = _check_workflow(checker, data)
    return (None if checker.problems else defn), checker.problems


def _check_workflow(checker: Checker, data: dict) -> WorkflowDef:
    checker.keys(data, "workflow", WORKFLOW_KEYS)
    defn = WorkflowDef(
        name=checker.value(data, "name", "workflow", "ident") or "",
        title=checker.field_text(data, "title", "workflow"),
        description=checker.field_text(data, "description", "workflow"),
        initial=checker.value(data, "initial", "workflow", "stage") or "",
        stages=(),
        transitions=(),
        min_members=checker.value(data, "min_members", "workflow", "count", 1),
    )
    stages: list[StageDef] = []
    stage_lines: dict[str, int] = {}  # id -> line of its first definition
    stage_items: dict[str, dict] = {}  # id -> its mapping, for the lines of its keys
    if "stages" in data:
        seq = checker.shape(data["stages"], list, key_line(data, "stages"), "stages")
        if seq is not None and not seq:
            checker.report(key_line(data, "stages"), "stages must list at least one stage")
        for i, item in enumerate(seq or ()):
            if checker.shape(item, dict, item_line(seq, i), f"stage {i + 1}") is None:
                continue
            stages.append(checker.stage(item, i + 1))
            stage_id, line = stages[-1].id, key_line(item, "id")
            if stage_id in stage_lines:
                first = stage_lines[stage_id]
                checker.report(
                    line, f"duplicate stage id '{stage_id}' (first defined on line {first})"
                )
            elif stage_id:
                stage_lines[stage_id] = line
                stage_items[stage_id] = item
    transitions: list[tuple[TransitionDef, Where]] = []
    if "transitions" in data:
        seq = checker.shape(data["transitions"], list, key_line(data, "transitions"), "transitions")
        for i, item in enumerate(seq or ()):
            if checker.shape(item, dict, item_line(seq, i), f"transition {i + 1}") is not None:
                transitions.append(checker.transition(item, i + 1))

    edges = _check_references(checker, stages, stage_lines, transitions)
    if edges is not None and not checker.finals_unknown:
        _check_reachability(checker, data, defn.initial, stages, stage_lines, edges)
    defn = replace(defn, stages=tuple(stages), transitions=tuple(t for t, _ in transitions))
    if not checker.problems:  # the graph is sound: would the residents' changes keep it so?
        for stage_id, key, message in reshaping_problems(defn):
            checker.report(key_line(stage_items[stage_id], key), message)
    return defn


def _check_references(
    checker: Checker,
    stages: list[StageDef],
    stage_lines: dict[str, int],
    transitions: list[tuple[TransitionDef, Where]],
) -> list[tuple[str, str]] | None:
    """Check that transitions name stages and leave no final stage; return the graph's edges.

    Return ``None`` when a transition names no stage: the graph is then not worth checking.
    """
    finals = {s.id for s in stages if s.final}
    edges: list[tuple[str, str]] = []
    complete = True
    first_use: dict[tuple[str, str], int] = {}  # (trigger, source) -> line
    for transition, where in transitions:
        dest_ok = transition.dest in stage_lines
        if where.dest is not None and not dest_ok:
            checker.report(where.dest, f"dest '{transition.dest}' of {where.what} is not a stage")
        complete = complete and dest_ok and bool(where.sources)
        for source, line in where.sources:
            if source not in stage_lines:
                checker.report(line, f"source '{source}' of {where.what} is not a stage")
                complete = False
                continue
            if source in finals:
                checker.report(line, f"final stage '{source}' has an outgoing {where.what}")
            key = (transition.trigger, source)
            if transition.trigger and key in first_use:
                checker.report(
                    where.trigger,
                    f"duplicate trigger '{transition.trigger}' from stage '{source}' "
                    f"(first on line {first_use[key]})",
                )
            first_use.setdefault(key, where.trigger)
            if dest_ok:
                edges.append((source, transition.dest))
    return edges if complete else None


def _check_reachability(
    checker: Checker,
    data: dict,
    initial: str,
    stages: list[StageDef],
    stage_lines: dict[str, int],
    edges: list[tuple[str, str]],
) -> None:
    """Check that every stage can be reached from the initial one and can reach a final one."""
    if initial and initial not in stage_lines:
        checker.report(key_line(data, "initial"), f"initial stage '{initial}' is not a stage")
    elif initial:
        reached = _reachable({initial}, edges)
        for stage_id, line in stage_lines.items():
            if stage_id not in reached:
                checker.report(line, f"stage '{stage_id}' cannot be reached from '{initial}'")
    finals = {s.id for s in stages if s.final and s.id}
    if stages and not finals:
        checker.report(key_line(data, "stages"), "no stage is marked final: true")
    elif finals:
        leads_to_end = _reachable(finals, [(b, a) for a, b in edges])
        for stage_id, line in stage_lines.items():
            if stage_id not in leads_to_end:
                checker.report(line, f"no final stage can be reached from stage '{stage_id}'")


def _reachable(start: set[str], edges: list[tuple[str, str]]) -> set[str]:
    following: dict[str, list[str]] = {}
    for a, b in edges:
        following.setdefault(a, []).append(b)
    seen = set(start)
    queue = deque(start)
    while queue:
        for nxt in following.get(queue.popleft(), ()):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen
