"""Show a process template to a person: as plain text, or as a Mermaid state diagram."""

from __future__ import annotations

import re
import textwrap

from engine.guards import GUARDS, guard_kwargs
from engine.workflows.definitions import GuardRef, StageDef, TransitionDef, WorkflowDef

LABELS = {
    "nl": {
        "template": "Procesjabloon",
        "starts_at": "Begint bij",
        "min_members": "Minimaal aantal leden",
        "stages": "Fasen",
        "transitions": "Overgangen",
        "participation": "Participatie",
        "municipality": "Rol van de gemeente",
        "optional": "optioneel",
        "final": "eindfase",
        "days": "± {n} dagen",
        "steps": "Voorgestelde stappen",
        "insert_after": "Bewoners mogen na deze fase een eigen fase invoegen.",
        "who": "Wie",
        "guards": "Voorwaarden",
        "decision": "Besluit",
        "none": "geen",
    },
    "en": {
        "template": "Process template",
        "starts_at": "Starts at",
        "min_members": "Minimum number of members",
        "stages": "Stages",
        "transitions": "Transitions",
        "participation": "Participation",
        "municipality": "Municipality's role",
        "optional": "optional",
        "final": "final stage",
        "days": "about {n} days",
        "steps": "Suggested steps",
        "insert_after": "Residents may insert a stage of their own after this one.",
        "who": "Who",
        "guards": "Conditions",
        "decision": "Decision",
        "none": "none",
    },
}

ROLE_NAMES = {
    "nl": {
        "initiator": "initiatiefnemers",
        "member": "leden",
        "partner": "partners",
        "coach": "procesbegeleider",
    },
    "en": {"initiator": "initiators", "member": "members", "partner": "partners", "coach": "coach"},
}

PARTICIPATION_NAMES_EN = {
    "informeren": "inform",
    "raadplegen": "consult",
    "adviseren": "advise",
    "coproduceren": "co-produce",
    "meebeslissen": "co-decide",
    "zelfbeheer": "self-management",
}

DECISIONS = {
    "nl": {
        "initiators": "de initiatiefnemers besluiten",
        "majority": "meerderheid van de leden",
        "consent": "consent: aangenomen tenzij iemand binnen {days} dagen bezwaar maakt",
    },
    "en": {
        "initiators": "the initiators decide",
        "majority": "majority of the members",
        "consent": "consent: adopted unless someone objects within {days} days",
    },
}


WIDTH = 88


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, WIDTH, initial_indent=indent, subsequent_indent=indent) or [""]


def _locale(locale: str) -> str:
    return "en" if locale == "en" else "nl"


def _participation(level: str, locale: str) -> str:
    if locale == "en" and level in PARTICIPATION_NAMES_EN:
        return f"{PARTICIPATION_NAMES_EN[level]} ({level})"
    return level


def describe_guard(ref: GuardRef, locale: str = "nl") -> str:
    """Return a guard's name in words, with its arguments (defaults filled in)."""
    spec = GUARDS.get(ref.name)
    if spec is None:
        return ref.name
    args = guard_kwargs(ref)
    shown = ", ".join(
        f"{k}={str(v).lower() if isinstance(v, bool) else v}" for k, v in args.items()
    )
    label = spec.description.get(locale)
    return f"{label} ({shown})" if shown else label


def describe_decision(transition: TransitionDef, locale: str = "nl") -> str | None:
    """Return how the group decides before the transition fires, in words."""
    decision = transition.decision
    if decision is None:
        return None
    template = DECISIONS[_locale(locale)].get(decision.rule, decision.rule)
    return template.format(days=decision.days)


def render_text(defn: WorkflowDef, locale: str = "nl") -> str:
    """Render a template as readable text: its stages in order, then its transitions."""
    loc = _locale(locale)
    lab = LABELS[loc]
    lines = [
        f"{lab['template']}: {defn.title.get(loc)} ({defn.name})",
        *_wrap(defn.description.get(loc)),
        "",
        f"{lab['starts_at']}: {defn.stage(defn.initial).title.get(loc)} ({defn.initial})"
        if defn.initial in defn.stage_ids
        else f"{lab['starts_at']}: {defn.initial}",
        f"{lab['min_members']}: {defn.min_members}",
        "",
        f"{lab['stages']}",
    ]
    for number, stage in enumerate(defn.stages, start=1):
        lines += _stage_lines(number, stage, loc)
    lines += ["", lab["transitions"]]
    titles = {s.id: s.title.get(loc) for s in defn.stages}
    for transition in defn.transitions:
        lines += _transition_lines(transition, titles, loc)
    return "\n".join(lines).rstrip() + "\n"


def _stage_lines(number: int, stage: StageDef, loc: str) -> list[str]:
    lab = LABELS[loc]
    markers = []
    if stage.optional:
        markers.append(lab["optional"])
    if stage.final:
        markers.append(lab["final"])
    if stage.duration_days:
        markers.append(lab["days"].format(n=stage.duration_days))
    heading = f"{number}. {stage.title.get(loc)} ({stage.id})"
    if markers:
        heading += " — " + ", ".join(markers)
    lines = [
        "",
        heading,
        *_wrap(stage.description.get(loc), "   "),
        f"   {lab['participation']}: {_participation(stage.participation, loc)}",
        *_wrap(f"{lab['municipality']}: {stage.municipality_role.get(loc)}", "   "),
    ]
    if stage.steps:
        lines.append(f"   {lab['steps']}:")
        for step in stage.steps:
            wrapped = _wrap(step.get(loc), "     ")
            lines += [f"   - {wrapped[0].lstrip()}", *wrapped[1:]]
    if stage.allow_insert_after:
        lines.append(f"   {lab['insert_after']}")
    return lines


def _transition_lines(transition: TransitionDef, titles: dict[str, str], loc: str) -> list[str]:
    lab = LABELS[loc]
    sources = ", ".join(titles.get(s, s) for s in transition.sources)
    roles = ", ".join(ROLE_NAMES[loc].get(r, r) for r in transition.roles)
    guards = "; ".join(describe_guard(g, loc) for g in transition.guards) or lab["none"]
    lines = [
        "",
        f"- {transition.title.get(loc)} ({transition.trigger})",
        f"  {sources} → {titles.get(transition.dest, transition.dest)}",
        f"  {lab['who']}: {roles}",
        *_wrap(f"{lab['guards']}: {guards}", "  "),
    ]
    decision = describe_decision(transition, loc)
    if decision:
        lines += _wrap(f"{lab['decision']}: {decision}", "  ")
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
    optional = LABELS[loc]["optional"]
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
