"""``verbinding backup`` and ``verbinding restore``: the database and the uploaded files (the
upload folder, or the S3 bucket: engine.storage) in one archive (an uncompressed tar file), and
back. A restore puts the files back into whichever storage is configured then, so a site can
also move from its folder into a bucket (or back) this way.

The archive holds ``manifest.json`` (what kind of database, which migration, how many files),
the database (``database.sqlite`` made with SQLite's backup API, or ``database.dump`` in
``pg_dump``'s custom format) and ``uploads/`` (every stored file under its stored name).

Consistent: stored files are never changed, only added (before the row that names them is
committed) and removed (after the deletion of that row is committed). So the uploads are listed
and read twice, once before the database's snapshot and once after it: every file a row in the
snapshot names is in the archive, unless it was added and removed again while the backup ran.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine

from engine.storage import Storage, is_stored_name

FORMAT = "verbinding-backup"
VERSION = 1
MANIFEST = "manifest.json"
UPLOADS = "uploads"


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message says why and what to do."""


@dataclass(frozen=True)
class Manifest:
    database: str  # "sqlite" or "postgresql"
    revision: str | None
    created: str
    files: int

    def to_json(self) -> str:
        return json.dumps({"format": FORMAT, "version": VERSION, **self.__dict__}, indent=2)

    @classmethod
    def from_json(cls, data: str) -> Manifest:
        found = json.loads(data)
        if found.get("format") != FORMAT or found.get("version") != VERSION:
            raise BackupError("not a Verbinding backup (or of a newer version)")
        return cls(found["database"], found["revision"], found["created"], found["files"])


# --- making a backup ---------------------------------------------------------------------------


def backup(engine: Engine, storage: Storage, target: Path) -> Manifest:
    """Write the database and the uploads into the archive ``target`` (written beside it under a
    temporary name first, so a failed backup never leaves half an archive under that name)."""
    kind = _kind(engine)
    partial = target.with_name(target.name + ".part")
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with tempfile.TemporaryDirectory(prefix="verbinding-backup-") as work:
            dump = Path(work) / ("database.sqlite" if kind == "sqlite" else "database.dump")
            with tarfile.open(partial, "w") as archive:
                added: set[str] = set()
                _add_uploads(archive, storage, added)  # before the snapshot…
                if kind == "sqlite":
                    _sqlite_copy(_sqlite_path(engine.url), dump)
                else:
                    _pg_dump(engine, dump)
                _add_uploads(archive, storage, added)  # …and those added meanwhile
                archive.add(dump, arcname=dump.name)
                made = datetime.now(UTC).isoformat()
                manifest = Manifest(kind, _revision(engine), made, len(added))
                info = tarfile.TarInfo(MANIFEST)
                body = manifest.to_json().encode()
                info.size = len(body)
                info.mtime = int(datetime.now(UTC).timestamp())
                archive.addfile(info, io.BytesIO(body))
            with open(partial, "rb+") as f:
                os.fsync(f.fileno())
            partial.replace(target)
    except BaseException:
        partial.unlink(missing_ok=True)  # half an archive is no backup
        raise
    return manifest


def _stored_files(upload_dir: Path) -> Iterator[Path]:
    if not upload_dir.is_dir():
        return
    for path in sorted(upload_dir.rglob("*")):
        if path.is_file() and is_stored_name(path.relative_to(upload_dir).as_posix()):
            yield path


def _add_uploads(archive: tarfile.TarFile, storage: Storage, added: set[str]) -> None:
    for name in list(storage.names()):
        if name in added:
            continue
        data = storage.read(name)
        if data is None:  # removed after its row was deleted: not in the snapshot
            continue
        info = tarfile.TarInfo(f"{UPLOADS}/{name}")
        info.size = len(data)
        info.mtime = int(datetime.now(UTC).timestamp())
        archive.addfile(info, io.BytesIO(data))
        added.add(name)


def _sqlite_copy(source: Path, target: Path) -> None:
    """A consistent copy of a live SQLite database (WAL included), through the backup API."""
    if not source.is_file():
        raise BackupError(f"no SQLite database at {source}")
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_dump(engine: Engine, target: Path) -> None:
    command = [_pg_tool("pg_dump", engine), "--format=custom", "--no-owner", "--no-privileges",
               "--file", str(target)]  # fmt: skip
    _run(command, engine.url)


# --- restoring ---------------------------------------------------------------------------------


def read_manifest(source: Path) -> Manifest:
    if not source.is_file():
        raise BackupError(f"no backup file at {source}")
    try:
        with tarfile.open(source, "r") as archive:
            member = archive.extractfile(MANIFEST)
            if member is None:
                raise KeyError(MANIFEST)
            return Manifest.from_json(member.read().decode())
    except (tarfile.TarError, KeyError, ValueError) as exc:
        raise BackupError(f"{source} is not a Verbinding backup ({exc})") from None


def is_empty(engine: Engine, storage: Storage) -> list[str]:
    """What is in the way of a restore: tables in the database, files in the storage."""
    found = []
    tables = inspect(engine).get_table_names()
    if tables:
        found.append(f"the database has {len(tables)} table(s)")
    files = storage.occupied()
    if files:
        found.append(f"{storage.describe()} has {files} file(s)")
    return found


def restore(engine: Engine, storage: Storage, source: Path, force: bool = False) -> Manifest:
    """Put the backup ``source`` into the database and the storage. Refused when either
    holds something already, unless ``force`` (then the backup replaces what it holds)."""
    manifest = read_manifest(source)
    kind = _kind(engine)
    if manifest.database != kind:
        raise BackupError(
            f"this backup is of a {manifest.database} database; it cannot be restored into {kind}"
        )
    in_the_way = is_empty(engine, storage)
    if in_the_way and not force:
        raise BackupError(
            "the target is not empty: " + "; ".join(in_the_way)
            + ". Restore into an empty database and upload folder, or add --force to replace "
            "what the backup holds"
        )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="verbinding-restore-") as work:
        folder = Path(work)
        with tarfile.open(source, "r") as archive:
            _extract(archive, folder)
        engine.dispose()  # no pooled connection may hold the old database open
        if kind == "sqlite":
            _sqlite_restore(folder / "database.sqlite", _sqlite_path(engine.url))
        else:
            _pg_restore(engine, folder / "database.dump", clean=bool(in_the_way))
        uploads = folder / UPLOADS
        for path in _stored_files(uploads):
            storage.put(path.relative_to(uploads).as_posix(), path.read_bytes())
    return manifest


def _extract(archive: tarfile.TarFile, folder: Path) -> None:
    """Unpack only plain files and folders inside ``folder`` (never links or paths that climb
    out), whatever the archive holds."""
    for member in archive.getmembers():
        name = Path(member.name)
        if name.is_absolute() or ".." in name.parts or not (member.isfile() or member.isdir()):
            raise BackupError(f"the backup holds an entry that is not allowed: {member.name}")
    if hasattr(tarfile, "data_filter"):  # Python 3.11.4 and newer
        archive.extractall(folder, filter="data")
    else:  # pragma: no cover - older Python: the check above is the filter
        archive.extractall(folder)


def _sqlite_restore(source: Path, target: Path) -> None:
    """Write the backup over the database file through the backup API (its WAL too)."""
    if not source.is_file():
        raise BackupError("the backup holds no SQLite database")
    target.parent.mkdir(parents=True, exist_ok=True)
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _pg_restore(engine: Engine, dump: Path, clean: bool) -> None:
    if not dump.is_file():
        raise BackupError("the backup holds no PostgreSQL dump")
    command = [
        _pg_tool("pg_restore", engine),
        "--no-owner",
        "--no-privileges",
        "--exit-on-error",
        "--single-transaction",
    ]
    if clean:
        command += ["--clean", "--if-exists"]
    _run(command, engine.url, str(dump))


# --- helpers -----------------------------------------------------------------------------------


def _kind(engine: Engine) -> str:
    kind = engine.url.get_backend_name()
    if kind not in ("sqlite", "postgresql"):
        raise BackupError(f"backups are made of SQLite and PostgreSQL only, not {kind}")
    if kind == "sqlite" and (engine.url.database or ":memory:") == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return kind


def _sqlite_path(url: URL) -> Path:
    return Path(url.database or "").resolve()


def _revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _libpq_uri(url: URL, passfile: Path | None = None) -> str:
    """The URL for libpq's tools; a password is not in it (a process list shows arguments) but
    in a password file of its own."""
    query = dict(url.query)
    if passfile is not None:
        query["passfile"] = str(passfile)
    plain = URL.create("postgresql", username=url.username, host=url.host, port=url.port,
                       database=url.database, query=query)  # fmt: skip
    return plain.render_as_string(hide_password=False)


def _run(command: list[str], url: URL, *tail: str) -> None:
    """Run a PostgreSQL tool on the database at ``url`` (``--dbname``), then ``tail``."""
    with tempfile.TemporaryDirectory(prefix="verbinding-pg-") as work:
        passfile = None
        if url.password is not None:
            passfile = Path(work) / "pgpass"

            def escaped(value: object) -> str:
                return str(value).replace("\\", "\\\\").replace(":", "\\:")

            passfile.write_text(f"*:*:*:*:{escaped(url.password)}\n")
            passfile.chmod(0o600)
        dbname = ["--dbname", _libpq_uri(url, passfile)]
        done = subprocess.run([*command, *dbname, *tail], capture_output=True, text=True)
    if done.returncode != 0:
        tool = Path(command[0]).name
        raise BackupError(f"{tool} failed: {done.stderr.strip() or done.stdout.strip()}")


def _major(version_text: str) -> int:
    found = re.search(r"(\d+)(?:\.\d+)?", version_text)
    if not found:
        raise BackupError(f"cannot read a version from {version_text!r}")
    return int(found.group(1))


def _pg_tool(name: str, engine: Engine) -> str:
    """``pg_dump`` or ``pg_restore`` of the server's major version or newer (an older one refuses
    to dump a newer server): on PATH, or Debian's /usr/lib/postgresql/<major>/bin."""
    with engine.connect() as connection:
        server = _major(str(connection.execute(text("SHOW server_version")).scalar()))
    candidates = [shutil.which(name)]
    candidates += [str(p) for p in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))]
    seen = []
    for candidate in candidates:
        if not candidate or not Path(candidate).is_file():
            continue
        done = subprocess.run([candidate, "--version"], capture_output=True, text=True)
        major = _major(done.stdout)
        seen.append(f"{candidate} ({major})")
        if major >= server:
            return candidate
    raise BackupError(
        f"{name} of PostgreSQL {server} or newer is needed (the server runs {server}); found: "
        + (", ".join(seen) or "none")
        + ". Install the client tools of that version (Debian: postgresql-client-"
        f"{server})"
    )
