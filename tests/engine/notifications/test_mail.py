"""Every notification mail in Dutch and English, sentence by sentence (snapshots), and the
headers a mail client uses: one-click unsubscribe per kind, threading per initiative."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from engine.config import default_config
from engine.mail.outbox import build_email
from engine.models import OutboxMessage
from engine.notifications.kinds import EVENTS
from engine.notifications.mail import Shown, compose_mail, signed_token, thread_root
from engine.reminders.digests import Site
from engine.reminders.tokens import read_unsubscribe_token

SNAPSHOTS = Path(__file__).with_name("mail_snapshots.json")
SITE = Site(base_url="https://verbinding.example", secret="geheim")
#: the words of an event, in no language: what every kind may fill in
DATA = {
    "initiative": "Bankjes aan de kade",
    "actor": "Anna de Vries",
    "name": "Bram Bakker",
    "title": "Stroken asfalt weghalen",
    "stage": {"nl": "Visie", "en": "Vision"},
    "closes_dt": "2026-12-03T13:00:00+00:00",
    "date": "2026-12-05",
    "start_dt": "2026-12-05T18:30:00+00:00",
    # an evening that passes midnight: 19:30 to 00:30
    "end_dt": "2026-12-05T23:30:00+00:00",
    "place": "Buurthuis De Paddepoel",
    "address": "Pop Dijkemaweg 9, Groningen",
    "text": "Neem een stoel mee.",
}


def _lines(text: str) -> list[str]:
    """The sentences of a mail: each non-empty line, the reader's name and links left out."""
    return [line.strip() for line in text.splitlines() if line.strip()]


def _mail(kind: str, locale: str) -> dict:
    config = default_config()
    composed = compose_mail([Shown(kind, 7, DATA, "/initiatives/7")], locale, SITE, config,
                            digest=False)  # fmt: skip
    return composed.for_reader("Cor Jansen", signed_token(SITE, 5, [EVENTS[kind].pref]))


def _render_all() -> dict:
    return {
        kind: {lang: [_mail(kind, lang)["subject"], *_lines(_mail(kind, lang)["body_text"])]
               for lang in ("nl", "en")}
        for kind in sorted(EVENTS)
    }  # fmt: skip


def test_every_mail_kind_reads_as_its_snapshot_in_both_languages():
    found = _render_all()
    if os.environ.get("VERBINDING_UPDATE_SNAPSHOTS"):
        SNAPSHOTS.write_text(json.dumps(found, ensure_ascii=False, indent=1) + "\n")
    expected = json.loads(SNAPSHOTS.read_text())
    assert sorted(found) == sorted(expected), "a kind without a snapshot, or a snapshot too many"
    for kind in found:
        for lang in ("nl", "en"):
            for number, (got, want) in enumerate(
                zip(found[kind][lang], expected[kind][lang], strict=False)
            ):
                assert got == want, f"{kind} ({lang}), sentence {number + 1}"
            assert len(found[kind][lang]) == len(expected[kind][lang]), f"{kind} ({lang})"


#: what may read the same in both languages: names, titles, addresses (data, not our words)
_SAME = re.compile(r"^(https?://\S+|Bankjes aan de kade|Hello Cor Jansen,|Verbinding)$")


@pytest.mark.parametrize("kind", sorted(EVENTS))
def test_no_english_sentence_in_a_dutch_mail(kind):
    dutch, english = (_lines(_mail(kind, lang)["body_text"]) for lang in ("nl", "en"))
    shared = [line for line in dutch if line in english and not _SAME.match(line)]
    assert shared == []
    assert _mail(kind, "nl")["subject"] != _mail(kind, "en")["subject"]


def test_headers_unsubscribe_the_kind_and_thread_the_initiative():
    mail = _mail("decision_opened", "nl")
    headers = mail["headers"]
    url = headers["List-Unsubscribe"].strip("<>")
    token = url.rsplit("/", 1)[-1]
    assert read_unsubscribe_token("geheim", token) == (5, ["decisions"])
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    root = thread_root(7, default_config().mail_from)
    assert headers["In-Reply-To"] == root and headers["References"] == root
    assert thread_root(8, default_config().mail_from) != root
    row = OutboxMessage(
        to_addr="cor@example.nl", to_name="Cor", subject=mail["subject"],
        body_text=mail["body_text"], body_html=mail["body_html"], headers=headers,
        message_id="<n1@example.nl>", created_dt=__import__("datetime").datetime(2026, 11, 30),
    )  # fmt: skip
    sent = build_email(row, "Verbinding <noreply@example.nl>")
    assert sent["Auto-Submitted"] == "auto-generated"
    assert sent["Message-ID"] == "<n1@example.nl>"
    assert sent["References"] == root
    assert "Cor Jansen" in mail["body_html"] and "\ue000" not in mail["body_html"]
