"""The API's reference page at ``/api/v1/``: every operation from the OpenAPI document, as a
plain server-rendered page (no scripts, nothing from a CDN)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from web import access
from web.api.problems import titles

bp = Blueprint("apidocs", __name__)
METHODS = ("get", "post", "put", "patch", "delete")


def operations(spec: dict) -> list[tuple[str, list[dict]]]:
    """(tag, its operations) in the document's order of tags."""
    by_tag: dict[str, list[dict]] = {}
    for path, item in spec.get("paths", {}).items():
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            security = op.get("security", spec.get("security", []))
            by_tag.setdefault((op.get("tags") or ["api"])[0], []).append(
                {
                    "method": method.upper(),
                    "path": path,
                    "summary": op.get("summary", ""),
                    "description": op.get("description", ""),
                    "public": {} in security,
                    "responses": sorted(op.get("responses", {})),
                }
            )
    order = [t["name"] for t in spec.get("tags", [])]
    return sorted(by_tag.items(), key=lambda kv: order.index(kv[0]) if kv[0] in order else 99)


@bp.get("/api/v1/")
@access.public
def reference():
    spec = current_app.extensions["flask-smorest"]["apis"][""]["ext_obj"].spec.to_dict()
    tags = {t["name"]: t.get("description", "") for t in spec.get("tags", [])}
    return render_template(
        "api/reference.html", groups=operations(spec), tags=tags, problems=titles()
    )
