"""Every mail kind and a calendar feed, in Dutch and English, read exactly as people get them.

Each sample (mail_samples.py) is compared with its committed file in ``snapshots/``. When a
text changes on purpose, rewrite the files and read the diff before committing::

    VERBINDING_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/engine/reminders/test_mail_snapshots.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from tests.engine.reminders.mail_samples import SAMPLE_KINDS, SAMPLES, filename, rendered

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("VERBINDING_UPDATE_SNAPSHOTS") == "1"


@pytest.mark.parametrize("locale", ["nl", "en"])
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_mail_and_feed_read_as_committed(name, locale):
    path = SNAPSHOTS / filename(name, locale)
    got = rendered(name, locale)
    if UPDATE or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(got, encoding="utf-8")
        if not UPDATE:
            pytest.fail(f"wrote the new snapshot {path.name}: read it, then commit it")
        return
    want = path.read_text(encoding="utf-8")
    if got != want:
        diff = "".join(
            difflib.unified_diff(
                want.splitlines(keepends=True),
                got.splitlines(keepends=True),
                f"snapshots/{path.name}",
                "rendered now",
            )  # fmt: skip
        )
        pytest.fail(f"{path.name} changed (VERBINDING_UPDATE_SNAPSHOTS=1 rewrites it):\n{diff}")


def test_every_reminder_kind_has_a_sample():
    """A new kind of reminder gets its sentence into the snapshots too."""
    from engine.notifications.preferences import PREFERENCES
    from engine.reminders.rules import KINDS

    # the notifications' kinds share the settings page; their mails have snapshots of their own
    notification_kinds = {name for name, *_ in PREFERENCES}
    assert set(KINDS) - notification_kinds == SAMPLE_KINDS
