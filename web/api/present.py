"""The engine's views of things as the API's plain data (the shapes of ``web.api.schemas``)."""

from __future__ import annotations

from typing import Any

from engine.coach.caseload import CaseloadRow
from engine.decision_page import DecisionView
from engine.history import EventView
from engine.i18n import Msg, show_former
from engine.listing import Row
from engine.models import Step, SupportRequest
from engine.operations.transitions import Move
from engine.pages import InitiativePage, StageView
from engine.workflows.definitions import Text, WorkflowDef
from web.i18n import render_msg, translations


def text(value: Text | Msg | None) -> dict[str, str]:
    if isinstance(value, Text):
        return {"nl": value.nl, "en": value.en}
    if isinstance(value, Msg):
        from engine.i18n import translate

        return {"nl": translate(value, "nl"), "en": translate(value, "en")}
    return {"nl": "", "en": ""}


def who(name: str | None) -> str | None:
    """A person's name as the pages show it: a deleted account's as "voormalig lid" / "former
    member" in the request's language."""
    return show_former(name, translations())


def reason(message: Msg) -> dict[str, str]:
    return {"code": message.msgid, "message": render_msg(message)}


def template(defn: WorkflowDef, version: int) -> dict[str, Any]:
    finals = {s.id for s in defn.stages if s.final}
    return {
        "name": defn.name,
        "version": version,
        "title": text(defn.title),
        "description": text(defn.description),
        "initial": defn.initial,
        "min_members": defn.min_members,
        "stages": [
            {
                "key": s.id,
                "title": text(s.title),
                "description": text(s.description),
                "participation": s.participation,
                "municipality_role": text(s.municipality_role),
                "optional": s.optional,
                "final": s.id in finals,
                "duration_days": s.duration_days,
                "suggested_steps": [text(t) for t in s.steps],
            }  # fmt: skip
            for s in defn.stages
        ],
        "moves": [
            {
                "trigger": t.trigger,
                "title": text(t.title),
                "sources": list(t.sources),
                "dest": t.dest,
                "roles": list(t.roles),
                "guards": [{"name": g.name, "args": dict(g.args)} for g in t.guards],
                "decision_rule": t.decision.rule if t.decision else None,
            }  # fmt: skip
            for t in defn.transitions
        ],
    }


def row(r: Row) -> dict[str, Any]:
    return {
        "id": r.id, "title": r.title, "language": r.language, "stadsdeel": r.district,
        "wijk": r.neighbourhood, "template": r.workflow, "stage_title": text(r.stage_title),
        "is_paused": r.is_paused, "visibility": r.visibility,
    }  # fmt: skip


def step(s: Step, owner_name: str | None = None) -> dict[str, Any]:
    status = "done" if s.is_done else "closed" if s.closed_dt is not None else "open"
    return {
        "id": s.id, "stage": s.stage_key, "title": s.title, "position": s.position,
        "status": status, "owner_id": s.owner_id, "owner_name": who(owner_name),
        "due_date": s.due_date, "version": s.version,
    }  # fmt: skip


def _stage(v: StageView) -> dict[str, Any]:
    return {
        "key": v.key, "number": v.number, "title": text(v.title), "status": v.status,
        "is_custom": v.is_custom, "optional": v.optional, "participation": v.participation,
        "target_date": v.target_date,
        "steps": [step(s.step, s.owner_name) for s in v.steps],
    }  # fmt: skip


def move(m: Move) -> dict[str, Any]:
    return {
        "trigger": m.trigger, "title": text(m.title), "dest": m.dest, "roles": list(m.roles),
        "decision_rule": m.decision_rule,
        "decision_id": m.decision.id if m.decision is not None else None,
        "allowed": m.allowed, "reasons": [reason(r) for r in m.reasons],
    }  # fmt: skip


def decision(v: DecisionView) -> dict[str, Any]:
    d = v.decision
    return {
        "id": d.id, "trigger": d.trigger, "move_title": text(v.move_title), "rule": d.rule,
        "status": d.status, "question": d.question or "", "opened_by": who(v.opened_by_name),
        "opened_dt": d.opened_dt, "closes_dt": d.closes_dt, "closed_dt": d.closed_dt,
        "choices": list(v.choices), "electorate": v.electorate,
        "ballots": [
            {"person_id": b.person_id, "name": who(b.name), "choice": b.choice,
             "cast_dt": b.cast_dt}
            for b in v.tally.ballots
        ],
        "my_choice": v.my_choice,
        "why_not": reason(v.why_not) if v.why_not is not None else None,
    }  # fmt: skip


def event(v: EventView) -> dict[str, Any]:
    e = v.event
    return {
        "id": e.id, "kind": e.kind, "created_dt": e.created_dt, "actor_id": e.actor_id,
        "actor_name": who(v.actor_name), "from_stage": e.from_stage, "to_stage": e.to_stage,
        "note": v.note,
    }  # fmt: skip


def initiative(page: InitiativePage) -> dict[str, Any]:
    i = page.initiative
    return {
        "id": i.id, "title": i.title, "description": i.description or "",
        "language": i.language, "stage": i.state, "version": i.version,
        "is_paused": i.is_paused, "visibility": i.visibility, "join_policy": i.join_policy,
        "template": page.workflow.name, "template_version": page.workflow_version,
        "stadsdeel": page.district, "wijk": page.neighbourhood, "my_role": page.role,
        "stages": [_stage(s) for s in page.stages],
        "moves": [move(m) for m in page.moves],
        "members": [
            {"person_id": m.person_id, "name": who(m.name), "role": m.role,
             "organisation": m.organisation, "joined_dt": m.joined_dt}
            for m in page.members
        ],  # fmt: skip
        "decisions": [decision(d) for d in page.decisions],
        "history": [event(e) for e in page.history.events],
    }  # fmt: skip


def support(r: SupportRequest) -> dict[str, Any]:
    return {
        "id": r.id, "initiative_id": r.initiative_id, "kind": r.kind,
        "description": r.description, "stage": r.stage_key, "status": r.status,
        "created_dt": r.created_dt, "respond_by_date": r.respond_by_date, "answer": r.answer,
        "delivered_note": r.delivered_note, "version": r.version,
    }  # fmt: skip


def caseload_row(r: CaseloadRow) -> dict[str, Any]:
    return {
        "id": r.id, "title": r.title, "stadsdeel": r.district, "wijk": r.neighbourhood,
        "template": r.workflow, "stage": r.stage_key, "stage_title": text(r.stage_title),
        "status": r.status, "days_in_stage": r.days_in_stage,
        "last_activity_dt": r.last_activity_dt, "overdue_steps": r.overdue_steps,
        "waiting_requests": r.waiting_requests, "respond_by": r.respond_by,
        "signals": [
            {"kind": s.kind, "level": s.level, "message": render_msg(s.reason)} for s in r.signals
        ],
        "coaches": [who(c) for c in r.coaches],
    }  # fmt: skip
