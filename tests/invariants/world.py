"""One example's world: a transaction rolled back at the end, people, a clock and the sweeper.

Every hypothesis example runs inside one outer transaction on the shared prepared database
(``db_engine`` of tests/conftest.py) and rolls it back at the end: no example sees another's
rows, and nothing has to be deleted. Each operation runs in a savepoint of its own, released
when it succeeds and rolled back when it is refused, as a request's transaction would be.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.config import Config, default_config
from engine.errors import VerbindingError
from engine.models import Person
from engine.storage import LocalStorage

#: the residents of every example: the initiator first, then neighbours who may join
RESIDENTS = ("Anna de Vries", "Bram Bakker", "Cor Jansen", "Dewi Smit", "Eva Mulder", "Fleur Kok")


class _Engine:
    """What the sweeper asks of ``runtime.engine``: a connection, here the example's own."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection

    def connect(self):
        return nullcontext(self._connection)


@dataclass
class SweepRuntime:
    """A stand-in for :class:`engine.runtime.Runtime` whose sessions live in the example's
    transaction: a step's ``commit`` releases a savepoint instead of committing."""

    config: Config
    engine: Any
    sessions: sessionmaker[Session]


@dataclass(frozen=True)
class Refusal:
    """An operation said no (a typed engine error); the world was rolled back to before it."""

    error: VerbindingError


class World:
    """The database transaction, the clock and the people of one example."""

    def __init__(self, engine: Engine, storage_dir: Path, now: datetime) -> None:
        self.connection = engine.connect()
        self.outer = self.connection.begin()
        self.config = default_config()
        self.session = Session(
            bind=self.connection,
            join_transaction_mode="create_savepoint",
            expire_on_commit=False,
            info={"config": self.config},
        )
        self.storage = LocalStorage(storage_dir)
        self.now = now
        self.residents: list[int] = []
        self.coach_id = 0
        self.emails: dict[int, str] = {}
        self.staff: set[int] = set()

    def close(self) -> None:
        self.session.close()
        self.outer.rollback()
        self.connection.close()

    # --- people -------------------------------------------------------------------------

    def make_people(self, serial: int) -> None:
        from engine.accounts import create_person

        for n, name in enumerate(RESIDENTS):
            p = create_person(
                self.session, email=f"r{n}.{serial}@example.nl", name=name, now=self.now
            )
            self.residents.append(p.id)
            self.emails[p.id] = p.email
        coach = create_person(
            self.session, email=f"coach.{serial}@example.nl", name="Sanne Visser",
            role="coach", now=self.now,
        )  # fmt: skip
        self.coach_id = coach.id
        self.emails[coach.id] = coach.email
        self.staff.add(coach.id)
        self.session.flush()

    @property
    def everyone(self) -> list[int]:
        """Residents and the coach: who may try any operation."""
        return [*self.residents, self.coach_id]

    def person(self, person_id: int) -> Person:
        found = self.session.get(Person, person_id)
        assert found is not None
        return found

    def anyone(self, index: int) -> Person:
        people = self.everyone
        return self.person(people[index % len(people)])

    @property
    def coach(self) -> Person:
        return self.person(self.coach_id)

    # --- running an operation -----------------------------------------------------------

    def attempt(
        self, call: Callable[[], Any], on_refusal: Callable[[VerbindingError], None]
    ) -> Any:
        """Run one operation in a savepoint; a refusal is looked at (``on_refusal``, while its
        writes, if any, are still visible), then rolled back and returned as a :class:`Refusal`."""
        savepoint = self.session.begin_nested()
        try:
            result = call()
        except VerbindingError as error:
            try:
                if not _aborted(error):
                    on_refusal(error)
            finally:
                savepoint.rollback()
            return Refusal(error)
        except BaseException:
            savepoint.rollback()
            raise
        savepoint.commit()
        return result

    # --- the scheduler's part -------------------------------------------------------------

    def sweep(self):
        """One sweep at ``now``, exactly as ``verbinding reminders tick`` runs it (every probe
        asked afresh), without sending mail; its sessions work inside this transaction."""
        from engine import sweeper
        from engine.reminders import steps as reminder_steps

        self.session.flush()
        sweeper._asked.clear()
        reminder_steps._last_housekeeping.clear()
        runtime = SweepRuntime(
            config=self.config,
            engine=_Engine(self.connection),
            sessions=sessionmaker(
                bind=self.connection,
                join_transaction_mode="create_savepoint",
                expire_on_commit=False,
                info={"config": self.config},
            ),
        )
        report = sweeper.sweep(runtime, self.now, deliver=False)  # type: ignore[arg-type]
        self.session.expire_all()  # the sweep's sessions changed rows this one may hold
        return report


def _aborted(error: VerbindingError) -> bool:
    """A refusal made of a database error (a lost race): the savepoint cannot be read."""
    from sqlalchemy.exc import DBAPIError

    return isinstance(error.__cause__, DBAPIError)
