"""A rolling upgrade (docs/deploy.md, "Upgrading"): the old version keeps serving while
`verbinding init` of a newer one applies an additive migration.

The old version is `verbinding serve --workers 2` (gunicorn) on a database at this code's
head. The newer version is this code plus one revision of the test's own (a new table and a new
nullable column, written into the test's folder, never into engine/migrations), applied by
`verbinding init` itself (its init lock, its migration, its template sync) in a process of its
own. While it runs and afterwards the old server answers its pages with 200 and takes a
resident's message; afterwards the database has the new table and column, and the old server's
/readyz still says ready (a database newer than the code is not one an `init` is missing)."""

from __future__ import annotations

import http.cookiejar
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, select

from engine.db import make_session_factory, utcnow
from engine.migrate import alembic_config
from engine.models import Message
from tests import factories
from tests.conftest import prepared_database
from tests.faults.conftest import wait_until
from tests.support import CSRF_RE, free_port

pytestmark = pytest.mark.faults
ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "wachtwoord-123"

#: the newer version's additive migration; the pause keeps `init` busy (holding its lock, in its
#: transaction) long enough for the old server to be asked for pages and take a write meanwhile
REVISION = """
import time

import sqlalchemy as sa
from alembic import op

revision = "r16"
down_revision = "{head}"


def upgrade():
    op.create_table(
        "rolling_notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("note", sa.Text, nullable=True),
    )
    time.sleep(1.5)
    op.add_column("initiatives", sa.Column("rolling_note", sa.Text, nullable=True))


def downgrade():
    op.drop_column("initiatives", "rolling_note")
    op.drop_table("rolling_notes")
"""

#: `verbinding init` of the newer version: the shipped migrations and the test's own folder
NEWER_INIT = """
import sys
import engine.migrate as migrate

shipped = migrate.alembic_config

def newer(url):
    cfg = shipped(url)
    cfg.set_main_option("path_separator", "os")
    cfg.set_main_option("version_locations", "{versions}" + __import__("os").pathsep + sys.argv[1])
    return cfg

migrate.alembic_config = newer
from engine.cli import main
main(["init"])
"""


class Resident:
    """A signed-in resident of the old server, over real HTTP with a cookie jar."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(jar), NoRedirect
        )
        self.token = self._token("/login")
        assert self.post("/login", {"email": email, "password": PASSWORD}) == 302
        self.token = self._token("/account")  # signing in starts a new session

    def get(self, path: str) -> tuple[int, str]:
        try:
            with self.opener.open(self.base + path, timeout=30) as answer:
                return answer.status, answer.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def _token(self, path: str) -> str:
        status, page = self.get(path)
        found = CSRF_RE.search(page)
        assert status == 200 and found, (status, page[:300])
        return found.group(1)

    def post(self, path: str, data: dict) -> int:
        body = urllib.parse.urlencode({"csrf_token": self.token, **data}).encode()
        try:
            with self.opener.open(self.base + path, data=body, timeout=30) as answer:
                return answer.status
        except urllib.error.HTTPError as error:
            return error.code


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_the_old_version_serves_while_init_applies_an_additive_migration(kind, tmp_path):
    engine = prepared_database(kind, tmp_path, "rolling")
    now = utcnow()
    with make_session_factory(engine)() as s:
        item = factories.initiative(s, now, members=1, title="Bankjes op de kade")
        anna = item.memberships[0].person
        page, email = f"/initiatives/{item.id}", anna.email
        s.commit()
    url = engine.url.render_as_string(hide_password=False)
    head = ScriptDirectory.from_config(alembic_config("")).get_current_head()
    newer = tmp_path / "newer"
    newer.mkdir()
    (newer / "r16_rolling_notes.py").write_text(REVISION.format(head=head))
    env = {k: v for k, v in os.environ.items() if not k.startswith("VERBINDING_")}
    instance = str(tmp_path / "instance")
    env.update(VERBINDING_DATABASE_URL=url, VERBINDING_SECRET_KEY="rolling-test",
               VERBINDING_INSTANCE_PATH=instance, PYTHONPATH=str(ROOT),
               VERBINDING_READY_SCHEDULER="off")  # fmt: skip
    port = free_port()
    old = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--no-scheduler", "--port", str(port),
         "--workers", "2", "--threads", "2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    answers: list[tuple[float, str, int]] = []
    stopping = threading.Event()
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until(lambda: _status(base + "/") == 200, what="the old server up")
        anna_web = Resident(base, email)

        def browse() -> None:
            while not stopping.is_set():
                for path in ("/", page, f"{page}/discussion"):
                    answers.append((time.monotonic(), path, anna_web.get(path)[0]))
                    time.sleep(0.05)

        reader = threading.Thread(target=browse)
        reader.start()
        versions = Path(alembic_config("").get_main_option("script_location") or "") / "versions"
        init = subprocess.Popen(
            [sys.executable, "-c", NEWER_INIT.format(versions=versions), str(newer)],
            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )  # fmt: skip
        started = time.monotonic()
        during = []
        while init.poll() is None:  # a message now and then while the newer init runs
            status = anna_web.post(f"{page}/discussion", {"body": f"Tijdens {len(during)}"})
            during.append((time.monotonic(), status))
            time.sleep(0.3)
        ended = time.monotonic()
        output = init.communicate()[0]
        assert init.returncode == 0, output
        assert "database ready" in output, output
        after = anna_web.post(f"{page}/discussion", {"body": "Erna"})
        # still ready: a load balancer keeps sending it requests until it is restarted
        ready = json.loads(anna_web.get("/readyz")[1])
        time.sleep(0.5)  # the reader asks for pages after the migration too
    finally:
        stopping.set()
        if "reader" in locals():
            reader.join(timeout=60)
        old.send_signal(signal.SIGINT)  # gunicorn's quick stop: the test is over
        server_output = old.communicate(timeout=60)[0]
    assert "Traceback" not in server_output, server_output[-3000:]
    assert answers and {status for _, _, status in answers} == {200}, answers
    assert any(started < at < ended for at, _, _ in answers), "no page asked during init"
    assert any(at > ended for at, _, _ in answers), "no page asked after init"
    assert during and all(status == 302 for _, status in during), during
    assert after == 302
    assert ready["status"] == "ready", ready
    assert ready["checks"]["migrations"]["database"] == ["r16"]
    assert ready["checks"]["migrations"]["newer"] is True
    with make_session_factory(engine)() as s:
        bodies = set(s.scalars(select(Message.body).where(Message.initiative_id == item.id)))
    assert {f"Tijdens {n}" for n in range(len(during))} | {"Erna"} <= bodies
    schema = inspect(engine)
    assert "rolling_notes" in schema.get_table_names()
    assert "rolling_note" in {c["name"] for c in schema.get_columns("initiatives")}
    engine.dispose()


def _status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0
