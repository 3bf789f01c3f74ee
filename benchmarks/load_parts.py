"""The parts of bench_load.py that run in processes of their own (no gevent there): the plan
(what the load test will ask for, and the statements the initiative page sends), the two bare
baselines served by gunicorn with verbinding's own options, the cable in front of PostgreSQL,
and the history check afterwards.

    python benchmarks/load_parts.py plan URL PLAN.pickle
    python benchmarks/load_parts.py bare {hello,jinja} PORT WORKERS THREADS URL PLAN.pickle
    python benchmarks/load_parts.py cable PORT UPSTREAM_PORT
    python benchmarks/load_parts.py check URL ACCEPTED.json
"""

from __future__ import annotations

import json
import os
import pickle
import re
import socket
import sys
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

#: the demo's accounts the load test signs in with (engine/demo.py)
EDITORS = ["anna@example.nl", "joost@example.nl", "fatima@example.nl", "willem@example.nl"]
COACH = "sanne@example.nl"
PASSWORD = "verbinding-demo"


def plan(url: str, out: str) -> None:
    """Every public initiative, the one the editors share (and a stage of it that takes new
    steps), and the statements and size of the biggest initiative page as a visitor sees it."""
    os.environ["VERBINDING_DATABASE_URL"] = url
    from bench_pages import Recorder
    from sqlalchemy import text

    from web import create_app

    app = create_app()
    client = app.test_client()
    home = client.get("/").get_data(as_text=True)
    initiatives = sorted({int(n) for n in re.findall(r'href="/initiatives/(\d+)"', home)})
    sizes = {n: len(client.get(f"/initiatives/{n}").data) for n in initiatives}
    biggest = max(sizes, key=lambda n: sizes[n])
    page = f"/initiatives/{biggest}"
    recorder = Recorder(app.extensions["verbinding"].engine)
    statements = recorder.capture(lambda: client.get(page))
    with app.extensions["verbinding"].engine.connect() as db:
        # the demo's first story: Anna's, with Joost, Fatima and Willem as members
        shared = db.execute(
            text(
                "SELECT i.id FROM initiatives i JOIN people p ON p.id = i.created_by_id "
                "WHERE p.email = :anna ORDER BY i.id LIMIT 1"
            ),
            {"anna": EDITORS[0]},
        ).scalar_one()
    signed = app.test_client()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', signed.get("/login").text)
    assert token, "no form on /login"
    signed.post("/login", data={"csrf_token": token.group(1), "email": EDITORS[0],
                                "password": PASSWORD})  # fmt: skip
    own = signed.get(f"/initiatives/{shared}").get_data(as_text=True)
    stage = re.search(
        rf'action="/initiatives/{shared}/steps".*?name="stage_key"[^>]*value="([^"]+)"', own, re.S
    )
    assert stage, "no form to add a step on the editors' initiative"
    app.extensions["verbinding"].close()
    with open(out, "wb") as f:
        pickle.dump({"initiatives": initiatives, "page": page, "size": sizes[biggest],
                     "statements": statements, "shared": shared,
                     "stage": stage.group(1)}, f)  # fmt: skip
    print(f"plan: initiatives {initiatives}, measured page {page} ({sizes[biggest]:,} bytes, "
          f"{len(statements)} statements), editors on /initiatives/{shared}")  # fmt: skip


BARE_TEMPLATE = """<!doctype html><html lang="nl"><head><title>{{ title }}</title></head><body>
<main><h1>{{ title }}</h1>{% for row in rows %}<div class="row"><a href="{{ row.href }}">
{{ row.title }}</a> <span>{{ row.note }}</span></div>{% endfor %}</main></body></html>"""


def bare_app(kind: str, url: str, plan_path: str):
    """(a) a Flask "hello"; (b) a Flask + Jinja page of the initiative page's size that first
    sends the initiative page's statements through a pooled DB-API connection."""
    from flask import Flask, render_template

    app = Flask("bare")
    if kind == "hello":

        @app.get("/")
        def hello():
            return "hello"

        return app
    from sqlalchemy import create_engine

    with open(plan_path, "rb") as f:
        facts = pickle.load(f)
    engine = create_engine(url, pool_size=8, max_overflow=8)
    statements, size = facts["statements"], facts["size"]
    # the rows make a page of the same size as the initiative page
    note = "Visievorming · 12 dagen in deze fase"
    rows = [{"href": f"/initiatives/{i}", "title": f"Initiatief {i:06d} met een titel",
             "note": note} for i in range(size // 120 + 1)]  # fmt: skip

    template = app.jinja_env.from_string(BARE_TEMPLATE)  # compiled once, as Flask does a file

    @app.get("/")
    def page():
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters in statements:
                cursor.execute(statement, parameters)
                if cursor.description is not None:
                    cursor.fetchall()
            raw.rollback()
        finally:
            raw.close()
        return render_template(template, title="Pagina", rows=rows)

    return app


def serve_bare(kind: str, port: int, workers: int, threads: int, url: str, plan_path: str):
    from engine.serving import WebServer, options

    class Bare(WebServer):
        def load(self):
            return bare_app(kind, url, plan_path)

    Bare(options("127.0.0.1", port, workers, threads)).run()


def cable(port: int, upstream: int) -> None:
    """A TCP forwarder to PostgreSQL; killing this process cuts every connection."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen(64)

    def pump(source: socket.socket, target: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    while True:
        client, _ = listener.accept()
        server = socket.create_connection(("127.0.0.1", upstream))
        for a, b in ((client, server), (server, client)):
            threading.Thread(target=pump, args=(a, b), daemon=True).start()


def check(url: str, accepted_path: str) -> None:
    """Every step and message the server accepted is in the initiative's history (its events)
    and discussion; prints what is missing and exits 1 then."""
    from sqlalchemy import create_engine, text

    with open(accepted_path) as f:
        accepted = json.load(f)
    engine = create_engine(url)
    with engine.connect() as db:
        titles = set(db.execute(text(
            "SELECT CAST(data AS JSONB) ->> 'title' FROM events "
            "WHERE initiative_id = :i AND kind = 'step.added'"), {"i": accepted["initiative"]},
        ).scalars())  # fmt: skip
        bodies = set(db.execute(text(
            "SELECT body FROM messages WHERE initiative_id = :i"), {"i": accepted["initiative"]},
        ).scalars())  # fmt: skip
    missing = [t for t in accepted["steps"] if t not in titles]
    missing += [b for b in accepted["messages"] if b not in bodies]
    print(f"history: {len(accepted['steps'])} steps and {len(accepted['messages'])} messages "
          f"accepted, {len(missing)} missing from the history")  # fmt: skip
    sys.exit(1 if missing else 0)


if __name__ == "__main__":
    what, *rest = sys.argv[1:]
    if what == "plan":
        plan(*rest)
    elif what == "bare":
        serve_bare(rest[0], int(rest[1]), int(rest[2]), int(rest[3]), rest[4], rest[5])
    elif what == "cable":
        cable(int(rest[0]), int(rest[1]))
    elif what == "check":
        check(*rest)
