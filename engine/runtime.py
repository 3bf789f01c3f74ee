"""Wiring for a running process (CLI, web, scheduler): configuration and database."""

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

    @classmethod
    def from_env(cls) -> Runtime:
        config = load_config()
        machines.maxsize = config.machine_cache_size
        return cls(config)

    @cached_property
    def engine(self) -> Engine:
        return make_engine(self.config.database_url)

    @cached_property
    def sessions(self) -> sessionmaker[Session]:
        return make_session_factory(self.engine)

    def close(self) -> None:
        """Close the database connections (if any were opened)."""
        if "engine" in self.__dict__:
            self.engine.dispose()
