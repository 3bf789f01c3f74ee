"""What a step of the periodic sweep is, and the bind parameters its probe may use.

A leaf module: the sweeper (engine.sweeper) lists its steps, and the packages that bring steps
(engine.reminders.steps) build them from here, without importing the sweeper.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Date, bindparam

from engine.db import UTCDateTime

#: the moment of the sweep and its local date, for probes built once
NOW = bindparam("now", type_=UTCDateTime())
TODAY = bindparam("today", type_=Date())
#: a probe: a SQL boolean over NOW/TODAY, or a callable(now, config) -> SQL boolean or bool
Probe = Any


@dataclass(frozen=True)
class SweepStep:
    """One step: ``fn(session, now) -> report`` in a transaction of its own, or with
    ``own_transactions`` ``fn(runtime, now)``, committing batch by batch."""

    name: str
    fn: Callable[..., Any]
    probe: Probe | None = None
    own_transactions: bool = False
    #: ask a callable probe at most this often (seconds) while it answers "nothing to do"
    probe_every: float = 0.0
    #: more bind parameters a probe built once uses, from the sweep's moment
    #: (e.g. ``{"closing_until": now + notice}``): the probe stays one cached statement
    binds: Callable[[datetime], dict[str, Any]] | None = None
