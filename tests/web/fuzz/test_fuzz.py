"""Generated input to every route of the app, as every role, on SQLite and PostgreSQL: no
request may end in a server error (issue 13).

Each run draws requests from ``app.url_map``: path arguments (ids that exist, ids past the
column, text that is no id), query parameters every view reads, and form fields — the forms
of the pages a role can open, sent as the page gave them with some fields changed, or fields
of any form class — with values that exist, are plausible or are hostile (NUL, huge numbers,
``²``, dates at the ends of the calendar, formulas, scripts). Every role gets a fresh group
in zelfbeheer (a run may leave it, remove members, decline requests).

Settings: ``VERBINDING_HYPOTHESIS_PROFILE`` = ``ci`` (the default: derandomised, the same
requests every run, ~420 per role and database, ≥ 5,000 in all) or ``thorough`` (random,
5,000 per role and database, for a long hunt). A failure names the method, URL and input.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.web.fuzz import summary
from tests.web.fuzz.requests import Call, calls, form_field_names, routes
from tests.web.fuzz.world import ROLES, build

PROFILES = {
    "ci": settings(
        max_examples=420, deadline=None, database=None, derandomize=True,
        suppress_health_check=list(HealthCheck),
    ),
    "thorough": settings(
        max_examples=5000, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    ),
}  # fmt: skip
PROFILE = os.environ.get("VERBINDING_HYPOTHESIS_PROFILE", "ci")


# Hypothesis notes a change of the global `random` state while it draws a request; the draws
# do not use `random`, but mail goes out in threads beside them (the app's delivery right after
# a commit, the SMTP sink) and `email.utils.make_msgid` draws from `random`: not ours to fix.
@pytest.mark.filterwarnings("ignore::hypothesis.errors.HypothesisDeprecationWarning")
# the strategy of every route × field is large; Hypothesis's note that printing it is costly is
# about the report, not a finding
@pytest.mark.filterwarnings("ignore:Generating overly large repr")
@pytest.mark.parametrize("role", ROLES)
def test_no_input_from_any_role_gives_a_server_error(fuzz_app, role):
    world = build(fuzz_app, role)
    app_routes = routes(fuzz_app)
    names = sorted(form_field_names() | world.names)
    statuses: Counter[int] = Counter()
    started = time.perf_counter()

    @settings(PROFILES[PROFILE])
    @given(st.data())
    def send(data):
        call: Call = data.draw(calls(app_routes, world, names), label="request")
        try:
            if call.method == "GET":
                response = world.client.get(call.url)
            else:
                response = world.client.post(call.url, data=call.data)
        except Exception as exc:  # the app under TESTING lets the error through
            raise AssertionError(f"{role}: {call} raised {type(exc).__name__}: {exc}") from exc
        statuses[response.status_code] += 1
        response.close()
        # /readyz says 503 by design while no scheduler sweeps (tests/web/ops/test_readyz.py)
        designed = call.url.split("?")[0] == "/readyz" and response.status_code == 503
        assert response.status_code < 500 or designed, (
            f"{role}: {call} answered {response.status_code}"
        )

    send()
    database = fuzz_app.config["FUZZ_DATABASE"]
    summary.RUNS[(database, role)] = (
        sum(statuses.values()),
        time.perf_counter() - started,
        statuses,
    )
    assert sum(statuses.values()) >= 400 or PROFILE != "ci"
