"""The pages every municipal site has: accessibility statement, privacy statement, contact.

What they say about the municipality comes from the settings (``VERBINDING_MUNICIPALITY_NAME``,
``…_CONTACT_*``, ``…_PRIVACY_CONTACT``, ``…_RETENTION_YEARS``, ``…_ACCESSIBILITY_*``), so
another municipality runs the same pages with its own name and addresses.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app, render_template

from engine.config import Config
from web import access
from web.main.routes import bp


@dataclass(frozen=True)
class Site:
    """Whose site this is and how to reach them: what the footer and the statements say."""

    base_url: str
    municipality_name: str
    contact_email: str
    contact_phone: str
    contact_address: str
    privacy_contact: str
    retention_years: int
    mail_retention_days: int
    link_retention_days: int
    notification_retention_days: int
    #: full, partial, first-steps or none
    accessibility_status: str
    accessibility_checked: date


def site() -> Site:
    """The running site's facts, from its settings."""
    config: Config = current_app.config["VERBINDING"]
    return Site(
        base_url=config.base_url,
        municipality_name=config.municipality_name,
        contact_email=config.contact_email,
        contact_phone=config.contact_phone,
        contact_address=config.contact_address,
        privacy_contact=config.privacy_contact,
        retention_years=config.retention_years,
        mail_retention_days=config.mail_retention_days,
        link_retention_days=config.link_retention_days,
        notification_retention_days=config.notification_retention_days,
        accessibility_status=config.accessibility_status,
        accessibility_checked=config.accessibility_checked,
    )


@bp.app_context_processor
def _site() -> dict[str, object]:
    return {"site": site()}


@bp.get("/toegankelijkheidsverklaring")
@access.public
def accessibility():
    return render_template("main/accessibility.html")


@bp.get("/privacy")
@access.public
def privacy():
    return render_template("main/privacy.html")


@bp.get("/contact")
@access.public
def contact():
    return render_template("main/contact.html")
