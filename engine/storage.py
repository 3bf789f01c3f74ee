"""Files on disk for attached documents: saved under a random name, never under the user's.

The database holds the row; the folder holds the bytes. They must not drift apart: a file
saved for a transaction that is rolled back is deleted again, and a file whose row is deleted
is removed only once that deletion is committed (:func:`on_commit`, :func:`on_rollback`).
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

log = logging.getLogger(__name__)

#: what a stored name looks like: two hex digits of fan-out, a random hex name, an extension
_NAME = re.compile(r"^[0-9a-f]{2}/[0-9a-f]{32}(\.[a-z0-9]{1,8})?$")


class Storage:
    """A folder of stored files, addressed by the names :meth:`save` hands out."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def path(self, name: str) -> Path:
        """The file for a stored name; a name that was not made by :meth:`save` is refused."""
        if not _NAME.match(name or ""):
            raise ValueError(f"not a stored file name: {name!r}")
        return self.root / name

    def save(self, data: bytes, extension: str = "") -> str:
        """Write ``data`` under a new random name and return that name."""
        extension = extension.lower().lstrip(".")
        if extension and not re.fullmatch(r"[a-z0-9]{1,8}", extension):
            raise ValueError(f"unusable extension: {extension!r}")
        token = secrets.token_hex(16)
        name = f"{token[:2]}/{token}" + (f".{extension}" if extension else "")
        path = self.path(name)
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        with open(partial, "xb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        partial.replace(path)
        log.info("stored %d bytes as %s", len(data), name)
        return name

    def exists(self, name: str) -> bool:
        try:
            return self.path(name).is_file()
        except ValueError:
            return False

    def open(self, name: str) -> BinaryIO:
        return open(self.path(name), "rb")

    def delete(self, name: str) -> None:
        """Remove a stored file; a file that is already gone is fine."""
        try:
            self.path(name).unlink()
        except FileNotFoundError:
            pass
        except ValueError:
            log.warning("not deleting %r: not a stored file name", name)
            return
        log.info("deleted stored file %s", name)


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
