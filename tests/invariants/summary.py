"""How much the stateful test ran, per database, printed at the end of the pytest run
(tests/conftest.py's ``pytest_terminal_summary``), so CI can report it."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class Stats:
    database: str
    profile: str
    #: hypothesis examples (each a fresh group), rules run, operations called (a rule may
    #: call several), operations refused
    sequences: int = 0
    steps: int = 0
    operations: Counter[str] = field(default_factory=Counter)
    refused: Counter[str] = field(default_factory=Counter)
    #: stages entered by a move, and broken rules tolerated because they are KNOWN_BROKEN
    stages: Counter[str] = field(default_factory=Counter)
    known_broken: Counter[str] = field(default_factory=Counter)
    first_message: dict[str, str] = field(default_factory=dict)
    #: (operation, refusal message) → count, shown when verbose
    reasons: Counter[tuple[str, str]] = field(default_factory=Counter)
    seconds: float = 0.0
    verbose: bool = False

    def lines(self) -> list[str]:
        ops, refused = sum(self.operations.values()), sum(self.refused.values())
        out = [
            f"group invariants on {self.database} ({self.profile}): {self.sequences} sequences, "
            f"{self.steps} steps, {ops} operations ({refused} refused), {self.seconds:.1f} s",
            "  stages entered: " + ", ".join(f"{k} {v}" for k, v in self.stages.most_common()),
        ]
        if self.verbose:
            out.append(
                "  operations (done/tried): "
                + ", ".join(
                    f"{k} {v - self.refused[k]}/{v}" for k, v in sorted(self.operations.items())
                )
            )
        if self.verbose:
            out.extend(f"    {n}x {op}: {why}" for (op, why), n in self.reasons.most_common(40))
        never = sorted(k for k in _ALL_OPERATIONS if not self.operations[k])
        if never:
            out.append("  operations never tried: " + ", ".join(never))
        for name, count in self.known_broken.most_common():
            out.append(f"  KNOWN_BROKEN {name}: {count}x, e.g. {self.first_message[name]}")
        return out


#: every run of the test adds one entry (a database and profile)
RUNS: list[Stats] = []
#: the operations the machine knows, to say which a run never reached
_ALL_OPERATIONS: set[str] = set()


def register_operations(names: set[str]) -> None:
    _ALL_OPERATIONS.update(names)


def lines() -> list[str]:
    return [line for stats in RUNS for line in stats.lines()]
