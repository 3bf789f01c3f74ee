"""The hypothesis settings of the property tests, by ``VERBINDING_HYPOTHESIS_PROFILE``: ``ci``
(the default: few examples, derandomised, the same every run) or ``thorough`` (many, random)."""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings

PROFILE = os.environ.get("VERBINDING_HYPOTHESIS_PROFILE", "ci")


def profile(ci: int, thorough: int, *checks: HealthCheck) -> settings:
    """Settings for a property test: ``ci`` or ``thorough`` examples by the profile, no
    deadline (a loaded machine is not a finding), no example database, ``too_slow`` and
    ``checks`` not held against it."""
    suppressed = [HealthCheck.too_slow, *checks]
    if PROFILE == "thorough":
        return settings(max_examples=thorough, deadline=None, database=None,
                        suppress_health_check=suppressed)  # fmt: skip
    return settings(max_examples=ci, deadline=None, database=None, derandomize=True,
                    suppress_health_check=suppressed)  # fmt: skip
