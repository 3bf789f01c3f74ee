"""Queueing in the outbox: one message per key."""

from __future__ import annotations

from tests.engine.mail.conftest import queue, rows


def test_queueing_twice_with_one_key_makes_one_message(clean):
    queue(clean, 1, prefix="same")
    queue(clean, 1, prefix="same")
    assert len(rows(clean)) == 1
