"""Where uploaded files are kept: attached documents and consultation photos, each under a
random name, never under the user's.

Two kinds of storage answer the same questions (:class:`Storage`): a folder on local disk
(:class:`LocalStorage`, the default) and an S3-compatible bucket (``engine.storage_s3``, chosen
with ``VERBINDING_STORAGE=s3``), so several hosts can serve the same files.
``engine.storage_setup.storage_for`` makes the one the configuration names.

The database holds the row; the storage holds the bytes. They must not drift apart: a file
saved for a transaction that is rolled back is deleted again, and a file whose row is deleted
is removed only once that deletion is committed (:func:`on_commit`, :func:`on_rollback`).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from engine.errors import VerbindingError
from engine.i18n import msg

log = logging.getLogger(__name__)

#: what a stored name looks like: two hex digits of fan-out, a random hex name, an extension
_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z0-9]{1,8})?$")


def is_stored_name(name: str) -> bool:
    """Whether ``name`` is one that :meth:`Storage.save` hands out."""
    return bool(_NAME.match(name or ""))


class StorageUnavailable(VerbindingError):
    """The storage cannot be reached or refuses (a bucket that does not answer): nothing was
    stored or read; the visitor may try again later."""

    def __init__(self) -> None:
        super().__init__(
            msg(
                "The file store cannot be reached just now. Nothing was saved or changed; "
                "try again in a few minutes."
            )
        )


@dataclass(frozen=True)
class ByteRange:
    """A part of a stored file, as an HTTP ``Range: bytes=…`` asks for it (one range).

    ``ByteRange(0, 1023)`` is the first KiB (``end`` is inclusive, as in HTTP);
    ``ByteRange(10)`` is everything from byte 10 on; ``ByteRange(-500)`` is the last 500 bytes
    (a suffix: the size need not be known to ask for it).
    """

    start: int
    end: int | None = None

    def __post_init__(self) -> None:
        if self.start < 0 and self.end is not None:
            raise ValueError(f"a suffix range has no end: {self!r}")
        if self.end is not None and self.end < self.start:
            raise ValueError(f"a range that ends before it starts: {self!r}")

    def header(self) -> str:
        """As an HTTP (and S3) ``Range`` header: ``bytes=0-1023``, ``bytes=10-``, ``bytes=-500``."""
        if self.start < 0:
            return f"bytes={self.start}"
        return f"bytes={self.start}-{'' if self.end is None else self.end}"

    def within(self, size: int) -> tuple[int, int] | None:
        """The first and last byte (inclusive) this range covers of a file of ``size`` bytes;
        None when it lies wholly beyond the end (HTTP's 416)."""
        if self.start < 0:
            return (max(size + self.start, 0), size - 1) if size else None
        if self.start >= size:
            return None
        return self.start, size - 1 if self.end is None else min(self.end, size - 1)


@dataclass(frozen=True)
class Opened:
    """A stored file, ready to be sent: a local file (``path``) or a stream (``file``).

    ``size``, ``modified`` and ``etag`` are always the whole file's. Opened with a
    :class:`ByteRange`, a stream holds only the bytes ``part`` names (first and last,
    inclusive); ``part`` is None when ``file`` is the whole file, or when there is only a
    ``path`` (whoever sends it cuts it). ``beyond_end``: the range asked for starts past the
    end of the file, so there is nothing to send (neither ``path`` nor ``file``).
    """

    size: int
    modified: datetime
    etag: str
    path: Path | None = None
    file: BinaryIO | None = None
    part: tuple[int, int] | None = None
    beyond_end: bool = False

    @property
    def length(self) -> int:
        """How many bytes there are to send: the part's, or the whole file's."""
        if self.beyond_end:
            return 0
        return self.size if self.part is None else self.part[1] - self.part[0] + 1


class Storage(ABC):
    """A place for stored files, addressed by the names :meth:`save` hands out."""

    def save(self, data: bytes, extension: str = "") -> str:
        """Keep ``data`` under a new random name and return that name (or raise
        :class:`StorageUnavailable`, having kept nothing)."""
        extension = extension.lower().lstrip(".")
        if extension and not re.fullmatch(r"[a-z0-9]{1,8}", extension):
            raise ValueError(f"unusable extension: {extension!r}")
        token = secrets.token_hex(16)
        name = f"{token[:2]}/{token}" + (f".{extension}" if extension else "")
        self.put(name, data)
        log.info("stored %d bytes as %s in %s", len(data), name, self.describe())
        return name

    @staticmethod
    def check(name: str) -> str:
        """``name``, refused unless it was made by :meth:`save`."""
        if not is_stored_name(name):
            raise ValueError(f"not a stored file name: {name!r}")
        return name

    @abstractmethod
    def describe(self) -> str:
        """Where the files are, for an operator: a folder or a bucket."""

    @abstractmethod
    def put(self, name: str, data: bytes) -> None:
        """Keep ``data`` under the stored name ``name`` (a restore puts files back this way)."""

    @abstractmethod
    def exists(self, name: str) -> bool: ...

    @abstractmethod
    def read(self, name: str) -> bytes | None:
        """The stored file's bytes; None when it is gone."""

    @abstractmethod
    def open(self, name: str, byte_range: ByteRange | None = None) -> Opened | None:
        """The stored file to send to a browser; None when it is gone.

        With ``byte_range``, a storage that streams the file fetches only that part (see
        :class:`Opened`); one that hands out a local ``path`` leaves the cutting to the sender.
        """

    @abstractmethod
    def delete(self, name: str) -> None:
        """Remove a stored file; a file that is already gone is fine."""

    @abstractmethod
    def names(self) -> Iterator[str]:
        """Every stored name, in order (what a backup copies)."""

    @abstractmethod
    def ping(self) -> None:
        """Raise :class:`StorageUnavailable` when files can neither be kept nor read now
        (what ``/readyz`` asks)."""

    def occupied(self) -> int:
        """How many files are there already (a restore wants none)."""
        return sum(1 for _ in self.names())


class LocalStorage(Storage):
    """A folder of stored files on local disk."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def describe(self) -> str:
        return f"the upload folder {self.root}"

    def ping(self) -> None:
        """The folder (or, before the first upload, the nearest folder above it that exists)
        can be written to."""
        folder = self.root
        while not folder.exists() and folder != folder.parent:
            folder = folder.parent
        if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
            log.error("%s cannot be written to", self.describe())
            raise StorageUnavailable()

    def path(self, name: str) -> Path:
        """The file for a stored name; a name that was not made by :meth:`save` is refused."""
        return self.root / self.check(name)

    def put(self, name: str, data: bytes) -> None:
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        with open(partial, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        partial.replace(path)

    def exists(self, name: str) -> bool:
        try:
            return self.path(name).is_file()
        except ValueError:
            return False

    def read(self, name: str) -> bytes | None:
        try:
            return self.path(name).read_bytes()
        except (FileNotFoundError, ValueError):
            return None

    def open(self, name: str, byte_range: ByteRange | None = None) -> Opened | None:
        """The file's ``path``, whole: Werkzeug's ``send_file`` answers ranges from it."""
        try:
            path = self.path(name)
            stat = path.stat()
        except (FileNotFoundError, ValueError):
            return None
        modified = datetime.fromtimestamp(stat.st_mtime, UTC)
        return Opened(stat.st_size, modified, f"{stat.st_mtime_ns:x}-{stat.st_size:x}", path=path)

    def delete(self, name: str) -> None:
        try:
            self.path(name).unlink()
        except FileNotFoundError:
            pass
        except ValueError:
            log.warning("not deleting %r: not a stored file name", name)
            return
        log.info("deleted stored file %s", name)

    def occupied(self) -> int:
        """Any file counts, stored by us or not: a restore does not mix with a folder in use."""
        if not self.root.is_dir():
            return 0
        return sum(1 for p in self.root.rglob("*") if p.is_file() and p.suffix != ".part")

    def names(self) -> Iterator[str]:
        if not self.root.is_dir():
            return
        for path in sorted(self.root.rglob("*")):
            name = path.relative_to(self.root).as_posix()
            if path.is_file() and is_stored_name(name):
                yield name


# --- file actions that follow the outcome of a database transaction ------------------------

_COMMIT = "storage.on_commit"
_ROLLBACK = "storage.on_rollback"


def on_commit(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` once the session's current transaction is committed (dropped on rollback)."""
    session.info.setdefault(_COMMIT, []).append(action)


def on_rollback(session: Session, action: Callable[[], None]) -> None:
    """Run ``action`` if the session's current transaction is rolled back (dropped on commit)."""
    session.info.setdefault(_ROLLBACK, []).append(action)


def _run(actions: list[Callable[[], None]]) -> None:
    for action in actions:
        try:
            action()
        except Exception:  # noqa: BLE001 - a file left behind must not break the request
            log.exception("file action after the transaction failed")


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released: the outer transaction decides
    session.info.pop(_ROLLBACK, None)
    _run(session.info.pop(_COMMIT, []))


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is not None:
        return  # a savepoint or a subtransaction: the outer transaction decides
    # after a commit the rollback actions are gone already; what is left was rolled back
    session.info.pop(_COMMIT, None)
    _run(session.info.pop(_ROLLBACK, []))
