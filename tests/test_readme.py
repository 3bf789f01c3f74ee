"""The README stays true: every setting is documented there with its default."""

from pathlib import Path

from engine.config import SETTINGS

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_configuration_table():
    missing = [
        s.name for s in SETTINGS if f"| `VERBINDING_{s.name}` | `{s.default}` |" not in README
    ]
    assert not missing, f"add these settings (with their defaults) to README.md: {missing}"


def test_the_two_commands_are_there():
    assert "verbinding demo && .venv/bin/verbinding serve" in README
    assert "bash .ci/run" in README
