"""`verbinding backup` and `verbinding restore`: a database filled with the demo and uploaded
files, backed up and restored into an empty database and an empty upload folder, holds every
initiative, every event and every file again; a restore over something refuses unless told."""

from __future__ import annotations

import io
import subprocess
import tarfile
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest
from click.testing import CliRunner
from PIL import Image
from psycopg import sql as psql
from sqlalchemy import select

from engine.cli import main
from engine.db import make_engine, make_session_factory, utcnow
from engine.models import Document, Event, Initiative
from engine.operations.documents import attach_document
from engine.storage import LocalStorage, Storage
from tests.conftest import new_database_url


def run(url: str, instance: Path, *args: str, settings: dict[str, str] | None = None):
    env = {"VERBINDING_DATABASE_URL": url, "VERBINDING_INSTANCE_PATH": str(instance)}
    env.update(settings or {})
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (20, 120, 60)).save(out, "PNG")
    return out.getvalue()


def fill(url: str, instance: Path, storage: Storage | None = None) -> None:
    """The demo, and real files attached by each group's initiator (a text and a picture)."""
    assert run(url, instance, "demo").exit_code == 0
    engine = make_engine(url)
    storage = storage or LocalStorage(instance / "uploads")
    with make_session_factory(engine)() as s:
        for item in s.scalars(select(Initiative).where(Initiative.memberships.any())):
            initiator = item.memberships[0].person
            for name, data in ((f"verslag-{item.id}.txt", f"Verslag {item.title}\n".encode()),
                               (f"foto-{item.id}.png", picture())):  # fmt: skip
                attach_document(s, initiator, item.id, filename=name, data=data,
                                storage=storage, now=utcnow())  # fmt: skip
        s.commit()
    engine.dispose()


def contents(url: str, uploads: Path | Storage) -> dict:
    """Every initiative, every event and every stored file (name → bytes) the rows name."""
    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        found = {
            "initiatives": s.execute(
                select(Initiative.id, Initiative.title, Initiative.state, Initiative.version)
            ).all(),
            "events": s.execute(
                select(Event.id, Event.initiative_id, Event.kind, Event.created_dt)
            ).all(),
            "documents": s.execute(select(Document.id, Document.storage_name)).all(),
        }
    engine.dispose()
    storage = LocalStorage(uploads) if isinstance(uploads, Path) else uploads
    found["files"] = {
        name: data for _, name in found["documents"] if (data := storage.read(name)) is not None
    }
    return found


def test_backup_restores_every_initiative_event_and_file_into_an_empty_target(
    database_url, tmp_path
):
    kind = "sqlite" if database_url.startswith("sqlite") else "postgres"
    source = tmp_path / "source"
    fill(database_url, source)
    before = contents(database_url, source / "uploads")
    assert len(before["files"]) >= 6 and len(before["events"]) > 50
    archive = tmp_path / "backups" / "verbinding.tar"

    made = run(database_url, source, "backup", str(archive))
    assert made.exit_code == 0, made.output
    assert f"{len(before['files'])} file(s)" in made.output
    with tarfile.open(archive) as tar:
        assert "manifest.json" in tar.getnames()

    target_url = new_database_url(kind, tmp_path, "restored")
    target = tmp_path / "target"
    back = run(target_url, target, "restore", str(archive))
    assert back.exit_code == 0, back.output
    after = contents(target_url, target / "uploads")
    assert after == before
    # the restored database is at the newest migration: init finds nothing to do
    assert run(target_url, target, "init").exit_code == 0


def test_restore_refuses_a_target_that_is_not_empty_unless_forced(database_url, tmp_path):
    kind = "sqlite" if database_url.startswith("sqlite") else "postgres"
    source = tmp_path / "source"
    fill(database_url, source)
    archive = tmp_path / "verbinding.tar"
    assert run(database_url, source, "backup", str(archive)).exit_code == 0
    before = contents(database_url, source / "uploads")

    # a database with something in it
    refused = run(database_url, tmp_path / "elsewhere", "restore", str(archive))
    assert refused.exit_code == 1
    assert "the target is not empty: the database has" in refused.output
    assert "--force" in refused.output
    assert not (tmp_path / "elsewhere" / "uploads").exists()  # nothing was written

    # an empty database but an upload folder with files in it
    target_url = new_database_url(kind, tmp_path, "restored")
    busy = tmp_path / "busy"
    (busy / "uploads" / "ab").mkdir(parents=True)
    (busy / "uploads" / "ab" / "leftover.txt").write_text("iets")
    refused = run(target_url, busy, "restore", str(archive))
    assert refused.exit_code == 1 and "the upload folder" in refused.output
    engine = make_engine(target_url)
    from sqlalchemy import inspect

    assert inspect(engine).get_table_names() == []  # the database was left alone
    engine.dispose()

    # told to: the backup replaces what the target holds
    forced = run(database_url, source, "restore", "--force", str(archive))
    assert forced.exit_code == 0, forced.output
    assert contents(database_url, source / "uploads") == before


def test_a_bucket_is_backed_up_and_restored_into_an_empty_bucket(database_url, tmp_path, s3_server):
    """With the files in S3, `backup` reads them from the bucket into the archive and
    `restore` puts them into the (empty) bucket the target is configured with."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgres"
    bucket, other = s3_server.new_bucket(), s3_server.new_bucket()
    source = s3_server.settings(bucket, prefix="groningen/")
    fill(database_url, tmp_path / "source", s3_server.storage(bucket, prefix="groningen/"))
    before = contents(database_url, s3_server.storage(bucket, prefix="groningen/"))
    assert len(before["files"]) >= 6
    archive = tmp_path / "verbinding.tar"
    made = run(database_url, tmp_path / "source", "backup", str(archive), settings=source)
    assert made.exit_code == 0, made.output
    assert f"{len(before['files'])} file(s) from the bucket s3://{bucket}/groningen/" in made.output
    assert not (tmp_path / "source" / "uploads").exists()  # nothing went through a folder

    target_url = new_database_url(kind, tmp_path, "restored")
    target = s3_server.settings(other)
    # the source's bucket is not empty: a restore into it is refused, and writes nothing
    refused = run(target_url, tmp_path / "t", "restore", str(archive), settings=source)
    assert refused.exit_code == 1 and f"the bucket s3://{bucket}/groningen/" in refused.output
    back = run(target_url, tmp_path / "t", "restore", str(archive), settings=target)
    assert back.exit_code == 0, back.output
    assert contents(target_url, s3_server.storage(other)) == before
    assert all(not key.startswith("groningen/") for key in s3_server.keys(other))


def test_backup_from_a_bucket_that_does_not_answer_says_so_in_one_line(tmp_path, s3_server):
    url = f"sqlite:///{tmp_path / 'v.db'}"
    assert run(url, tmp_path, "init").exit_code == 0
    result = run(url, tmp_path, "backup", str(tmp_path / "b.tar"),
                 settings=s3_server.settings("verbinding-nooit-gemaakt"))  # fmt: skip
    assert result.exit_code == 1
    assert "error: the file storage cannot be reached" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "b.tar").exists() and not (tmp_path / "b.tar.part").exists()


def test_a_file_that_is_not_a_backup_is_refused(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    stray = tmp_path / "stray.tar"
    stray.write_bytes(b"not a tar file")
    result = run(url, tmp_path, "restore", str(stray))
    assert result.exit_code == 1 and "is not a Verbinding backup" in result.output
    missing = run(url, tmp_path, "restore", str(tmp_path / "nowhere.tar"))
    assert missing.exit_code == 1 and "no backup file at" in missing.output


def test_a_backup_with_an_entry_outside_its_folder_is_refused_and_writes_nothing(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    hostile = tmp_path / "hostile.tar"
    with tarfile.open(hostile, "w") as tar:
        for name, data in (("manifest.json", b'{"format": "verbinding-backup", "version": 1, '
                           b'"database": "sqlite", "revision": null, "created": "", "files": 1}'),
                           ("../escaped.txt", b"buiten de map")):  # fmt: skip
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    result = run(url, tmp_path / "instance", "restore", str(hostile))
    assert result.exit_code == 1 and "an entry that is not allowed: ../escaped.txt" in result.output
    assert not (tmp_path / "escaped.txt").exists()


def test_backup_while_the_database_is_away_says_so_in_one_line(tmp_path):
    away = "postgresql+psycopg://postgres@127.0.0.1:1/verbinding"
    result = run(away, tmp_path, "backup", str(tmp_path / "b.tar"))
    assert result.exit_code == 1
    assert "error: the database cannot be reached" in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "b.tar").exists() and not (tmp_path / "b.tar.part").exists()


@pytest.mark.postgres
def test_a_password_reaches_pg_dump_and_pg_restore_but_not_their_arguments(tmp_path, monkeypatch):
    """A PostgreSQL of the test's own that asks for a password (one with ':' and '@' in it)."""
    from tests.faults.pgcluster import Cluster, postgres_bin

    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("PostgreSQL's initdb and pg_ctl are not installed")
    cluster = Cluster(bindir).init()
    try:
        (cluster.data / "pg_hba.conf").write_text(
            "local all all trust\nhost all all 127.0.0.1/32 scram-sha-256\n"
        )
        cluster.start()
        secret = "ge:heim@1\\x"
        with psycopg.connect(f"host={cluster.root} port={cluster.port} user=postgres "
                             "dbname=postgres", autocommit=True) as conn:  # fmt: skip
            conn.execute(psql.SQL("ALTER ROLE postgres PASSWORD {}").format(psql.Literal(secret)))
            conn.execute("CREATE DATABASE bron")
            conn.execute("CREATE DATABASE doel")
        seen: list[list[str]] = []
        real_run = subprocess.run

        def watched(command, *args, **kwargs):
            seen.append([str(c) for c in command])
            return real_run(command, *args, **kwargs)

        monkeypatch.setattr(subprocess, "run", watched)
        base = f"postgresql+psycopg://postgres:{quote(secret, safe='')}@127.0.0.1:{cluster.port}"
        assert run(f"{base}/bron", tmp_path / "a", "init").exit_code == 0
        archive = tmp_path / "b.tar"
        made = run(f"{base}/bron", tmp_path / "a", "backup", str(archive))
        assert made.exit_code == 0, made.output
        back = run(f"{base}/doel", tmp_path / "b", "restore", str(archive))
        assert back.exit_code == 0, back.output
        tools = [c for c in seen if Path(c[0]).name in ("pg_dump", "pg_restore")]
        assert {Path(c[0]).name for c in tools} == {"pg_dump", "pg_restore"}
        assert not any("heim" in part for c in tools for part in c)
    finally:
        cluster.destroy()
