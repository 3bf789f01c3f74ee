"""Screenshots of the main pages on a phone and a desktop, on the demo data (not a test).

    python -m tests.browser.screenshots --out screenshots/ [--lang nl,en]

Starts the app with the Groningen demo on a temporary SQLite database, logs in as the right
demo people (anonymous for the public pages, the initiator for an initiative, the coach for the
caseload) and saves full-page PNGs as ``<page>-<size>-<lang>.png``. Pages that do not exist
yet are listed and left out. ``/screenshots/`` is ignored by git.
"""

from __future__ import annotations

import argparse
import logging
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, DEMO_PASSWORD, make_live_app
from tests.support import SmtpServer

SIZES = {"phone": (390, 844), "desktop": (1366, 900)}


@dataclass(frozen=True)
class Shot:
    name: str
    endpoint: str
    who: str | None  # a demo e-mail address, or None for anonymous
    values: dict


def _shots(live) -> list[Shot]:
    from engine.models import Initiative

    with live.sessions() as session:
        greening = session.scalar(
            select(Initiative.id).where(Initiative.title == "Groen op de Voermanhaven")
        )
    return [
        Shot("home", "main.home", None, {}),
        Shot("login", "auth.login", None, {}),
        Shot("register", "auth.register", None, {}),
        Shot("home-logged-in", "main.home", "anna@example.nl", {}),
        Shot("initiative", "initiatives.show", "pieter@example.nl", {"initiative_id": greening}),
        Shot("initiative-public", "initiatives.show", None, {"initiative_id": greening}),
        Shot("new-initiative", "initiatives.new", "anna@example.nl", {}),
        Shot("coach-caseload", "coach.caseload", "sanne@example.nl", {}),
    ]


def _url(app, shot: Shot) -> str | None:
    if shot.endpoint not in app.view_functions:
        return None
    from flask import url_for

    with app.test_request_context():
        return url_for(shot.endpoint, **shot.values)


def take(out: Path, langs: list[str]) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    smtp = SmtpServer().start()
    with tempfile.TemporaryDirectory() as tmp:
        live, server = make_live_app(Path(tmp), smtp)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(
                    executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
                )
                for shot in _shots(live):
                    path = _url(live.app, shot)
                    if path is None:
                        print(f"skipped {shot.name}: {shot.endpoint} does not exist yet")
                        continue
                    for lang in langs:
                        for size, (width, height) in SIZES.items():
                            context = browser.new_context(
                                base_url=live.url,
                                locale={"nl": "nl-NL", "en": "en-GB"}[lang],
                                viewport={"width": width, "height": height},
                                device_scale_factor=2 if size == "phone" else 1,
                                is_mobile=size == "phone",
                                has_touch=size == "phone",
                            )
                            page = context.new_page()
                            if shot.who:
                                page.goto("/login")
                                page.fill("#email", shot.who)
                                page.fill("#password", DEMO_PASSWORD)
                                with page.expect_navigation():
                                    page.locator("main button[type=submit]").click()
                            # the language chosen in the header wins over the account's
                            page.goto(f"/language/{lang}?next=/")
                            page.goto(path)
                            target = out / f"{shot.name}-{size}-{lang}.png"
                            page.screenshot(path=str(target), full_page=True)
                            saved.append(target)
                            print(f"saved {target}")
                            context.close()
                browser.close()
        finally:
            server.stop()
            live.app.extensions["verbinding"].engine.dispose()
            smtp.stop()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--lang", default="nl", help="comma-separated: nl,en")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    if not CHROMIUM.exists():
        print(f"Chromium not found at {CHROMIUM}", file=sys.stderr)
        return 1
    langs = [x for x in args.lang.split(",") if x]
    saved = take(args.out, langs)
    print(f"{len(saved)} screenshot(s) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
