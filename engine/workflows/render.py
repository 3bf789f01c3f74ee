"""Show a process template to a person: as plain text, or as a Mermaid state diagram."""

from __future__ import annotations

import re
import textwrap

from engine.guards import GUARDS, guard_kwargs
from engine.i18n import Msg, msg, nmsg, translate
from engine.wording import PARTICIPATION, role_words
from engine.workflows.definitions import GuardRef, StageDef, TransitionDef, WorkflowDef

#: the headings and words of the text form (rendered in the reader's language)
LABELS: dict[str, Msg] = {
    "template": msg("Process template"),
    "starts_at": msg("Starts at"),
    "min_members": msg("Minimum number of members"),
    "stages": msg("Stages"),
    "transitions": msg("Transitions"),
    "participation": msg("Participation"),
    "municipality": msg("Municipality's role"),
    "optional": msg("optional"),
    "final": msg("final stage"),
    "steps": msg("Suggested steps"),
    "insert_after": msg("Residents may insert a stage of their own after this one."),
    "who": msg("Who"),
    "guards": msg("Conditions"),
    "decision": msg("Decision"),
    "none": msg("none"),
}

WIDTH = 88


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]


def _locale(locale: str) -> str:
    return "en" if locale == "en" else "nl"


def _label(key: str, locale: str) -> str:
    return translate(LABELS[key], locale)


def _participation(level: str, locale: str) -> str:
    # templates name a rung by its Dutch word; other languages add their own word before it
    words = PARTICIPATION.get(level)
    shown = translate(words.noun, locale) if words is not None else level
    return shown if shown == level else f"{shown} ({level})"


def _days(days: int, locale: str) -> str:
    return translate(nmsg("about %(num)d day", "about %(num)d days", days), locale)


def describe_guard(ref: GuardRef, locale: str = "nl") -> str:
    """Return a guard's name in words, with its arguments (defaults filled in)."""
    spec = GUARDS.get(ref.name)
    if spec is None:
        return ref.name
    args = guard_kwargs(ref)
    shown = ", ".join(
        f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in args.items()
    )
    label = translate(spec.description, locale)
    return f"{label} ({shown})" if shown else label


def describe_decision(transition: TransitionDef, locale: str = "nl") -> str | None:
    """Return how the group decides before the transition fires, in words."""
    decision = transition.decision
    if decision is None:
        return None
    if decision.rule == "initiators":
        words = msg("the initiators decide")
    elif decision.rule == "majority" and decision.quorum is not None:
        words = nmsg(
            "majority of the votes, open for %(num)d day; at least %(quorum)d%% of the group "
            "must vote",
            "majority of the votes, open for %(num)d days; at least %(quorum)d%% of the group "
            "must vote",
            decision.days,
            quorum=decision.quorum,
        )
    elif decision.rule == "majority":
        words = nmsg(
            "majority of the votes, open for %(num)d day; more than half of the group must vote",
            "majority of the votes, open for %(num)d days; more than half of the group must vote",
            decision.days,
        )
    elif decision.rule == "consent":
        words = nmsg(
            "consent: adopted unless someone objects within %(num)d day",
            "consent: adopted unless someone objects within %(num)d days",
            decision.days or 0,
        )
    else:
        return decision.rule
    return translate(words, _locale(locale))


def render_text(defn: WorkflowDef, locale: str = "nl") -> str:
    """Render a template as readable text: its stages in order, then its transitions."""
    loc = _locale(locale)
    starts_at = _label("starts_at", loc)
    lines = [
        f"{_label('template', loc)}: {defn.title.get(loc)} ({defn.name})",
        *_wrap(defn.description.get(loc)),
        "",
        f"{starts_at}: {defn.stage(defn.initial).title.get(loc)} ({defn.initial})"
        if defn.initial in defn.stage_ids
        else f"{starts_at}: {defn.initial}",
        f"{_label('min_members', loc)}: {defn.min_members}",
        "",
        _label("stages", loc),
    ]
    for number, stage in enumerate(defn.stages, start=1):
        lines += _stage_lines(number, stage, loc)
    lines += ["", _label("transitions", loc)]
    titles = {s.id: s.title.get(loc) for s in defn.stages}
    for transition in defn.transitions:
        lines += _transition_lines(transition, titles, loc)
    return "\n".join(lines).rstrip() + "\n"


def _stage_lines(number: int, stage: StageDef, loc: str) -> list[str]:
    markers = []
    if stage.optional:
        markers.append(_label("optional", loc))
    if stage.final:
        markers.append(_label("final", loc))
    if stage.duration_days:
        markers.append(_days(stage.duration_days, loc))
    heading = f"{number}. {stage.title.get(loc)} ({stage.id})"
    if markers:
        heading += " — " + ", ".join(markers)
    lines = [
        "",
        heading,
        *_wrap(stage.description.get(loc), "   "),
        f"   {_label('participation', loc)}: {_participation(stage.participation, loc)}",
        *_wrap(f"{_label('municipality', loc)}: {stage.municipality_role.get(loc)}", "   "),
    ]
    if stage.steps:
        lines.append(f"   {_label('steps', loc)}:")
        for step in stage.steps:
            wrapped = _wrap(step.get(loc), "     ")
            lines += [f"   - {wrapped[0].lstrip()}", *wrapped[1:]]
    if stage.allow_insert_after:
        lines.append(f"   {_label('insert_after', loc)}")
    return lines


def _transition_lines(transition: TransitionDef, titles: dict[str, str], loc: str) -> list[str]:
    sources = ", ".join(titles.get(s, s) for s in transition.sources)
    roles = ", ".join(translate(role_words(r).plural, loc) for r in transition.roles)
    guards = "; ".join(describe_guard(g, loc) for g in transition.guards) or _label("none", loc)
    lines = [
        "",
        f"- {transition.title.get(loc)} ({transition.trigger})",
        f"  {sources} → {titles.get(transition.dest, transition.dest)}",
        f"  {_label('who', loc)}: {roles}",
        *_wrap(f"{_label('guards', loc)}: {guards}", "  "),
    ]
    decision = describe_decision(transition, loc)
    if decision:
        lines += _wrap(f"{_label('decision', loc)}: {decision}", "  ")
    return lines


# -- Mermaid ---------------------------------------------------------------------------------

# words that Mermaid's state diagram grammar reads as keywords, not as state ids
_MERMAID_KEYWORDS = {"state", "note", "end", "direction", "class", "classdef", "style", "as"}


_MERMAID_ESCAPES = {
    "#": "#35;",
    '"': "#quot;",
    ";": "#59;",
    ":": "#58;",
    "<": "#lt;",
    ">": "#gt;",
    "{": "#123;",
    "}": "#125;",
}


def mermaid_id(stage_id: str) -> str:
    """Return a state id Mermaid accepts for a stage id."""
    safe = re.sub(r"[^A-Za-z0-9_]", "_", stage_id) or "_"
    if safe[0].isdigit() or safe.lower() in _MERMAID_KEYWORDS:
        safe = f"s_{safe}"
    return safe


def mermaid_text(text: str) -> str:
    """Escape a label for a quoted Mermaid description (entity codes, one line)."""
    return "".join(_MERMAID_ESCAPES.get(char, char) for char in " ".join(text.split()))


def render_mermaid(defn: WorkflowDef, locale: str = "nl") -> str:
    """Render a template as a Mermaid ``stateDiagram-v2``."""
    loc = _locale(locale)
    optional = _label("optional", loc)
    lines = ["stateDiagram-v2"]
    for stage in defn.stages:
        title = stage.title.get(loc) + (f" ({optional})" if stage.optional else "")
        lines.append(f'    state "{mermaid_text(title)}" as {mermaid_id(stage.id)}')
    lines.append(f"    [*] --> {mermaid_id(defn.initial)}")
    for transition in defn.transitions:
        for source in transition.sources:
            label = mermaid_text(transition.trigger)
            lines.append(f"    {mermaid_id(source)} --> {mermaid_id(transition.dest)} : {label}")
    for stage in defn.stages:
        if stage.final:
            lines.append(f"    {mermaid_id(stage.id)} --> [*]")
    return "\n".join(lines) + "\n"
