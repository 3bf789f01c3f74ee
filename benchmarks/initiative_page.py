"""CPU per request and statements of the initiative page on the demo database, anonymous and
as a member; or every demo initiative's HTML (anonymous and as demo people, nl and en, CSRF
tokens masked) written to a JSON file, to compare two trees byte for byte.

    rm -f /tmp/demo.db && VERBINDING_DATABASE_URL=sqlite:////tmp/demo.db .venv/bin/verbinding demo
    cp /tmp/demo.db /tmp/a.db   # one copy per tree: a request writes (sessions, rate limits)
    .venv/bin/python benchmarks/initiative_page.py /tmp/a.db time [--requests 60]
    .venv/bin/python benchmarks/initiative_page.py /tmp/a.db dump /tmp/a.json
    python3 benchmarks/initiative_page.py - compare /tmp/a.json /tmp/b.json

Runs the app of the tree it is started from (the working directory); run two trees'
copies alternately, the machine's load moves.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import statistics
import sys
import time

PEOPLE = [None, "anna@example.nl", "pieter@example.nl", "sanne@example.nl"]
PASSWORD = "verbinding-demo"


def _app(database: str):
    sys.path.insert(0, os.getcwd())
    os.environ["VERBINDING_DATABASE_URL"] = f"sqlite:///{database}"
    import sqlalchemy.engine
    from sqlalchemy import event

    from web import create_app

    app = create_app()
    logging.disable(logging.CRITICAL)
    counted = [0]

    def count(*_args):
        counted[0] += 1

    event.listen(sqlalchemy.engine.Engine, "before_cursor_execute", count)
    return app, counted


def _client(app, email: str | None, lang: str = "nl"):
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = lang
    client.environ_base["REMOTE_ADDR"] = f"10.0.0.{PEOPLE.index(email) + 1}"
    if email:
        form = client.get("/login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form)
        assert token is not None
        sent = client.post(
            "/login", data={"csrf_token": token.group(1), "email": email, "password": PASSWORD}
        )
        assert sent.status_code == 302, sent.status_code
        if lang == "en":
            client.get("/language/en")
    return client


def _masked(html: str) -> str:
    return re.sub(r'(name="csrf_token"[^>]*value=")[^"]+', r"\1X", html)


def timed(database: str, requests: int) -> None:
    app, counted = _app(database)
    said = []
    for label, email, path in [
        ("anonymous /initiatives/1", None, "/initiatives/1"),
        ("anonymous /initiatives/3", None, "/initiatives/3"),
        ("anna (member) /initiatives/3", "anna@example.nl", "/initiatives/3"),
    ]:
        client = _client(app, email)
        for _ in range(20):
            client.get(path)
        times = []
        for _ in range(requests):
            counted[0] = 0
            start = time.process_time()
            assert client.get(path).status_code == 200
            times.append(time.process_time() - start)
        said.append(
            f"{label}: median {statistics.median(times) * 1000:.2f} ms, "
            f"min {min(times) * 1000:.2f} ms CPU, {counted[0]} statements"
        )
    print("\n".join(said))


def dump(database: str, out: str) -> None:
    app, counted = _app(database)
    pages = {}
    for email in PEOPLE:
        for lang in ("nl", "en"):
            client = _client(app, email, lang)
            for number in range(1, 5):
                counted[0] = 0
                page = client.get(f"/initiatives/{number}")
                pages[f"{email or 'anonymous'} {lang} {number}"] = [
                    page.status_code,
                    counted[0],
                    _masked(page.text),
                ]
    with open(out, "w") as file:
        json.dump(pages, file)


def compare(a: str, b: str) -> None:
    with open(a) as one, open(b) as two:
        before, after = json.load(one), json.load(two)
    differ = [k for k in before if before[k][::2] != after.get(k, [None, None, None])[::2]]
    for key in before:
        if before[key][1] != after[key][1]:
            print(f"{key}: {before[key][1]} -> {after[key][1]} statements")
    print(f"{len(before)} pages, {len(differ)} differ" + (f": {differ}" if differ else ""))
    sys.exit(1 if differ else 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("database")
    parser.add_argument("mode", choices=["time", "dump", "compare"])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--requests", type=int, default=60)
    args = parser.parse_args()
    if args.mode == "time":
        timed(args.database, args.requests)
    elif args.mode == "dump":
        dump(args.database, args.files[0])
    else:
        compare(*args.files)


if __name__ == "__main__":
    main()
