"""The `reminders:` key of a template stage: checked with line numbers, stored, and optional."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.reminders.rules import next_slot, stage_days
from engine.workflows.loader import from_dict, load_workflow_text, to_dict
from engine.workflows.versions import content_hash
from tests.engine.reminders.test_planner import RULED


def problems_of(text: str) -> list[str]:
    _, problems = load_workflow_text(text, "proef.yaml")
    return [str(p) for p in problems]


def test_a_stage_sets_its_days_and_the_rest_keep_the_defaults():
    defn, problems = load_workflow_text(RULED, "herinnerproef.yaml")
    assert problems == []
    assert defn.stage("proposal").reminders == (("step_due", (3, 0)), ("stage_target", ()))
    assert stage_days(defn, "proposal", "step_due") == (3, 0)
    assert stage_days(defn, "proposal", "stage_target") == ()
    assert stage_days(defn, "done", "step_due") == (7, 1, 0, -1)
    assert stage_days(defn, "own_1", "stage_target") == (14, 1, -1)  # a stage of the group's own


def test_mistakes_are_reported_with_their_lines():
    text = RULED.replace(
        "reminders: {step_due: [3, 0], stage_target: []}",
        "reminders:\n      step_due: [3, 3, dag, 400]\n      stage_end: [1]\n      stage_target: 7",
    )
    assert problems_of(text) == [
        "proef.yaml:13: step_due in reminders of stage 'proposal': day 3 is listed twice",
        "proef.yaml:13: step_due in reminders of stage 'proposal': a day must be a whole number "
        "from -365 to 365 (days before; negative = overdue), got 'dag'",
        "proef.yaml:13: step_due in reminders of stage 'proposal': a day must be a whole number "
        "from -365 to 365 (days before; negative = overdue), got 400",
        "proef.yaml:14: unknown reminder kind 'stage_end' in reminders of stage 'proposal' "
        "(expected one of: step_due, stage_target)",
        "proef.yaml:15: stage_target in reminders of stage 'proposal' must be a list of days, "
        "e.g. [7, 1, 0, -1]",
    ]
    assert problems_of(RULED.replace("reminders: {step_due: [3, 0], stage_target: []}",
                                     "reminders: elke week")) == [
        "proef.yaml:12: reminders of stage 'proposal' must be a mapping, got 'elke week'"
    ]  # fmt: skip


def test_the_days_are_stored_and_old_versions_without_them_still_load():
    defn, _ = load_workflow_text(RULED, "herinnerproef.yaml")
    data = to_dict(defn)
    assert data["stages"][0]["reminders"] == {"step_due": [3, 0], "stage_target": []}
    assert "reminders" not in data["stages"][1]  # absent stays absent: the hash is unchanged
    assert from_dict(data).stage("proposal").reminders == defn.stage("proposal").reminders
    del data["stages"][0]["reminders"]
    old = from_dict(data)
    assert old.stage("proposal").reminders is None
    assert content_hash(to_dict(old)) == content_hash(data)


def test_digest_slots_are_the_next_local_morning_or_monday():
    friday_noon = datetime(2026, 11, 27, 11, 0, tzinfo=UTC)
    daily = next_slot(friday_noon, "daily", 8, 1)
    weekly = next_slot(friday_noon, "weekly", 8, 1)
    assert daily.isoformat() == "2026-11-28T08:00:00+01:00"
    assert weekly.isoformat() == "2026-11-30T08:00:00+01:00"
    assert next_slot(weekly, "weekly", 8, 1) == weekly
