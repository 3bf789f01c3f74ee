"""The pages every municipal site has: accessibility statement, privacy statement, contact.

What they say about the municipality comes from the settings (``VERBINDING_MUNICIPALITY_NAME``,
``…_CONTACT_*``, ``…_PRIVACY_CONTACT``, ``…_RETENTION_YEARS``, ``…_ACCESSIBILITY_*``), so
another municipality runs the same pages with its own name and addresses.
"""

from __future__ import annotations

from flask import current_app, render_template

from engine.config import Config
from web import access
from web.main.routes import bp


@bp.app_context_processor
def _site() -> dict[str, object]:
    """The templates' ``site``: the running settings themselves, so the footer and the statements
    read each fact from the one place it is set."""
    config: Config = current_app.config["VERBINDING"]
    return {"site": config}


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
