"""Screenshots of every page on a phone and a desktop, on the demo data (not a test).

    python -m tests.browser.screenshots --out screenshots/ [--lang nl,en]

Starts the app with the Groningen demo on a temporary SQLite database, walks every GET route
that shows a page (a mail's link too: an invitation, stopping reminders, a new password), logs
in as the demo person its access rule asks for (anonymous for the public pages and a mail's
links, the initiator for an initiative's, the coach for the caseload, the admin for the
admin's) and saves full-page PNGs as ``<page>-<size>-<lang>.png``, in Dutch and English, on a
phone (390 px) and a desktop. ``/screenshots/`` is ignored by git. The full tour is 272 PNGs
(68 pages × nl/en × phone/desktop) in about 25 minutes on this machine.
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


#: who opens a page, by its access rule (web/access.py): the initiator of the Voermanhaven for
#: the group's pages, the coach for the municipality's, the admin for the admin's
WHO = {
    "public": None,
    "login": "pieter@example.nl",
    "viewer": "pieter@example.nl",
    "member": "pieter@example.nl",
    "member_or_starter": "pieter@example.nl",
    "initiator": "pieter@example.nl",
    "staff": "sanne@example.nl",
    "admin": "beheer@example.nl",
    "group_or_staff": "pieter@example.nl",
}
#: not pages: data, files, or redirects (a link from a mail that confirms and moves on)
SKIP = {
    "main.language", "main.healthz", "main.theme", "main.favicon", "coach.caseload_export",
    "main.readyz", "main.metrics",
    "documents.download", "reminders.person_feed", "reminders.initiative_feed",
    "auth.confirm", "discussions.message",
    "account.confirm_email",
    "surveys.export",
    "consultation.photo",
}  # fmt: skip


def _shots(live) -> list[Shot]:
    """Every page of the app (each GET route that shows HTML), with demo values for its ids."""
    from engine.models import (
        Decision,
        Initiative,
        MaintenanceTask,
        Occurrence,
        Person,
        Step,
        SupportRequest,
    )
    from web.access import RULES

    with live.sessions() as session:
        greening = session.scalar(
            select(Initiative.id).where(Initiative.title == "Groen op de Voermanhaven")
        )
        pieter = session.scalar(select(Person.id).where(Person.email == "pieter@example.nl"))
        paddepoel = session.scalar(
            select(Initiative.id).where(Initiative.title == "Wijkvisie Paddepoel")
        )
        from engine.models.consultations import ConsultationPost

        idea = session.scalar(
            select(ConsultationPost.id)
            .where(ConsultationPost.initiative_id == paddepoel, ConsultationPost.kind == "idea")
            .order_by(ConsultationPost.id)
        )
        task = session.scalar(
            select(MaintenanceTask.id).where(MaintenanceTask.initiative_id == greening)
        )
        turn = session.scalar(
            select(Occurrence.id).where(
                Occurrence.task_id == task, Occurrence.assignee_id == pieter
            )
        )
        request = session.execute(select(SupportRequest.id, SupportRequest.initiative_id)).first()
        step = session.scalar(select(Step.id).where(Step.initiative_id == greening))
        decision = session.execute(
            select(Decision.id, Decision.initiative_id).order_by(
                Decision.initiative_id != greening, Decision.id
            )
        ).first()
        # the survey pages show the Paddepoel wijkvisie's survey, to its initiator
        vision = session.scalar(
            select(Initiative.id).where(Initiative.title == "Wijkvisie Paddepoel")
        )
        meetings = _demo_meetings(session)
        tokens = _mail_tokens(live, session, pieter)
    values = {"initiative_id": greening, "task_id": task, "occurrence_id": turn, "step_id": step,
              "stage_key": "maintenance"}  # fmt: skip
    shots = []
    for rule in live.app.url_map.iter_rules():
        if "GET" not in (rule.methods or ()) or rule.endpoint in SKIP | {"static"}:
            continue
        if RULES.get(rule.endpoint) == "api":  # JSON, not a page (its reference page is one)
            continue
        given = dict(values)
        who = WHO.get(RULES.get(rule.endpoint, "public"))
        if rule.endpoint == "consultation.show_post":
            # an idea of the demo's consultation: as a neighbour and as the group's initiator
            at = {"initiative_id": paddepoel, "post_id": idea}
            if paddepoel is not None and idea is not None:
                shots.append(Shot("consultation-idea-group", rule.endpoint, "anna@example.nl", at))
            given, who = at, "lotte@example.nl"
        if rule.endpoint.startswith("meetings.") and rule.endpoint != "meetings.supporters":
            # Paddepoel's meetings, opened by its initiator: the drop-in still to come
            given.update(meetings.get("upcoming", {}))
            who = "anna@example.nl" if who else None
        if rule.endpoint.startswith("support.") and request is not None:
            given.update(request_id=request.id, initiative_id=request.initiative_id)
            who = "lotte@example.nl" if RULES.get(rule.endpoint) != "staff" else who
        if "decision_id" in rule.arguments and decision is not None:
            given.update(decision_id=decision.id, initiative_id=decision.initiative_id)
        if rule.endpoint.startswith("surveys.") and vision is not None:
            given.update(initiative_id=vision)
            who = "anna@example.nl" if who else who
        if "token" in rule.arguments:  # a page a link in a mail opens, for whom it was sent
            given["token"], who = tokens.get(rule.endpoint), None
        params = {name: given.get(name) for name in rule.arguments}
        if any(v is None for v in params.values()):
            print(f"skipped {rule.endpoint}: no demo value for {sorted(rule.arguments)}")
            continue
        name = rule.endpoint.replace(".", "-").replace("_", "-")
        shots.append(Shot(name, rule.endpoint, who, params))
        if rule.endpoint == "initiatives.show":
            shots.append(Shot("initiative-public", rule.endpoint, None, params))
        if rule.endpoint == "consultation.show" and paddepoel is not None:
            # the demo's open consultation, with ideas: as a neighbour and as its initiator
            at = {"initiative_id": paddepoel}
            shots.append(Shot("consultation-neighbour", rule.endpoint, "lotte@example.nl", at))
            shots.append(Shot("consultation-group", rule.endpoint, "anna@example.nl", at))
        if rule.endpoint == "meetings.show":  # the wijkavond that took place, with its minutes
            held = dict(meetings.get("held", params))
            shots.append(Shot("meeting-held", rule.endpoint, who, held))
            shots.append(Shot("meeting-public", rule.endpoint, None, params))
    return shots


def _mail_tokens(live, session, person_id) -> dict[str, str | None]:
    """The secrets of the links a mail carries: an open invitation of the demo, a link to stop
    reminders, and a new-password link (its page shows for any token; sending it checks)."""
    from engine.models import Invitation
    from engine.reminders.tokens import signing_secret, unsubscribe_token

    invitation = session.scalar(
        select(Invitation.token).where(Invitation.accepted_dt.is_(None)).order_by(Invitation.id)
    )
    config = live.app.extensions["verbinding"].config
    return {
        "members.invitation": invitation,
        "reminders.unsubscribe_link": unsubscribe_token(
            signing_secret(config), person_id, ["step_due"]
        ),
        "auth.reset_password_page": "a-link-from-the-mail",
    }


def _demo_meetings(session) -> dict[str, dict]:
    """Paddepoel's wijkavond (held) and its Saturday drop-in (to come), as URL values."""
    from engine.models import Initiative
    from engine.models.meetings import Meeting

    rows = session.execute(
        select(Meeting.id, Meeting.initiative_id, Meeting.minutes_document_id)
        .join(Initiative, Initiative.id == Meeting.initiative_id)
        .where(Initiative.title == "Wijkvisie Paddepoel")
        .order_by(Meeting.start_dt)
    ).all()
    found = {"held": rows[0], "upcoming": rows[-1]} if rows else {}
    return {k: {"initiative_id": r.initiative_id, "meeting_id": r.id} for k, r in found.items()}


def _url(app, shot: Shot) -> str | None:
    if shot.endpoint not in app.view_functions:
        return None
    from flask import url_for

    with app.test_request_context():
        return url_for(shot.endpoint, **shot.values)


def _open(browser, live, who: str | None, lang: str, width: int, height: int, size: str):
    """A page in a context of its own, logged in as ``who`` (once for all their pages)."""
    context = browser.new_context(
        base_url=live.url,
        locale={"nl": "nl-NL", "en": "en-GB"}[lang],
        viewport={"width": width, "height": height},
        device_scale_factor=2 if size == "phone" else 1,
        is_mobile=size == "phone",
        has_touch=size == "phone",
    )
    page = context.new_page()
    if who:
        page.goto("/login")
        page.fill("#email", who)
        page.fill("#password", DEMO_PASSWORD)
        with page.expect_navigation():
            page.locator("main button[type=submit]").click()
    # the language chosen in the header wins over the account's
    page.goto(f"/language/{lang}?next=/")
    return page


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
                shots = sorted(_shots(live), key=lambda shot: shot.who or "")
                for lang in langs:
                    for size, (width, height) in SIZES.items():
                        page, who = None, ""
                        for shot in shots:
                            path = _url(live.app, shot)
                            if path is None:
                                print(f"skipped {shot.name}: {shot.endpoint} does not exist yet")
                                continue
                            if page is None or who != shot.who:
                                if page is not None:
                                    page.context.close()
                                page = _open(browser, live, shot.who, lang, width, height, size)
                                who = shot.who
                            page.goto(path)
                            target = out / f"{shot.name}-{size}-{lang}.png"
                            page.screenshot(path=str(target), full_page=True)
                            saved.append(target)
                            print(f"saved {target}")
                        if page is not None:
                            page.context.close()
                browser.close()
        finally:
            server.stop()
            live.app.extensions["verbinding"].close()
            smtp.stop()
    return saved


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    parser.add_argument("--lang", default="nl,en", help="comma-separated: nl,en")
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
