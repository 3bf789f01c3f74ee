"""schemathesis against the live app: every operation, as every role, in valid and invalid shapes.

Each operation's requests are generated from the OpenAPI document itself (positive and negative
data), sent through the app's WSGI interface with a token per role (anonymous, resident outside
the group, member, initiator, coach, admin) and checked: never a server error, every status code,
content type, header and body as the document says. Half the cases aim at the world's real
initiative, step, decision and trigger, so they reach the engine instead of stopping at a 404.
The number of cases is printed (``-s``) and bounded so the run stays well under a minute per
database.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from engine.db import utcnow
from engine.models import Step
from engine.operations import add_step
from tests.web.api.conftest import auth
from tests.web.conftest import make_app

ROLES = ("anonymous", "outsider", "member", "initiator", "coach", "admin")
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
#: rounds of every role per operation and mode (VERBINDING_API_EXAMPLES raises it for a longer hunt)
EXAMPLES = int(os.environ.get("VERBINDING_API_EXAMPLES", "1"))


@pytest.fixture(scope="module")
def fuzz_app(web_app, smtp_sink, tmp_path_factory):
    """The app on the same database, with limits no generated burst of calls reaches."""
    app = make_app(
        web_app.config["VERBINDING"].database_url,
        tmp_path_factory.mktemp("fuzz"),
        smtp_sink.url,
        VERBINDING_RATE_LIMIT_POST="1000000/60",
        VERBINDING_RATE_LIMIT_MAIL="1000000/60",
        VERBINDING_RATE_LIMIT_LOGIN="1000000/60",
    )
    yield app
    app.extensions["verbinding"].close()


@pytest.fixture(scope="module")
def targets(fuzz_app, api_world) -> dict[str, object]:
    """Real ids and names for the path parameters."""
    session = fuzz_app.extensions["verbinding"].sessions()
    try:
        from engine.models import Initiative, Person

        item = session.get(Initiative, api_world.initiative_id)
        initiator = session.get(Person, api_world.people["initiator"])
        step = add_step(session, initiator, item.id, stage_key=item.state, title="Bakken vullen",
                        now=utcnow())  # fmt: skip
        session.commit()
        step_id = session.query(Step.id).filter(Step.id == step.id).scalar()
        return {
            "initiative_id": item.id,
            "step_id": step_id,
            "trigger": "start_design",
            "name": "vergroening",
            "decision_id": 1,
            "request_id": 1,
        }
    finally:
        session.close()


def test_every_operation_conforms_for_every_role(fuzz_app, api_world, targets):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    operations = [result.ok() for result in schema.get_all_operations()]
    headers = [auth(api_world.tokens.get(role)) for role in ROLES]
    cases: Counter[tuple[str, int]] = Counter()
    statuses: Counter[int] = Counter()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            _run(operation, mode, headers, targets, cases, statuses)
    total = sum(cases.values())
    print(f"\nschemathesis: {len(operations)} operations, {len(ROLES)} roles, {total} cases; "
          f"statuses {dict(sorted(statuses.items()))}")  # fmt: skip
    assert len(operations) >= 24
    every = {(op.label, r) for op in operations for r in range(len(ROLES))}
    assert every <= set(cases), f"not every role met every operation: {every - set(cases)}"
    assert any(200 <= s < 300 for s in statuses), "no case reached a successful answer"


def _run(operation, mode, headers, targets, cases, statuses) -> None:
    turn = iter(range(10**6))

    @settings(
        max_examples=EXAMPLES * len(ROLES),
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case):
        n = next(turn)
        role = n % len(ROLES)  # every role in turn
        aim = (n + n // len(ROLES) + (mode is GenerationMode.NEGATIVE)) % 2 == 0
        if aim and case.path_parameters:  # every other case: the world's real ids
            for name in case.path_parameters:
                if name in targets:
                    case.path_parameters[name] = targets[name]
        response = case.call_and_validate(headers=headers[role], checks=CHECKS)
        cases[(operation.label, role)] += 1
        statuses[response.status_code] += 1

    try:
        check()
    except Unsatisfiable:  # nothing to get wrong: an operation without parameters or body
        if mode is GenerationMode.POSITIVE:
            raise
        return
    for role in range(len(ROLES)):  # an operation without parameters has one case: each role
        if (operation.label, role) not in cases:
            response = operation.Case().call_and_validate(headers=headers[role], checks=CHECKS)
            cases[(operation.label, role)] += 1
            statuses[response.status_code] += 1
