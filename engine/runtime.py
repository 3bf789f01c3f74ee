"""Wiring for a running process (CLI, web, scheduler): configuration and database.

Every session a Runtime makes carries its :class:`~engine.config.Config`
(``engine.config.config_of(session)``), so the engine reads settings from the session it was
given, never from the environment.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from engine.config import Config, load_config
from engine.db import make_engine, make_session_factory
from engine.machines import machines


@dataclass
class Runtime:
    config: Config

    def __post_init__(self) -> None:
        # the machine cache is one per process: the last Runtime made sets its size
        machines.maxsize = self.config.machine_cache_size

    @classmethod
    def from_env(cls) -> Runtime:
        return cls(load_config())

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.config.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine, self.config)

    def close(self) -> None:
        """Close the database connections (if any were opened)."""
        if "engine" in self.__dict__:
            self.engine.dispose()
