"""The theme the operator chose (VERBINDING_THEME_CSS) and the site's icon."""

from __future__ import annotations

from pathlib import Path

from flask import current_app, send_file, url_for

from engine.config import Config
from web import access
from web.main.routes import bp


def _config() -> Config:
    return current_app.config["VERBINDING"]


@bp.get("/theme.css")
@access.public
def theme():
    """The operator's theme file; without one, the example theme in the static folder."""
    example = Path(str(current_app.static_folder), "vendor", "nlds", "voorbeeld-theme.css")
    path = _config().theme_css or example
    return send_file(path, mimetype="text/css", max_age=3600)


@bp.get("/favicon.ico")
@access.public
def favicon():
    return send_file(
        Path(str(current_app.static_folder), "favicon.svg"),
        mimetype="image/svg+xml",
        max_age=86400,
    )


@bp.app_context_processor
def theme_context() -> dict:
    config = _config()
    if config.theme_css is None:
        url = url_for("static", filename="vendor/nlds/voorbeeld-theme.css")
    else:
        url = url_for("main.theme")
    return {"theme_css_url": url, "theme_class": config.theme_class}
