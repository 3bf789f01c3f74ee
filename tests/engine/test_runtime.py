"""A Runtime applies its configuration: its sessions carry it, the machine cache takes its size."""

from __future__ import annotations

from engine.config import config_of, load_config
from engine.machines import machines
from engine.runtime import Runtime


def test_every_runtime_sizes_the_machine_cache(tmp_path):
    before = machines.maxsize
    try:
        Runtime(load_config({"VERBINDING_INSTANCE_PATH": str(tmp_path),
                             "VERBINDING_MACHINE_CACHE_SIZE": "12"}))  # fmt: skip
        assert machines.maxsize == 12
    finally:
        machines.maxsize = before


def test_its_sessions_carry_its_configuration(tmp_path):
    config = load_config({"VERBINDING_INSTANCE_PATH": str(tmp_path),
                          "VERBINDING_TIMEZONE": "UTC"})  # fmt: skip
    runtime = Runtime(config)
    try:
        with runtime.sessions() as session:
            assert config_of(session) is config
    finally:
        runtime.close()
