"""Every ``url_for('…')`` in the templates and in web/'s Python names an endpoint that exists:
a mistyped endpoint fails here, not on the one page a visitor happens to open."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import web

WEB = Path(web.__file__).parent
#: url_for("endpoint" …) in a template, with either quote; a computed endpoint does not match
TEMPLATE_CALL = re.compile(r"""url_for\(\s*(['"])([\w.]+)\1\s*[,)]""")


def _template_endpoints() -> list[tuple[str, str]]:
    found = []
    for path in sorted((WEB / "templates").rglob("*.html")):
        for match in TEMPLATE_CALL.finditer(path.read_text()):
            found.append((str(path.relative_to(WEB)), match.group(2)))
    return found


def _python_endpoints() -> list[tuple[str, str]]:
    found = []
    for path in sorted(WEB.rglob("*.py")):
        tree = ast.parse(path.read_text(), str(path))
        blueprint = path.relative_to(WEB).parts[0] if path.parent != WEB else ""
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name != "url_for" or not isinstance(first, ast.Constant):
                continue
            endpoint = str(first.value)
            if endpoint.startswith("."):  # relative to the module's own blueprint
                endpoint = blueprint + endpoint
            found.append((f"{path.relative_to(WEB)}:{node.lineno}", endpoint))
    return found


def test_the_scan_finds_the_links():
    # a guard against a pattern that silently matches nothing
    assert len(_template_endpoints()) > 100
    assert len(_python_endpoints()) > 20


def test_every_url_for_names_an_existing_endpoint(web_app):
    known = set(web_app.view_functions)
    unknown = [
        f"{where}: {endpoint}"
        for where, endpoint in _template_endpoints() + _python_endpoints()
        if endpoint not in known
    ]
    assert not unknown, "url_for names endpoints that do not exist:\n" + "\n".join(unknown)
