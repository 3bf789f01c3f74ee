"""The web client as a browser uses it: a language, a login, a form with its hidden fields."""

from __future__ import annotations

from engine.models import Person
from tests.factories.people import PASSWORD


def browse_as(client, someone: Person | None = None, locale: str = "en"):
    """A browser session in English (the message ids), logged in as ``someone`` if given."""
    from tests.support import login

    client.get(f"/language/{locale}?next=/")
    if someone is not None:
        login(client, someone.email, PASSWORD)
    return client


def submit(client, initiative_id: int, url: str, data: dict | None = None, **kw):
    """POST a form of the initiative page as a browser would: with the page's hidden fields."""
    import re

    from tests.support import CSRF_RE

    page = client.get(f"/initiatives/{initiative_id}").get_data(as_text=True)
    payload = {"csrf_token": CSRF_RE.search(page).group(1)}
    version = re.search(r'name="expected_version" value="(\d+)"', page)
    if version:
        payload["expected_version"] = version.group(1)
    if url.endswith("/remove"):
        payload["confirmed"] = "yes"  # the hidden field of the second step (web/confirm.py)
    payload.update(data or {})
    return client.post(url, data=payload, **kw)
