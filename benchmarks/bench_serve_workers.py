"""Several web processes: gunicorn (gthread workers) against several waitress processes sharing
one listening socket, each against one waitress process (`verbinding serve` without --workers)
as the baseline, in interleaved rounds on the same database.

    python benchmarks/bench_serve_workers.py --database-url postgresql+psycopg://…/db \
        [--workers 2] [--threads 8] [--clients 8] [--seconds 6] [--rounds 3]

The database must hold the demo (`verbinding demo`). Each round starts the three servers one
after another and sends the same mix (the public list and every initiative page, GET, kept-alive
connections from ``--clients`` threads) to each for ``--seconds``; it prints requests/s per
server, and the median and spread of the ratios to the baseline.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def waitress_processes(port: int, workers: int, threads: int) -> None:
    """Several waitress processes accepting on one socket bound before the fork."""
    from waitress import serve

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(1024)
    children = []
    for _ in range(workers):
        pid = os.fork()
        if pid == 0:
            from web import create_app

            serve(create_app(), sockets=[sock], threads=threads, ident="verbinding")
            os._exit(0)
        children.append(pid)

    def stop(_signum, _frame):
        for child in children:
            os.kill(child, signal.SIGTERM)
        for child in children:
            os.waitpid(child, 0)
        sys.exit(0)

    signal.signal(signal.SIGTERM, stop)
    signal.pause()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(kind: str, port: int, args, env) -> subprocess.Popen:
    python = sys.executable
    if kind == "waitress-1":
        command = [python, "-m", "engine", "serve", "--no-scheduler", "--port", str(port),
                   "--threads", str(args.threads)]  # fmt: skip
    elif kind == "gunicorn":
        command = [python, "-m", "engine", "serve", "--no-scheduler", "--port", str(port),
                   "--threads", str(args.threads), "--workers", str(args.workers)]  # fmt: skip
    else:
        command = [python, __file__, "--waitress-child", str(port), "--workers", str(args.workers),
                   "--threads", str(args.threads)]  # fmt: skip
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/")
            if conn.getresponse().status == 200:
                conn.close()
                return process
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{kind} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def load(port: int, paths: list[str], clients: int, seconds: float) -> tuple[float, int]:
    """Requests/s answered 200 over ``seconds``, and how many answers were not 200."""
    counts = [0] * clients
    errors = [0] * clients
    until = time.monotonic() + seconds

    def client(n: int) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        i = n
        while time.monotonic() < until:
            conn.request("GET", paths[i % len(paths)])
            response = conn.getresponse()
            response.read()
            if response.status == 200:
                counts[n] += 1
            else:
                errors[n] += 1
            i += 1
        conn.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sum(counts) / (time.monotonic() - started), sum(errors)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=6.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warm", type=float, default=3.0, help="Seconds of load not counted.")
    parser.add_argument("--waitress-child", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.waitress_child:
        waitress_processes(args.waitress_child, args.workers, args.threads)
        return
    env = dict(os.environ, VERBINDING_DATABASE_URL=args.database_url,
               VERBINDING_SECRET_KEY="bench", PYTHONPATH=str(ROOT))  # fmt: skip
    port = free_port()
    baseline = start("waitress-1", port, args, env)
    conn = http.client.HTTPConnection("127.0.0.1", port)
    conn.request("GET", "/")
    home = conn.getresponse().read().decode()
    stop(baseline)
    pages = sorted(set(re.findall(r'href="(/initiatives/\d+)"', home)))
    paths = ["/", *pages]
    print(f"paths: {paths}; {args.workers} workers × {args.threads} threads, "
          f"{args.clients} clients, {args.seconds}s per server per round")  # fmt: skip
    kinds = ["waitress-1", "gunicorn", "waitress-n"]
    rates: dict[str, list[float]] = {k: [] for k in kinds}
    for r in range(args.rounds):
        for kind in kinds if r % 2 == 0 else reversed(kinds):
            port = free_port()
            process = start(kind, port, args, env)
            try:
                load(port, paths, args.clients, args.warm)  # every process compiles its templates
                rate, errors = load(port, paths, args.clients, args.seconds)
            finally:
                stop(process)
            rates[kind].append(rate)
            load_avg = os.getloadavg()[0]
            print(f"round {r + 1} {kind:<11} {rate:7.1f} req/s  errors {errors}  "
                  f"load {load_avg:.1f}")  # fmt: skip
    for kind in kinds[1:]:
        ratios = [a / b for a, b in zip(rates[kind], rates["waitress-1"], strict=True)]
        print(f"{kind} / waitress-1: median {statistics.median(ratios):.2f} "
              f"(range {min(ratios):.2f}–{max(ratios):.2f}); "
              f"median {statistics.median(rates[kind]):.1f} req/s")  # fmt: skip
    print(f"waitress-1: median {statistics.median(rates['waitress-1']):.1f} req/s")


if __name__ == "__main__":
    main()
