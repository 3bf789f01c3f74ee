"""What the operations hooks cost a request (issue 16): request id, access line, metrics.

    python benchmarks/bench_ops.py [--requests 2000] [--rounds 7]

The same app twice in one process, on one SQLite file: once as built (web.observe's hooks:
a request id, the latency histogram, the request counter, the access line at the default level
WARNING, so not written) and once with those three hooks taken off. Both answer /healthz (no
database, so the hooks are a large part of the work) and the home page (a real page). Rounds
interleave the two; median and spread of the time per request, and the ratio with / without.
A third variant writes the access line as JSON to a file (LOG_LEVEL=INFO).
"""

from __future__ import annotations

import argparse
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.logs import configure_logging  # noqa: E402
from web import create_app, observe  # noqa: E402


def build(folder: Path, *, hooks: bool):
    app = create_app({
        "VERBINDING_INSTANCE_PATH": str(folder),
        "VERBINDING_SECRET_KEY": "bench",
        "VERBINDING_DATABASE_URL": f"sqlite:///{folder.parent / 'bench.db'}",
    })  # fmt: skip
    if not hooks:
        for registry, fn in (
            (app.before_request_funcs, observe._start),
            (app.after_request_funcs, observe._finish),
            (app.teardown_request_funcs, observe._forget),
        ):
            registry[None].remove(fn)
    return app


def per_request(app, path: str, n: int) -> float:
    client = app.test_client()
    started = time.perf_counter()
    for _ in range(n):
        client.get(path)
    return (time.perf_counter() - started) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        from engine.db import make_engine
        from engine.migrate import upgrade_engine

        upgrade_engine(make_engine(f"sqlite:///{root / 'bench.db'}"))
        logging.getLogger().handlers.clear()
        configure_logging("json", "WARNING")
        plain, hooked = build(root / "a", hooks=False), build(root / "b", hooks=True)
        for path, n in (("/healthz", args.requests), ("/", args.requests // 10)):
            times: dict[str, list[float]] = {"without": [], "with": [], "with+json": []}
            for _ in range(args.rounds):
                configure_logging("json", "WARNING")
                times["without"].append(per_request(plain, path, n))
                times["with"].append(per_request(hooked, path, n))
                with (root / "access.log").open("w") as sink:
                    logging.getLogger().setLevel("INFO")
                    logging.getLogger().handlers[0].setStream(sink)  # type: ignore[attr-defined]
                    times["with+json"].append(per_request(hooked, path, n))
            base = statistics.median(times["without"])
            for name, found in times.items():
                med = statistics.median(found)
                spread = (max(found) - min(found)) / med * 100
                print(f"{path:9} {name:10} {med * 1e6:8.1f} µs/request "
                      f"(spread {spread:4.1f}%)  ratio {med / base:5.2f}x")  # fmt: skip


if __name__ == "__main__":
    main()
