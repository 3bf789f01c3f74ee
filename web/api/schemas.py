"""What the API answers: marshmallow schemas that serialise responses and make the document."""

from __future__ import annotations

from marshmallow import Schema, fields


class Text(Schema):
    """A text of a template, in both languages."""

    nl = fields.String(required=True)
    en = fields.String(required=True)


class Reason(Schema):
    """Why something is not possible: a stable code (the English message id) and the message
    in the request's language."""

    code = fields.String(required=True)
    message = fields.String(required=True)


class Problem(Schema):
    """An error (RFC 9457)."""

    type = fields.String(required=True, metadata={"description": "a URI reference"})
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    instance = fields.String()
    errors = fields.Dict(
        keys=fields.String(), values=fields.List(fields.String()),
        metadata={"description": "field → what is wrong with it"},
    )  # fmt: skip
    reasons = fields.List(fields.Nested(Reason), metadata={"description": "a blocked move"})


# --- templates ------------------------------------------------------------------------------


class Guard(Schema):
    name = fields.String(required=True)
    args = fields.Dict(keys=fields.String(), required=True)


class TemplateStage(Schema):
    key = fields.String(required=True)
    title = fields.Nested(Text, required=True)
    description = fields.Nested(Text, required=True)
    participation = fields.String(required=True)
    municipality_role = fields.Nested(Text, required=True)
    optional = fields.Boolean(required=True)
    final = fields.Boolean(required=True)
    duration_days = fields.Integer(required=True, allow_none=True)
    suggested_steps = fields.List(fields.Nested(Text), required=True)


class TemplateMove(Schema):
    trigger = fields.String(required=True)
    title = fields.Nested(Text, required=True)
    sources = fields.List(fields.String(), required=True)
    dest = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    guards = fields.List(fields.Nested(Guard), required=True)
    decision_rule = fields.String(required=True, allow_none=True)


class Template(Schema):
    name = fields.String(required=True)
    version = fields.Integer(required=True)
    title = fields.Nested(Text, required=True)
    description = fields.Nested(Text, required=True)
    initial = fields.String(required=True)
    min_members = fields.Integer(required=True)
    stages = fields.List(fields.Nested(TemplateStage), required=True)
    moves = fields.List(fields.Nested(TemplateMove), required=True)


# --- initiatives ----------------------------------------------------------------------------


class InitiativeRow(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    language = fields.String(required=True)
    stadsdeel = fields.String(required=True)
    wijk = fields.String(required=True)
    template = fields.String(required=True)
    stage_title = fields.Nested(Text, required=True)
    is_paused = fields.Boolean(required=True)
    visibility = fields.String(required=True)


class InitiativeList(Schema):
    items = fields.List(fields.Nested(InitiativeRow), required=True)
    next_after = fields.Integer(
        required=True, allow_none=True,
        metadata={"description": "pass as `after` for the next page; null: this is the last"},
    )  # fmt: skip
    previous_before = fields.Integer(
        required=True, allow_none=True,
        metadata={"description": "pass as `before` for the previous page; null: the first"},
    )  # fmt: skip


class StepOut(Schema):
    id = fields.Integer(required=True)
    stage = fields.String(required=True)
    title = fields.String(required=True)
    position = fields.Integer(required=True)
    status = fields.String(required=True, metadata={"description": "open, done or closed"})
    owner_id = fields.Integer(required=True, allow_none=True)
    owner_name = fields.String(required=True, allow_none=True)
    due_date = fields.Date(required=True, allow_none=True)
    version = fields.Integer(required=True)


class StageOut(Schema):
    key = fields.String(required=True)
    number = fields.Integer(required=True)
    title = fields.Nested(Text, required=True)
    status = fields.String(
        required=True, metadata={"description": "done, current, skipped or upcoming"}
    )
    is_custom = fields.Boolean(required=True)
    optional = fields.Boolean(required=True)
    participation = fields.String(required=True, allow_none=True)
    target_date = fields.Date(required=True, allow_none=True)
    steps = fields.List(fields.Nested(StepOut), required=True)


class MoveOut(Schema):
    trigger = fields.String(required=True)
    title = fields.Nested(Text, required=True)
    dest = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    decision_rule = fields.String(required=True, allow_none=True)
    decision_id = fields.Integer(required=True, allow_none=True)
    allowed = fields.Boolean(required=True)
    reasons = fields.List(fields.Nested(Reason), required=True)


class MemberOut(Schema):
    person_id = fields.Integer(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True)
    organisation = fields.String(required=True, allow_none=True)
    joined_dt = fields.DateTime(required=True)


class BallotOut(Schema):
    person_id = fields.Integer(required=True)
    name = fields.String(required=True)
    choice = fields.String(required=True, allow_none=True)
    cast_dt = fields.DateTime(required=True, allow_none=True)


class DecisionOut(Schema):
    id = fields.Integer(required=True)
    trigger = fields.String(required=True)
    move_title = fields.Nested(Text, required=True)
    rule = fields.String(required=True)
    status = fields.String(required=True)
    question = fields.String(required=True)
    opened_by = fields.String(required=True)
    opened_dt = fields.DateTime(required=True)
    closes_dt = fields.DateTime(required=True, allow_none=True)
    closed_dt = fields.DateTime(required=True, allow_none=True)
    choices = fields.List(fields.String(), required=True)
    electorate = fields.Integer(required=True)
    ballots = fields.List(fields.Nested(BallotOut), required=True)
    my_choice = fields.String(required=True, allow_none=True)
    why_not = fields.Nested(Reason, required=True, allow_none=True)


class EventOut(Schema):
    id = fields.Integer(required=True)
    kind = fields.String(required=True)
    created_dt = fields.DateTime(required=True)
    actor_id = fields.Integer(required=True, allow_none=True)
    actor_name = fields.String(required=True, allow_none=True)
    from_stage = fields.String(required=True, allow_none=True)
    to_stage = fields.String(required=True, allow_none=True)
    note = fields.String(required=True, allow_none=True)


class InitiativeOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    description = fields.String(required=True)
    language = fields.String(required=True)
    stage = fields.String(required=True)
    version = fields.Integer(
        required=True,
        metadata={"description": "send as `expected_version` (or `If-Match`) with a change"},
    )  # fmt: skip
    is_paused = fields.Boolean(required=True)
    visibility = fields.String(required=True)
    join_policy = fields.String(required=True)
    template = fields.String(required=True)
    template_version = fields.Integer(required=True)
    stadsdeel = fields.String(required=True)
    wijk = fields.String(required=True)
    my_role = fields.String(required=True, allow_none=True)
    stages = fields.List(fields.Nested(StageOut), required=True)
    moves = fields.List(fields.Nested(MoveOut), required=True)
    members = fields.List(fields.Nested(MemberOut), required=True)
    decisions = fields.List(fields.Nested(DecisionOut), required=True)
    history = fields.List(fields.Nested(EventOut), required=True)


class Created(Schema):
    id = fields.Integer(required=True)
    version = fields.Integer(required=True)


class Fired(Schema):
    initiative_id = fields.Integer(required=True)
    trigger = fields.String(required=True)
    from_stage = fields.String(required=True)
    to_stage = fields.String(required=True)
    version = fields.Integer(required=True)
    carried_steps = fields.List(fields.Integer(), required=True)
    closed_steps = fields.List(fields.Integer(), required=True)


class SupportOut(Schema):
    id = fields.Integer(required=True)
    initiative_id = fields.Integer(required=True)
    kind = fields.String(required=True)
    description = fields.String(required=True)
    stage = fields.String(required=True, allow_none=True)
    status = fields.String(required=True)
    created_dt = fields.DateTime(required=True)
    respond_by_date = fields.Date(required=True, allow_none=True)
    answer = fields.String(required=True, allow_none=True)
    delivered_note = fields.String(required=True, allow_none=True)
    version = fields.Integer(required=True)


class Preferences(Schema):
    locale = fields.String(required=True)
    modes = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


# --- coaches and open data ------------------------------------------------------------------


class SignalOut(Schema):
    kind = fields.String(required=True)
    level = fields.String(required=True)
    message = fields.String(required=True)


class CaseloadRowOut(Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True)
    stadsdeel = fields.String(required=True)
    wijk = fields.String(required=True)
    template = fields.String(required=True)
    stage = fields.String(required=True)
    stage_title = fields.Nested(Text, required=True)
    status = fields.String(required=True)
    days_in_stage = fields.Integer(required=True)
    last_activity_dt = fields.DateTime(required=True)
    overdue_steps = fields.Integer(required=True)
    waiting_requests = fields.Integer(required=True)
    respond_by = fields.Date(required=True, allow_none=True)
    signals = fields.List(fields.Nested(SignalOut), required=True)
    coaches = fields.List(fields.String(), required=True)


class CaseloadOut(Schema):
    items = fields.List(fields.Nested(CaseloadRowOut), required=True)
    total = fields.Integer(required=True)
    page = fields.Integer(required=True)
    pages = fields.Integer(required=True)
    per_page = fields.Integer(required=True)


class StageCount(Schema):
    stage = fields.String(required=True)
    title = fields.String(required=True)
    stadsdeel = fields.String(required=True)
    initiatives = fields.Integer(required=True)


class OnTimeOut(Schema):
    answered_on_time = fields.Integer(required=True)
    answered_late = fields.Integer(required=True)
    waiting_in_time = fields.Integer(required=True)
    waiting_late = fields.Integer(required=True)


class SpreadOut(Schema):
    stage = fields.String(required=True)
    title = fields.String(required=True)
    stays = fields.Integer(required=True)
    median = fields.Float(required=True)
    q1 = fields.Float(required=True)
    q3 = fields.Float(required=True)


class OverviewOut(Schema):
    total = fields.Integer(required=True)
    counts = fields.List(fields.Nested(StageCount), required=True)
    days_in_stage = fields.List(fields.Nested(SpreadOut), required=True)
    support_on_time = fields.Nested(OnTimeOut, required=True)


class OpenCount(Schema):
    stadsdeel = fields.String(required=True)
    wijk = fields.String(required=True)
    cbs_code = fields.String(required=True, allow_none=True)
    template = fields.String(required=True)
    stage = fields.String(required=True)
    stage_nl = fields.String(required=True)
    stage_en = fields.String(required=True)
    initiatives = fields.Integer(required=True)
    paused = fields.Integer(required=True)


class OpenData(Schema):
    licence = fields.String(required=True)
    description = fields.String(required=True)
    rows = fields.List(fields.Nested(OpenCount), required=True)


class DecisionState(Schema):
    id = fields.Integer(required=True)
    status = fields.String(required=True)
