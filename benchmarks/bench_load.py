"""Load test (issue 16): residents browsing and editing and a coach working the caseload against
`verbinding serve --workers N` (gunicorn) on PostgreSQL, next to two bare Flask apps served the
same way in the same run; then the database cut off under load.

    pip install -e '.[bench]'
    python benchmarks/bench_load.py --database-url postgresql+psycopg://…/db \
        [--workers 2] [--threads 8] [--users 8] [--seconds 10] [--rounds 3] [--max-requests 20000]

The database gets the demo (`verbinding demo`, run first). Three servers run side by side, each
gunicorn with verbinding's own options (engine/serving.py) and the same workers and threads:
the app, (a) a Flask "hello", (b) a Flask + Jinja page of the initiative page's size that sends
the statements the initiative page sends (captured from the app). The load comes from locust
(as a library; closed loop, no think time), each phase bounded by ``--seconds`` and
``--max-requests``:

* **mix** (once): anonymous residents browsing (the list, initiative pages, discussions), the
  demo group's members signed in, reading their initiative, adding steps and posting messages,
  and the coach reading the caseload and the coach's view of initiatives. Per page: requests/s,
  p50/p95/p99, failures. Afterwards every step and message the app accepted must be in the
  initiative's history and discussion (load_parts.py check).
* **rounds** (interleaved, order rotating): the biggest initiative page (anonymous) on the
  app, (a) and (b); the ratio initiative / (b) per round, median (goal >= 0.33).
* **cut**: a second app behind a TCP forwarder to PostgreSQL; under load the forwarder is
  killed, later started again. Every answer must be 200 or 503 with Retry-After, never a 500,
  and pages come back after the database does.

Exit status 1 when a goal is missed (errors, history, ratio, 500s).
"""

from __future__ import annotations

# locust's gevent patches the standard library: first, before anything else is imported
from locust import FastHttpUser, constant, task  # isort: skip
import gevent  # isort: skip

import argparse
import http.client as http_client
import json
import os
import random
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from locust.env import Environment

ROOT = Path(__file__).resolve().parents[1]
PARTS = str(ROOT / "benchmarks" / "load_parts.py")
EDITORS = ["anna@example.nl", "joost@example.nl", "fatima@example.nl", "willem@example.nl"]
COACH = "sanne@example.nl"
PASSWORD = "verbinding-demo"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

#: what the users read and write; set by main() before any user starts
FACTS: dict = {}
ACCEPTED: dict = {"steps": [], "messages": []}
#: users signed in (their on_start done): the counted load waits for them
SIGNED_IN = [0]


# -- the users ---------------------------------------------------------------------------------


class Resident(FastHttpUser):
    """Anonymous: the list, an initiative, its discussion."""

    wait_time = constant(0)

    @task(2)
    def home(self):
        self.client.get("/", name="/")

    @task(4)
    def initiative(self):
        self.client.get(f"/initiatives/{random.choice(FACTS['initiatives'])}",
                        name="/initiatives/N")  # fmt: skip

    @task(2)
    def discussion(self):
        self.client.get(f"/initiatives/{random.choice(FACTS['initiatives'])}/discussion",
                        name="/initiatives/N/discussion")  # fmt: skip


def sign_in(user: FastHttpUser, email: str) -> str:
    token = CSRF.search(user.client.get("/login", name="/login").text or "")
    assert token, "no form on /login"
    user.client.post("/login", data={"csrf_token": token.group(1), "email": email,
                                     "password": PASSWORD}, name="/login")  # fmt: skip
    # signing in starts a new session, with a token of its own
    token = CSRF.search(user.client.get("/account", name="/account").text or "")
    assert token, "not signed in"
    return token.group(1)


class Member(FastHttpUser):
    """A member of the demo group: reads the initiative, adds steps, posts messages."""

    fixed_count = 2
    wait_time = constant(0)

    def on_start(self):
        self.token = sign_in(self, random.choice(EDITORS))
        self.base = f"/initiatives/{FACTS['shared']}"
        SIGNED_IN[0] += 1

    @task(4)
    def initiative(self):
        self.client.get(self.base, name="/initiatives/N (member)")

    @task(1)
    def discussion(self):
        self.client.get(f"{self.base}/discussion", name="/initiatives/N/discussion (member)")

    def _post(self, path: str, data: dict, name: str, kind: str, words: str) -> None:
        with self.client.post(path, data={"csrf_token": self.token, **data}, name=name,
                              allow_redirects=False, catch_response=True) as answer:  # fmt: skip
            if answer.status_code in (302, 303):
                ACCEPTED[kind].append(words)
                answer.success()
            else:
                answer.failure(f"{answer.status_code}")

    @task(1)
    def add_step(self):
        title = f"Stap {uuid.uuid4().hex[:10]}"
        self._post(f"{self.base}/steps", {"stage_key": FACTS["stage"], "title": title},
                   "POST steps", "steps", title)  # fmt: skip

    @task(1)
    def post_message(self):
        body = f"Bericht {uuid.uuid4().hex[:10]}: wie neemt de koffie mee?"
        self._post(f"{self.base}/discussion", {"body": body}, "POST discussion", "messages",
                   body)  # fmt: skip


class Coach(FastHttpUser):
    """The coach: the caseload and the coach's view of an initiative."""

    fixed_count = 1
    wait_time = constant(0)

    def on_start(self):
        self.token = sign_in(self, COACH)
        SIGNED_IN[0] += 1

    @task(2)
    def caseload(self):
        self.client.get("/coach/", name="/coach/ (caseload)")

    @task(1)
    def overview(self):
        self.client.get("/coach/overview", name="/coach/overview")

    @task(2)
    def initiative(self):
        self.client.get(f"/initiatives/{random.choice(FACTS['initiatives'])}",
                        name="/initiatives/N (coach)")  # fmt: skip


class OnePage(FastHttpUser):
    """The same page over and over: the initiative page, or a baseline's page."""

    wait_time = constant(0)
    path = "/"

    @task
    def get(self):
        self.client.get(self.path, name=self.path)


# -- running -----------------------------------------------------------------------------------


def run(host: str, users: list, count: int, seconds: float, limit: int, warm: float = 0):
    """Load ``host`` with ``count`` users for ``seconds`` (stop early at ``limit`` requests);
    ``warm`` seconds first, not counted. Returns locust's stats and the time taken."""
    env = Environment(user_classes=users, host=host)
    runner = env.create_local_runner()
    runner.start(count, spawn_rate=count * 10)
    signing_in = sum(getattr(u, "fixed_count", 0) for u in users)
    deadline = time.monotonic() + 120
    while SIGNED_IN[0] < signing_in and time.monotonic() < deadline:
        gevent.sleep(0.2)
    if warm:
        gevent.sleep(warm)
        env.stats.reset_all()
    started = time.monotonic()
    until = started + seconds
    while time.monotonic() < until and env.stats.total.num_requests < limit:
        gevent.sleep(0.1)
    elapsed = time.monotonic() - started
    runner.quit()
    gevent.sleep(3)  # the server finishes what the stopped users had asked
    return env.stats, elapsed


def line(name: str, entry, elapsed: float) -> str:
    p = [entry.get_response_time_percentile(q) for q in (0.5, 0.95, 0.99)]
    return (f"| {name} | {entry.num_requests / elapsed:.1f} | {p[0]:.0f} | {p[1]:.0f} | "
            f"{p[2]:.0f} | {entry.num_failures} |")  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(
    command: list[str], env: dict, port: int | None = None, http: bool = True
) -> subprocess.Popen:
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    if port is None:
        return process
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                pass
        except OSError:
            gevent.sleep(0.2)
            continue
        if not http:
            return process
        # every worker answers a page (they import and connect after the fork)
        conn = http_client.HTTPConnection("127.0.0.1", port, timeout=60)
        for _ in range(4 * 8):
            conn.request("GET", "/")
            answer = conn.getresponse()
            answer.read()
        conn.close()
        if answer.status == 200:
            return process
    raise RuntimeError(f"{command} did not start")


def stop(process: subprocess.Popen) -> None:
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(40)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def app_server(port: int, args, env: dict) -> subprocess.Popen:
    return start([sys.executable, "-m", "engine", "serve", "--no-scheduler", "--port", str(port),
                  "--workers", str(args.workers), "--threads", str(args.threads)], env,
                 port)  # fmt: skip


def cut_off(args, env: dict, url: str) -> bool:
    """The app through a forwarder to PostgreSQL that is killed under load and started again."""
    from sqlalchemy import make_url

    real = make_url(url)
    cable_port, port = free_port(), free_port()
    cable_cmd = [sys.executable, PARTS, "cable", str(cable_port), str(real.port or 5432)]
    cable = start(cable_cmd, env, cable_port, http=False)
    through = real.set(host="127.0.0.1", port=cable_port).render_as_string(hide_password=False)
    server = app_server(port, args, dict(env, VERBINDING_DATABASE_URL=through))
    seen: dict[str, int] = {}
    phase = ["before"]

    class Watch(FastHttpUser):
        wait_time = constant(0.05)

        @task
        def page(self):
            path = random.choice(["/", f"/initiatives/{random.choice(FACTS['initiatives'])}"])
            with self.client.get(path, name=path, catch_response=True) as answer:
                status = answer.status_code
                label = f"{phase[0]} {status}"
                if status == 503 and not answer.headers.get("Retry-After"):
                    label += " without Retry-After"
                seen[label] = seen.get(label, 0) + 1
                answer.success()

    env_l = Environment(user_classes=[Watch], host=f"http://127.0.0.1:{port}")
    runner = env_l.create_local_runner()
    runner.start(args.users, spawn_rate=args.users * 10)
    gevent.sleep(5)  # pages answered before the cut: the server is warm
    phase[0] = "cut"
    stop(cable)
    gevent.sleep(6)
    phase[0] = "mended"
    cable = start(cable_cmd, env, cable_port, http=False)
    back_by = time.monotonic() + 30  # until pages come again (a busy machine is slow to show it)
    while not seen.get("mended 200") and time.monotonic() < back_by:
        gevent.sleep(0.2)
    gevent.sleep(2)
    phase[0] = "after"
    gevent.sleep(5)
    runner.quit()
    stop(server)
    stop(cable)
    print("\ndatabase cut off under load (status counts per phase):",
          ", ".join(f"{k}: {v}" for k, v in sorted(seen.items())))  # fmt: skip
    bad = {k: v for k, v in seen.items()
           if not (k.endswith(" 200") or k.endswith(" 503"))}  # fmt: skip
    back = seen.get("after 200", 0) > 0 and not any(k.startswith("after 5") for k in seen)
    answered_503 = seen.get("cut 503", 0) > 0
    ok = not bad and back and answered_503
    print(f"cut: {'OK' if ok else 'FAILED'} (other answers {bad or 'none'}; 503 while cut: "
          f"{answered_503}; only 200 after: {back})")  # fmt: skip
    return ok


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--users", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--warm", type=float, default=3.0)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--max-requests", type=int, default=20000)
    args = parser.parse_args()
    url = args.database_url
    env = dict(os.environ, VERBINDING_DATABASE_URL=url, VERBINDING_SECRET_KEY="bench-load",
               PYTHONPATH=str(ROOT), VERBINDING_RATE_LIMIT_POST="1000000/60",
               VERBINDING_RATE_LIMIT_LOGIN="1000000/60")  # fmt: skip
    subprocess.run([sys.executable, "-m", "engine", "demo"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    plan = work / "plan.pickle"
    subprocess.run([sys.executable, PARTS, "plan", url, str(plan)], cwd=ROOT, env=env,
                   check=True)  # fmt: skip
    import pickle

    with open(plan, "rb") as f:
        FACTS.update(pickle.load(f))
    ports = {k: free_port() for k in ("app", "hello", "jinja")}
    servers = [app_server(ports["app"], args, env)]
    for kind in ("hello", "jinja"):
        servers.append(start([sys.executable, PARTS, "bare", kind, str(ports[kind]),
                              str(args.workers), str(args.threads), url, str(plan)], env,
                             ports[kind]))  # fmt: skip
    ok = True
    try:
        print(f"{args.workers} workers × {args.threads} threads each, {args.users} locust users, "
              f"{args.seconds:g} s per phase (at most {args.max_requests} requests); load "
              f"{os.getloadavg()[0]:.1f}")  # fmt: skip
        stats, elapsed = run(f"http://127.0.0.1:{ports['app']}", [Resident, Member, Coach],
                             args.users, args.seconds, args.max_requests, args.warm)  # fmt: skip
        print("\nmix | req/s | p50 ms | p95 ms | p99 ms | failures\n|---|---|---|---|---|---|")
        for (name, method), entry in sorted(stats.entries.items()):
            if not entry.num_requests:  # signing in: before the counted load
                continue
            label = name if method == "GET" or name.startswith(method) else f"{method} {name}"
            print(line(label, entry, elapsed))
        print(line("all", stats.total, elapsed))
        errors = stats.total.num_failures
        for message in list(stats.errors.values())[:5]:
            print(f"  error: {message.method} {message.name}: {message.error} × "
                  f"{message.occurrences}")  # fmt: skip
        accepted = work / "accepted.json"
        accepted.write_text(json.dumps({"initiative": FACTS["shared"], **ACCEPTED}))
        history = subprocess.run([sys.executable, PARTS, "check", url, str(accepted)], cwd=ROOT,
                                 env=env).returncode == 0  # fmt: skip
        ok = ok and errors == 0 and history
        targets = {"app": FACTS["page"], "hello": "/", "jinja": "/"}
        results: dict[str, list] = {k: [] for k in targets}
        for r in range(args.rounds):
            order = [*list(targets)[r % 3 :], *list(targets)[: r % 3]]
            for kind in order:
                page = type("Page", (OnePage,), {"path": targets[kind]})
                stats, elapsed = run(f"http://127.0.0.1:{ports[kind]}", [page], args.users,
                                     args.seconds, args.max_requests, args.warm)  # fmt: skip
                results[kind].append((stats.total, elapsed))
                entry = stats.total
                print(f"round {r + 1} {kind:<5} {entry.num_requests / elapsed:8.1f} req/s  "
                      f"p50 {entry.get_response_time_percentile(0.5):.0f} ms  failures "
                      f"{entry.num_failures}  load {os.getloadavg()[0]:.1f}")  # fmt: skip
                ok = ok and entry.num_failures == 0
        names = {"app": f"initiative page {FACTS['page']} (app)", "hello": "(a) Flask hello",
                 "jinja": "(b) Flask + Jinja, same statements and size"}  # fmt: skip
        print("\nround medians | req/s | p50 ms | p95 ms | p99 ms\n|---|---|---|---|---|")
        for kind, runs in results.items():
            rate = statistics.median(e.num_requests / t for e, t in runs)
            p = [statistics.median(e.get_response_time_percentile(q) for e, _ in runs)
                 for q in (0.5, 0.95, 0.99)]  # fmt: skip
            print(f"| {names[kind]} | {rate:.1f} | {p[0]:.0f} | {p[1]:.0f} | {p[2]:.0f} |")
        per_round = [a[0].num_requests / a[1] / (b[0].num_requests / b[1])
                     for a, b in zip(results["app"], results["jinja"], strict=True)]  # fmt: skip
        hello = [a[0].num_requests / a[1] / (b[0].num_requests / b[1])
                 for a, b in zip(results["app"], results["hello"], strict=True)]  # fmt: skip
        ratio = statistics.median(per_round)
        rounds = ", ".join(f"{x:.2f}" for x in per_round)
        print(f"\ninitiative / (b): median {ratio:.2f} (rounds {rounds}) — goal >= 0.33; "
              f"initiative / (a): median {statistics.median(hello):.3f}")  # fmt: skip
        ok = ok and ratio >= 0.33
    finally:
        for server in servers:
            stop(server)
    ok = cut_off(args, env, url) and ok
    print(f"\n{'all goals met' if ok else 'a goal was missed'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
