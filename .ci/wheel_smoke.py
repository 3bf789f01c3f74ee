"""Helpers of .ci/wheel-smoke (standard library only); also used by tests/test_packaging.py.

    python3 .ci/wheel_smoke.py build-wheel PYTHON DEST      build the wheel from a clean copy
    python3 .ci/wheel_smoke.py free-port                    print a free TCP port on loopback
    python3 .ci/wheel_smoke.py wait-port PORT SECONDS       wait until something listens there
    python3 .ci/wheel_smoke.py fetch URL [--lang L] [--contains T]… [--lacks T]…   GET, 200
    python3 .ci/wheel_smoke.py due-moment DATABASE          a moment when a step reminder is due
    python3 .ci/wheel_smoke.py english-reader DATABASE MOMENT   make one such reader read English
    python3 .ci/wheel_smoke.py check-mail MAILDIR [--english ADDRESS]
                                   reminders arrived, each in its reader's language

Each prints what it found; on a problem it prints one line saying what failed and exits 1.
"""

from __future__ import annotations

import argparse
import mailbox
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: never copied into the build: local state that is not part of the source
LOCAL = (".git", ".venv", "venv", "build", "dist", "instance", "__pycache__", "*.egg-info")


class SmokeFailure(Exception):
    """What failed, in one line."""


# -- the wheel -------------------------------------------------------------------------------


def source_files(root: Path = ROOT) -> list[Path]:
    """The files a clean checkout would have: tracked and new ones, not ignored, not deleted."""
    try:
        listed = subprocess.run(
            ["git", "-C", str(root), "ls-files", "-z", "--cached", "--others",
             "--exclude-standard"],
            check=True, capture_output=True,
        ).stdout  # fmt: skip
    except (OSError, subprocess.CalledProcessError):
        return []
    names = [name for name in listed.decode().split("\0") if name]
    return [Path(name) for name in names if (root / name).is_file()]


def copy_source(dest: Path, root: Path = ROOT) -> Path:
    """Copy the source tree to ``dest``: a build there leaves nothing behind in the tree, and
    sees no stale ``build/`` folder from an earlier one."""
    files = source_files(root)
    if not files:  # not a git checkout: everything but local state
        shutil.copytree(root, dest, ignore=shutil.ignore_patterns(*LOCAL))
        return dest
    for name in files:
        target = dest / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target)
    return dest


def build_wheel(python: str, dest: Path, root: Path = ROOT) -> Path:
    """Build the wheel with ``python -m pip wheel`` from a clean copy; return its path."""
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="verbinding-src-") as tmp:
        source = copy_source(Path(tmp) / "src", root)
        command = [python, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(dest), str(source)]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=300)
        except subprocess.TimeoutExpired as error:
            raise SmokeFailure("building the wheel took more than 300 seconds") from error
    if done.returncode != 0:
        raise SmokeFailure(f"building the wheel failed:\n{done.stdout}{done.stderr}")
    wheels = sorted(dest.glob("verbinding-*.whl"))
    if len(wheels) != 1:
        raise SmokeFailure(f"expected one wheel in {dest}, found {[w.name for w in wheels]}")
    return wheels[0]


# -- the running site ------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(1)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.2)
    raise SmokeFailure(f"nothing listens on 127.0.0.1:{port} after {seconds:g} seconds")


def fetch(url: str, contains: list[str], lacks: list[str], lang: str | None = None) -> None:
    request = urllib.request.Request(url, headers={"Accept-Language": lang} if lang else {})
    try:
        with urllib.request.urlopen(request, timeout=20) as response:
            status, body = response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as error:
        raise SmokeFailure(f"GET {url} answered {error.code}, not 200") from error
    except (urllib.error.URLError, OSError) as error:
        raise SmokeFailure(f"GET {url} failed: {error}") from error
    if status != 200:
        raise SmokeFailure(f"GET {url} answered {status}, not 200")
    missing = [text for text in contains if text not in body]
    if missing:
        raise SmokeFailure(f"GET {url}: the page lacks {missing}")
    present = [text for text in lacks if text in body]
    if present:
        raise SmokeFailure(f"GET {url}: the page shows {present}")
    print(f"GET {url}{f' ({lang})' if lang else ''}: 200, {len(body)} characters")


# -- reminders -------------------------------------------------------------------------------


def due_moment(database: Path, now: datetime | None = None) -> datetime:
    """A moment at which step reminders of the demo are due: just after the newest one that
    is due already (the demo's dates are relative to the day it ran), else the first one."""
    now = now or datetime.now(UTC)
    with sqlite3.connect(f"file:{database}?mode=ro", uri=True) as connection:
        rows = connection.execute(
            "SELECT due_dt FROM reminders WHERE status = 'pending' AND kind = 'step_due'"
        ).fetchall()
    moments = sorted(datetime.fromisoformat(due).replace(tzinfo=UTC) for (due,) in rows)
    if not moments:
        raise SmokeFailure(f"the demo planned no step reminders in {database}")
    passed = [moment for moment in moments if moment <= now]
    return (passed[-1] if passed else moments[0]) + timedelta(minutes=1)


def english_reader(database: Path, moment: datetime) -> str:
    """Make one reader of a reminder due by ``moment`` read English; return their address."""
    with sqlite3.connect(database) as connection:
        row = connection.execute(
            "SELECT p.id, p.email FROM reminders r JOIN people p ON p.id = r.person_id"
            " WHERE r.status = 'pending' AND r.kind = 'step_due' AND r.due_dt <= ?"
            " ORDER BY p.id LIMIT 1",
            (moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" "),),
        ).fetchone()
        if row is None:
            raise SmokeFailure(f"no step reminder is due by {moment.isoformat()} in {database}")
        connection.execute("UPDATE people SET locale = 'en' WHERE id = ?", (row[0],))
    return str(row[1])


def _text_of(message: Message) -> str:
    for part in message.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes):
                return payload.decode(part.get_content_charset() or "utf-8")
    return ""


#: what a Dutch reader gets (catalogue phrases of the reminder mail), and its English ids
DUTCH_SUBJECT, ENGLISH_SUBJECT = "Herinnering", "Reminder"
DUTCH_BODY = ("Hallo ", "Kies hoe en wanneer je herinneringen krijgt:")
ENGLISH_BODY = ("Hello ", "Choose how and when you get reminders:")


def check_mail(maildir: Path, english: str | None = None) -> int:
    """At least one reminder arrived, each in its reader's language (Dutch unless the reader
    is ``english``); return how many."""
    arrived = list(mailbox.Maildir(maildir, create=False)) if maildir.is_dir() else []
    # notifications of what happened (the demo assigns steps, for one) come along: each is
    # checked for its reader's language too, by its own phrases
    notices = [m for m in arrived if "<notifications." in str(m["List-Id"] or "")]
    messages = [m for m in arrived if m not in notices]
    if not messages:
        raise SmokeFailure(f"no reminder arrived at the SMTP sink ({maildir})")
    for notice in notices:
        _check_notification(notice, english)
    languages = []
    for message in messages:
        subject = str(make_header(decode_header(message["Subject"] or "")))
        text = _text_of(message)
        where = f"mail to {message['To']} ({subject!r})"
        in_english = _to_english(message, english)
        want, other = (ENGLISH_BODY, DUTCH_BODY) if in_english else (DUTCH_BODY, ENGLISH_BODY)
        start, wrong = (
            (ENGLISH_SUBJECT, DUTCH_SUBJECT) if in_english else (DUTCH_SUBJECT, ENGLISH_SUBJECT)
        )
        if not subject.startswith(start) or subject.startswith(wrong):
            raise SmokeFailure(f"{where}: the subject is not the {start!r} subject")
        missing = [phrase for phrase in want if phrase not in text]
        mixed = [phrase for phrase in other if phrase in text]
        if missing or mixed:
            raise SmokeFailure(f"{where}: the text lacks {missing} or has {mixed}:\n{text}")
        languages.append("en" if in_english else "nl")
    if english is not None and "en" not in languages:
        raise SmokeFailure(f"no mail arrived for the English reader {english}")
    first = str(make_header(decode_header(messages[0]["Subject"] or "")))
    print(
        f"{len(messages)} reminder mail(s) arrived: {languages.count('nl')} in Dutch, "
        f"{languages.count('en')} in English; the first: {first}; and {len(notices)} "
        "notification(s), each in its reader's language"
    )
    return len(messages)


#: phrases of the notification mail (catalogue), Dutch and their English ids
DUTCH_NOTICE = ("Hallo ", "Kies hoe en wanneer je deze berichten krijgt:")
ENGLISH_NOTICE = ("Hello ", "Choose how and when you get these messages:")


def _to_english(message: Message, english: str | None) -> bool:
    addresses = {address for _, address in getaddresses([str(message["To"] or "")])}
    return english is not None and english in addresses


def _check_notification(message: Message, english: str | None) -> None:
    """A notification is wholly in one language: Dutch, or English for the reader who reads
    English (those queued by the demo, before the smoke test switched a reader to English,
    are Dutch)."""
    subject = str(make_header(decode_header(message["Subject"] or "")))
    text = _text_of(message)
    dutch = all(p in text for p in DUTCH_NOTICE) and not any(p in text for p in ENGLISH_NOTICE)
    in_english = all(p in text for p in ENGLISH_NOTICE) and not any(p in text for p in DUTCH_NOTICE)
    if not (dutch or (in_english and _to_english(message, english))):
        raise SmokeFailure(
            f"notification to {message['To']} ({subject!r}) is not wholly in its reader's "
            f"language:\n{text}"
        )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build-wheel")
    build.add_argument("python")
    build.add_argument("dest", type=Path)
    commands.add_parser("free-port")
    wait = commands.add_parser("wait-port")
    wait.add_argument("port", type=int)
    wait.add_argument("seconds", type=float)
    get = commands.add_parser("fetch")
    get.add_argument("url")
    get.add_argument("--contains", action="append", default=[])
    get.add_argument("--lacks", action="append", default=[])
    get.add_argument("--lang", help="the Accept-Language the browser sends")
    due = commands.add_parser("due-moment")
    due.add_argument("database", type=Path)
    reader = commands.add_parser("english-reader")
    reader.add_argument("database", type=Path)
    reader.add_argument("moment")
    mail = commands.add_parser("check-mail")
    mail.add_argument("maildir", type=Path)
    mail.add_argument("--english", help="the address of the reader who reads English")
    args = parser.parse_args(argv)
    try:
        if args.command == "build-wheel":
            print(build_wheel(args.python, args.dest))
        elif args.command == "free-port":
            print(free_port())
        elif args.command == "wait-port":
            wait_port(args.port, args.seconds)
        elif args.command == "fetch":
            fetch(args.url, args.contains, args.lacks, args.lang)
        elif args.command == "due-moment":
            print(due_moment(args.database).isoformat())
        elif args.command == "english-reader":
            print(english_reader(args.database, datetime.fromisoformat(args.moment)))
        elif args.command == "check-mail":
            check_mail(args.maildir, args.english)
    except SmokeFailure as failure:
        print(f"wheel-smoke: FAILED: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
